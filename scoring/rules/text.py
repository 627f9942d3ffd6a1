"""The text form of rule parameters (column ``rule_params`` of the criteria sheet)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from scoring.rules.kinds import (
    BRANCH_RULE,
    EXAMPLES,
    OVER_CHOICES,
    PARAM_KEYS,
    RuleParamsError,
    bands_of,
    canonical_label,
    check_rule,
    decimal_param,
    decimal_str,
    levels_of,
    over_of,
    rule_name,
    to_decimal,
)

_SEPARATOR = re.compile(r"[;\r\n]")
_RANGE_NUMBER = r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_RANGE_BOTH = re.compile(rf"(>=|>)?{_RANGE_NUMBER}-(<=|<)?{_RANGE_NUMBER}")
_RANGE_ONE = re.compile(rf"(>=|>|<=|<|=)?{_RANGE_NUMBER}")
_RANGE_FORMS = ">a, >=a, <b, <=b, =a, a-b, a-<b, >a-b, >a-<b"


def _items(text: str) -> list[str]:
    return [item.strip() for item in _SEPARATOR.split(text) if item.strip()]


def _parse_number_text(text: str, what: str) -> str:
    number = to_decimal(text)
    if number is None:
        raise RuleParamsError(f"{what}: '{text.strip()}' không phải là số hợp lệ.")
    return decimal_str(number)


def _parse_range(text: str) -> dict:
    compact = text
    for old, new in (("≥", ">="), ("≤", "<="), ("–", "-"), ("—", "-"), ("−", "-"), ("%", ""), (",", ".")):
        compact = compact.replace(old, new)
    compact = "".join(compact.split())
    both = _RANGE_BOTH.fullmatch(compact)
    if both:
        low_op, low, high_op, high = both.groups()
        return {
            "min": decimal_str(Decimal(low)),
            "min_inclusive": low_op != ">",
            "max": decimal_str(Decimal(high)),
            "max_inclusive": high_op != "<",
        }
    one = _RANGE_ONE.fullmatch(compact)
    if not one:
        raise RuleParamsError(f"Khoảng '{text}' không hợp lệ; dùng một trong các dạng: {_RANGE_FORMS}.")
    op, number = one.groups()
    value = decimal_str(Decimal(number))
    if op in (None, "="):
        return {"min": value, "min_inclusive": True, "max": value, "max_inclusive": True}
    if op in (">", ">="):
        return {"min": value, "min_inclusive": op == ">=", "max": None, "max_inclusive": True}
    return {"min": None, "min_inclusive": True, "max": value, "max_inclusive": op == "<="}


def _parse_level(item: str) -> dict:
    label, sep, points = item.rpartition("=")
    if not sep:
        raise RuleParamsError(f"Mức '{item}' thiếu điểm; viết dạng 'tên mức=điểm', ví dụ 'Trễ hạn=0.5'.")
    label = canonical_label(label)
    if not label:
        raise RuleParamsError(f"Mức '{item}' thiếu tên mức trước dấu '='.")
    if "=" in label:
        raise RuleParamsError(
            f"Mục '{item}' có nhiều dấu '='; các mức phải cách nhau bằng dấu ';' và tên mức không chứa '='."
        )
    return {"label": label, "points": _parse_number_text(points, f"Điểm của mức '{label}'")}


def _parse_band(item: str) -> dict:
    range_text, sep, points = item.rpartition(":")
    if not sep or not range_text.strip():
        raise RuleParamsError(f"Khoảng '{item}' phải có dạng 'khoảng:điểm', ví dụ '70-90:1'.")
    band = _parse_range(range_text.strip())
    band["points"] = _parse_number_text(points, f"Điểm của khoảng '{range_text.strip()}'")
    return band


def _parse_key_values(rule: str, items: list[str]) -> dict:
    allowed = PARAM_KEYS[rule]
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or not key:
            raise RuleParamsError(f"'{item}' phải có dạng 'tên=giá trị', ví dụ '{EXAMPLES[rule]}'.")
        if key not in allowed:
            raise RuleParamsError(
                f"Tham số '{key}' không dùng cho quy tắc {rule_name(rule)}; chỉ nhận: {', '.join(allowed)}."
            )
        if key in params:
            raise RuleParamsError(f"Tham số '{key}' bị lặp.")
        params[key] = _parse_number_text(value, f"Tham số '{key}'")
    return params


_OVER_ITEM = re.compile(r"over\s*=\s*(.*)", re.IGNORECASE | re.DOTALL)


def _parse_over(items: list[str]) -> tuple[dict, list[str]]:
    """The ``over=cap|refuse`` item of bands and ratio, and the other items."""
    over, rest = {}, []
    for item in items:
        match = _OVER_ITEM.fullmatch(item)
        if not match:
            rest.append(item)
            continue
        if over:
            raise RuleParamsError("Tham số 'over' bị lặp.")
        value = match.group(1).strip().lower()
        if value not in OVER_CHOICES:
            raise RuleParamsError(
                f"Tham số 'over' là '{match.group(1).strip()}'; dùng 'over=cap' (tử số vượt mẫu số: tính 100%) "
                "hoặc 'over=refuse' (không nhận tử số lớn hơn mẫu số)."
            )
        over = {"over": value}
    return over, rest


def parse_params(rule: str, text: str | None) -> dict:
    """Read the text form of ``rule``'s parameters into the canonical params dict.

    Raises ``RuleParamsError`` with a Vietnamese message on text it cannot read. Meaning
    (points above max, band gaps...) is checked by ``validate_params``.
    """
    check_rule(rule)
    items = _items(unicodedata.normalize("NFC", text or ""))
    if rule in ("survey", BRANCH_RULE):
        if items:
            raise RuleParamsError(f"Quy tắc {rule_name(rule)} không có tham số; để trống ô này.")
        return {}
    if rule == "levels":
        if not items:
            raise RuleParamsError(f"Quy tắc 'levels' cần ít nhất một mức, ví dụ '{EXAMPLES['levels']}'.")
        return {"levels": [_parse_level(item) for item in items]}
    over = {}
    if rule in ("bands", "ratio"):
        over, items = _parse_over(items)
    if rule == "bands":
        if not items:
            raise RuleParamsError(f"Quy tắc 'bands' cần ít nhất một khoảng, ví dụ '{EXAMPLES['bands']}'.")
        return {"bands": [_parse_band(item) for item in items], **over}
    params = {**_parse_key_values(rule, items), **over}
    if rule == "deduction" and "per" not in params:
        raise RuleParamsError("Quy tắc 'deduction' cần số điểm trừ mỗi lần, ví dụ 'per=0.5'.")
    return params


def format_params(rule: str, params: dict) -> str:
    """The canonical text form of ``params`` (the inverse of ``parse_params``)."""
    check_rule(rule)
    params = params or {}
    unknown = sorted(set(params) - set(PARAM_KEYS[rule]))
    if unknown:
        raise RuleParamsError(f"Tham số không dùng cho quy tắc {rule_name(rule)}: {', '.join(unknown)}.")
    if rule == "levels":
        return "; ".join(f"{level.label}={decimal_str(level.points)}" for level in levels_of(params))
    over = [f"over={over_of(params)}"] if params.get("over") is not None else []
    if rule == "bands":
        return "; ".join([f"{band.range_text()}:{decimal_str(band.points)}" for band in bands_of(params)] + over)
    keys = [key for key in PARAM_KEYS[rule] if key != "over" and params.get(key) is not None]
    return "; ".join([f"{key}={decimal_str(decimal_param(params, key))}" for key in keys] + over)


# ---------------------------------------------------------------------------------------------
# validation of params against the criterion's max
