"""The engine's reasons in the reader's language (scoring.reasons): every reason the engine
gives, driven through the engine itself, reads in English with no Vietnamese left, and is
untouched in Vietnamese."""
from decimal import Decimal

import pytest
from django.utils import translation

from scoring.engine import Node, score
from scoring.reasons import reason_text
from scoring.rules.text import parse_params
from tests.test_i18n import VIETNAMESE


def node(code, max_points, rule="sum", params="", **kwargs):
    return Node(code, f"Criterion {code}", Decimal(max_points), rule, parse_params(rule, params), **kwargs)


def engine_reasons():
    """One tree whose points carry each kind of reason the engine writes."""
    nodes = [
        node("1", "20"),
        node("1.1", "2", "levels", "Yes=2; No=0"),
        node("1.2", "2", "deduction", "per=0.5"),
        node("1.3", "2", "ratio"),
        node("1.4", "2", "bands", ">90:2; 70-90:1; <70:0"),
        node("1.5", "2", "manual"),
        node("1.6", "2", "manual", evidence_required=True),
        node("1.7", "2", "survey"),
        node("1.8", "2", "imported"),
        node("1.9", "2", "survey"),
        node("1.10", "2", "imported"),
        node("2", "1", capped=True),
        node("2.1", "2", "manual"),
        node("3", "1"),
        node("3.1", "1", "manual"),
        node("4", "2"),
        node("4.1", "1", "bonus"),
        node("4.2", "1", "penalty"),
        node("5", "1"),
        node("5.1", "1", "manual"),
    ]
    inputs = {"1.1": {"level": "Yes"}, "1.2": {"count": 2}, "1.3": {"numerator": 9, "denominator": 10},
              "1.4": {"numerator": 80, "denominator": 100}, "1.6": {"score": "1"}, "2.1": {"score": "2"},
              "4.1": {"score": "1"}, "4.2": {"score": "0.5"}}
    result = score(nodes, inputs=inputs, survey={"1.9": Decimal("1.5")}, imported={"1.10": Decimal("1")},
                   not_applicable=["3", "5.1"])
    return {code: p.reason for code, p in result.points.items() if p.reason}


def test_a_ratio_over_100_percent_reads_in_english():
    with translation.override("en"):
        assert reason_text("tử số 10; mẫu số 8, vượt 100% nên tính 100%") == (
            "numerator 10; denominator 8, over 100% so counted as 100%")
        assert reason_text("tử số 10; mẫu số 8: tỷ lệ 125%, vượt 100% nên tính 100% (>90)") == (
            "numerator 10; denominator 8: ratio 125%, over 100% so counted as 100% (>90)")


def test_every_engine_reason_reads_in_english():
    reasons = engine_reasons()
    assert len(set(reasons.values())) == 14, reasons  # the tree covers the engine's reasons
    with translation.override("en"):
        shown = {code: reason_text(reason) for code, reason in reasons.items()}
    left = {code: text for code, text in shown.items() if VIETNAMESE.search(text)}
    assert not left, left
    assert shown["1.1"] == "level: Yes" and shown["1.2"] == "minus 0.5 × 2 times"
    assert shown["1.3"] == "numerator 9; denominator 10"
    assert shown["1.4"] == "numerator 80; denominator 100: ratio 80% (70-90)"
    assert shown["1.5"] == "not scored" and shown["1.6"] == "0: no evidence"
    assert shown["5"] == "not applicable (no sub-criterion applies)" and shown["4"] == "bonus 1, minus 0.5"


def test_vietnamese_reasons_are_untouched():
    reasons = engine_reasons()
    with translation.override("vi"):
        assert {code: reason_text(reason) for code, reason in reasons.items()} == reasons
    assert reasons["1.1"] == "mức: Yes"


@pytest.mark.parametrize("text", ["", "a reason the engine never gives"])
def test_unknown_reasons_come_back_unchanged(text):
    with translation.override("en"):
        assert reason_text(text) == text
