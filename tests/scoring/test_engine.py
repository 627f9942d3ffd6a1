"""The scoring engine: every rule at its bounds, hand-computed trees, and properties."""

from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scoring.engine import (
    NO_EVIDENCE,
    NOT_SCORED,
    Node,
    Points,
    Problem,
    TreeError,
    round_points,
    score,
    validate_tree,
)
from scoring.rules.kinds import decimal_str
from scoring.rules.text import parse_params

SETTINGS = settings(database=None, deadline=None)  # no .hypothesis/ directory in the project

D = Decimal
CA_MAU = ">90:2; 70-90:1; <70:0"
HALF = "=100:2; 80-<100:1; <80:0"
LEVELS = "Đúng hạn=1; Trễ hạn=0.5; Không ban hành=0"
YES_NO = "Có=1; Không=0"


def node(code, max_points, rule="sum", params="", **kwargs):
    return Node(code, f"Tiêu chí {code}", D(max_points), rule, parse_params(rule, params), **kwargs)


def leaf(rule, params, max_points, raw=None, **kwargs):
    """The points of a single leaf 1.1 under a field 1 of the same max."""
    flags = {k: kwargs.pop(k) for k in ("evidence_required",) if k in kwargs}
    nodes = [node("1", max_points), node("1.1", max_points, rule, params, **flags)]
    inputs = {} if raw is None else {"1.1": raw}
    return score(nodes, inputs=inputs, **kwargs).points["1.1"]


def fraction(numerator, denominator):
    return {"numerator": numerator, "denominator": denominator}


# --- every rule at and around its bounds ------------------------------------------------------


@pytest.mark.parametrize(
    "numerator, denominator, expected",
    [
        (100, 100, "2"),
        (91, 100, "2"),
        (9001, 10000, "2"),  # 90.01 %
        (90, 100, "1"),  # exactly 90 % belongs to 70-90
        (9, 10, "1"),
        (70, 100, "1"),  # 70 % is inside 70-90
        (6999, 10000, "0"),  # 69.99 %
        (0, 10, "0"),
    ],
)
def test_bands_ca_mau(numerator, denominator, expected):
    assert leaf("bands", CA_MAU, "2", fraction(numerator, denominator)).value == D(expected)


@pytest.mark.parametrize(
    "numerator, denominator, expected",
    [(10, 10, "2"), (9999, 10000, "1"), (80, 100, "1"), (4, 5, "1"), (7999, 10000, "0"), (0, 1, "0")],
)
def test_bands_full_only_at_100_percent(numerator, denominator, expected):
    assert leaf("bands", HALF, "2", fraction(numerator, denominator)).value == D(expected)


def test_bands_reason_shows_percentage_and_band():
    assert leaf("bands", CA_MAU, "2", fraction(2, 3)).reason == "tử số 2; mẫu số 3: tỷ lệ 66,67% (<70)"
    assert leaf("bands", CA_MAU, "2", fraction(9, 10)).reason == "tử số 9; mẫu số 10: tỷ lệ 90% (70-90)"
    assert leaf("bands", CA_MAU, "2", fraction(850, 1000)).reason == "tử số 850; mẫu số 1.000: tỷ lệ 85% (70-90)"


def test_bands_percentage_in_a_gap_scores_zero_with_reason():
    points = leaf("bands", ">90:2; <70:0", "2", fraction(8, 10))
    assert points == Points(D(0), D(2), "Không có khoảng điểm nào cho tỷ lệ 80%.")


@pytest.mark.parametrize(
    "params, numerator, denominator, expected",
    [
        ("", 9, 10, "1.8"),
        ("", 2, 3, "1.33"),  # 1.333… rounded half-up when awarded
        ("", 1, 3, "0.67"),
        ("", 10, 10, "2"),
        ("", 0, 10, "0"),
        ("target=80", 8, 10, "2"),  # max reached at the target
        ("target=80", 9, 10, "2"),  # above the target: capped at max
        ("target=80", 4, 10, "1"),
    ],
)
def test_ratio(params, numerator, denominator, expected):
    assert leaf("ratio", params, "2", fraction(numerator, denominator)).value == D(expected)


def test_ratio_rounds_half_up_not_to_even():
    assert leaf("ratio", "", "1", fraction(1, 8)).value == D("0.13")  # 0.125
    assert leaf("ratio", "", "1", fraction(3, 8)).value == D("0.38")  # 0.375
    assert leaf("ratio", "", "1", fraction(1, 200)).value == D("0.01")  # 0.005


@pytest.mark.parametrize("count, expected", [(0, "2"), (1, "1.5"), (3, "0.5"), (4, "0"), (5, "0"), (100, "0")])
def test_deduction_floors_at_zero(count, expected):
    points = leaf("deduction", "per=0.5", "2", {"count": count})
    assert points.value == D(expected)
    assert points.reason == f"trừ 0,5 × {count} lần"


@pytest.mark.parametrize(
    "raw, expected, reason",
    [
        ({"score": "0"}, "0", ""),
        ({"score": "0.75"}, "0.75", ""),
        ({"score": "1"}, "1", ""),
        ({"score": "1.25"}, "0", "Điểm phải từ 0 đến 1, đang nhập 1,25."),
        ({"score": "0.3"}, "0", "Điểm 0,3 không đúng bước chấm 0,25 (ví dụ: 0; 0,25; 0,5...)."),
        ({"score": "-0.25"}, "0", "Điểm phải từ 0 đến 1, đang nhập -0,25."),
        ({"score": "abc"}, "0", "Điểm: 'abc' không phải là số; chỉ dùng chữ số và dấu phẩy thập phân (ví dụ 4,5)."),
    ],
)
def test_manual_score_and_step(raw, expected, reason):
    points = leaf("manual", "step=0.25", "1", raw)
    assert (points.value, points.reason) == (D(expected), reason)


@pytest.mark.parametrize(
    "level, expected", [("Đúng hạn", "1"), ("Trễ hạn", "0.5"), ("trễ hạn", "0.5"), ("Không ban hành", "0")]
)
def test_levels(level, expected):
    points = leaf("levels", LEVELS, "1", {"level": level})
    assert points.value == D(expected)
    assert points.reason.startswith("mức: ")


def test_levels_unknown_label_scores_zero_with_the_error():
    points = leaf("levels", LEVELS, "1", {"level": "Ban hành một phần"})
    assert points.value == 0
    assert points.reason.startswith("Mức 'Ban hành một phần' không có trong danh sách các mức")


def test_survey_points_are_rounded_and_capped():
    nodes = [node("8", "10"), node("8.1", "5", "survey"), node("8.2", "5", "survey")]
    result = score(nodes, survey={"8.1": D("3.456"), "8.2": D("7")})
    assert result.points["8.1"] == Points(D("3.46"), D(5), "kết quả khảo sát")
    assert result.points["8.2"].value == D(5)


def test_survey_without_results_is_flagged_pending_not_silently_zero():
    nodes = [node("8", "10"), node("8.1", "5", "survey"), node("8.2", "5", "survey")]
    result = score(nodes, survey={"8.1": None})
    assert result.points["8.1"] == Points(D(0), D(5), "chưa có kết quả khảo sát", True, True)
    assert result.points["8.2"].pending
    assert result.points["8"].pending
    assert result.pending == ["8.1", "8.2"]


def test_survey_leaf_ignores_typed_input():
    nodes = [node("8", "5"), node("8.1", "5", "survey")]
    result = score(nodes, inputs={"8.1": {"score": "5"}}, survey={"8.1": D("2.5")})
    assert result.points["8.1"].value == D("2.5")


@pytest.mark.parametrize("figure, expected", [(D("5.678"), "5.68"), (D("7"), "6"), (D("-1"), "0"), ("4,5", "4.5")])
def test_imported_figure_capped_to_zero_and_max(figure, expected):
    nodes = [node("3", "6"), node("3.5", "6", "imported")]
    assert score(nodes, imported={"3.5": figure}).points["3.5"].value == D(expected)


def test_imported_falls_back_to_typed_score_then_pending():
    nodes = [node("3", "6"), node("3.5", "6", "imported")]
    assert score(nodes, inputs={"3.5": {"score": "4.5"}}).points["3.5"].value == D("4.5")
    assert score(nodes, imported={"3.5": D("5")}, inputs={"3.5": {"score": "4.5"}}).points["3.5"].value == 5
    pending = score(nodes).points["3.5"]
    assert pending == Points(D(0), D(6), "chưa có số liệu nhập", True, True)


def test_missing_input_scores_zero_not_scored():
    assert leaf("manual", "", "1") == Points(D(0), D(1), NOT_SCORED)
    assert leaf("deduction", "per=0.5", "2", {}) == Points(D(0), D(2), NOT_SCORED)


def test_zero_denominator_scores_zero_with_an_input_error_reason():
    for rule, params in (("ratio", ""), ("bands", CA_MAU)):
        points = leaf(rule, params, "2", fraction(0, 0))
        assert points.value == 0 and points.applicable and not points.pending
        assert points.reason.startswith("Mẫu số bằng 0 nên không tính được tỷ lệ")


def test_malformed_input_never_crashes():
    for raw in ("9/10", ["x"], {"numerator": None, "denominator": 1}, {"numerator": {}, "denominator": 1}):
        points = leaf("ratio", "", "2", raw)
        assert points.value == 0 and points.reason


def test_evidence_required_without_evidence_scores_zero_whatever_was_entered():
    points = leaf("manual", "", "1", {"score": "1"}, evidence_required=True)
    assert points == Points(D(0), D(1), NO_EVIDENCE)
    assert NO_EVIDENCE == "0: không có tài liệu kiểm chứng"
    assert leaf("manual", "", "1", {"score": "1"}, evidence_required=True, evidence={"1.1"}).value == 1
    assert leaf("manual", "", "1", {"score": "1"}, evidence={"1.2"}).value == 1  # not required


def test_bonus_and_penalty_leaves_score_their_input():
    assert leaf("bonus", "step=0.5", "2", {"score": "1.5"}).value == D("1.5")
    assert leaf("penalty", "", "5", {"score": "3"}).value == D("3")


def test_round_points_half_up():
    assert round_points(D("1.335")) == D("1.34")
    assert round_points(D("1.334999")) == D("1.33")
    assert round_points(D(2) * 2 / 3) == D("1.33")
    assert round_points(D("2.5")) == D("2.50")


# --- hand-computed trees ----------------------------------------------------------------------


def two_fields():
    return [
        node("1", "4"),
        node("1.1", "1", "levels", LEVELS),
        node("1.2", "2", "bands", CA_MAU),
        node("1.3", "1", "manual", "step=0.25"),
        node("2", "6"),
        node("2.1", "2", "ratio"),
        node("2.2", "3", "deduction", "per=0.5"),
        node("2.3", "1", "levels", YES_NO),
    ]


TWO_FIELDS_INPUTS = {
    "1.1": {"level": "Trễ hạn"},  # 0.5
    "1.2": fraction(19, 20),  # 95 % → 2
    "1.3": {"score": "1"},  # 1
    "2.1": fraction(3, 4),  # 1.5
    "2.2": {"count": 1},  # 2.5
}


def test_golden_not_applicable_rescales_the_index():
    result = score(two_fields(), inputs=TWO_FIELDS_INPUTS, not_applicable={"2.3"})
    assert result.points["2.3"] == Points(D(0), D(0), "không áp dụng", applicable=False)
    assert result.fields["1"] == Points(D("3.5"), D(4))
    assert result.fields["2"] == Points(D("4"), D(5))
    assert (result.total, result.applicable_max) == (D("7.5"), D(9))
    assert result.index_exact == D(750) / D(9)
    assert result.index == D("83.33")
    assert list(result.fields) == ["1", "2"]
    assert list(result.points) == ["1", "1.1", "1.2", "1.3", "2", "2.1", "2.2", "2.3"]


def test_golden_same_agency_with_the_item_applicable_but_unanswered():
    result = score(two_fields(), inputs=TWO_FIELDS_INPUTS)
    assert (result.total, result.applicable_max, result.index) == (D("7.5"), D(10), D("75.00"))


def test_golden_not_applicable_branch_leaves_the_maximum():
    result = score(two_fields(), inputs=TWO_FIELDS_INPUTS, not_applicable={"2"})
    assert all(not result.points[c].applicable for c in ("2", "2.1", "2.2", "2.3"))
    assert result.points["2.1"].value == 0  # its input is ignored
    assert (result.total, result.applicable_max, result.index) == (D("3.5"), D(4), D("87.50"))


def test_branch_whose_children_are_all_not_applicable_is_not_applicable():
    result = score(two_fields(), inputs=TWO_FIELDS_INPUTS, not_applicable={"2.1", "2.2", "2.3"})
    assert result.fields["2"].applicable is False and result.fields["2"].max == 0
    assert result.applicable_max == D(4)


def test_everything_not_applicable_gives_no_index():
    result = score(two_fields(), inputs=TWO_FIELDS_INPUTS, not_applicable={"1", "2"})
    assert (result.total, result.applicable_max, result.index, result.index_exact) == (0, 0, None, None)


def test_two_thirds_of_two_is_1_33_and_sums_stay_exact():
    nodes = [node("1", "6")] + [node(f"1.{i}", "2", "ratio") for i in (1, 2, 3)]
    result = score(nodes, inputs={f"1.{i}": fraction(2, 3) for i in (1, 2, 3)})
    assert [result.points[f"1.{i}"].value for i in (1, 2, 3)] == [D("1.33")] * 3
    assert result.total == D("3.99")  # the sum of the rounded leaves, not 4
    assert result.index == D("66.50")


def test_index_is_rounded_half_up():
    nodes = [node("1", "8"), node("1.1", "8", "manual")]
    assert score(nodes, inputs={"1.1": {"score": "0.01"}}).index == D("0.13")  # 0.125
    nodes = [node("1", "3"), node("1.1", "3", "manual")]
    result = score(nodes, inputs={"1.1": {"score": "2"}})
    assert result.index == D("66.67")
    assert result.index_exact == D(200) / D(3)


def test_capped_branch_sums_children_up_to_its_max():
    nodes = [node("7", "2", capped=True), node("7.1", "1.5", "manual"), node("7.2", "1.5", "manual")]
    result = score(nodes, inputs={"7.1": {"score": "1.5"}, "7.2": {"score": "1.5"}})
    assert result.points["7"] == Points(D(2), D(2), "tổng 3 vượt tối đa, tính 2")
    assert result.total == D(2) and result.index == D("100.00")
    result = score(nodes, inputs={"7.1": {"score": "1.5"}, "7.2": {"score": "0.25"}})
    assert result.points["7"] == Points(D("1.75"), D(2))


def test_capped_branch_maximum_shrinks_only_when_the_cap_becomes_unreachable():
    nodes = [node("7", "10", capped=True)] + [node(f"7.{i}", "6", "manual") for i in (1, 2, 3)]
    inputs = {"7.1": {"score": "6"}, "7.2": {"score": "3"}}
    assert score(nodes, inputs=inputs).points["7"] == Points(D(9), D(10))
    one = score(nodes, inputs=inputs, not_applicable={"7.3"})
    assert one.points["7"] == Points(D(9), D(10))
    assert one.index == D("90.00")
    two = score(nodes, inputs=inputs, not_applicable={"7.2", "7.3"})
    assert two.points["7"] == Points(D(6), D(6))
    assert two.index == D("100.00")


def bonus_penalty_tree():
    return [
        node("1", "6"),
        *[node(f"1.{i}", "2", "ratio") for i in (1, 2, 3)],
        node("2", "4"),
        node("2.1", "2", "survey"),
        node("2.2", "2", "survey"),
        node("3", "2", capped=True),
        node("3.1", "1.5", "manual"),
        node("3.2", "1.5", "manual"),
        node("3.3", "1", "manual", evidence_required=True),
        node("4", "2"),
        node("4.1", "2", "bonus"),
        node("4.2", "1", "bonus"),
        node("4.3", "5", "penalty"),
    ]


BONUS_PENALTY_INPUTS = {
    **{f"1.{i}": fraction(2, 3) for i in (1, 2, 3)},  # 1.33 × 3 = 3.99
    "3.1": {"score": "1.5"},
    "3.2": {"score": "1.5"},
    "3.3": {"score": "1"},  # no evidence: 0
    "4.1": {"score": "1.5"},
    "4.2": {"score": "1"},
    "4.3": {"score": "3"},
}


def test_golden_bonus_penalty_caps_evidence_and_pending_survey():
    result = score(
        bonus_penalty_tree(), inputs=BONUS_PENALTY_INPUTS, survey={"2.1": D("1.5")},
        bonus_cap=D(2), penalty_cap=D(1),
    )
    assert result.fields["1"] == Points(D("3.99"), D(6))
    assert result.fields["2"] == Points(D("1.5"), D(4), pending=True)
    assert result.points["3.3"] == Points(D(0), D(1), NO_EVIDENCE)
    assert result.fields["3"].value == D(2)  # 1.5 + 1.5 + 0 capped at 2
    assert result.fields["4"] == Points(D("-0.5"), D(2), "thưởng 2,5, trừ 3")  # the net, shown as is
    assert (result.base_total, result.applicable_max) == (D("7.49"), D(12))
    assert (result.bonus, result.penalty) == (D(2), D(1))  # 2.5 capped at 2, 3 capped at 1
    assert result.total == D("8.49")
    assert result.index == D("70.75")
    assert result.pending == ["2.2"]


def test_golden_bonus_penalty_without_caps():
    result = score(bonus_penalty_tree(), inputs=BONUS_PENALTY_INPUTS, survey={"2.1": D("1.5")})
    assert (result.bonus, result.penalty, result.total) == (D("2.5"), D(3), D("6.99"))


def test_bonus_only_branch_is_capped_at_its_own_max_before_the_campaign_cap():
    nodes = [
        node("1", "2"), node("1.1", "2", "manual"),
        node("9", "1"), node("9.1", "1", "bonus"), node("9.2", "1", "bonus"),
    ]
    inputs = {"1.1": {"score": "1"}, "9.1": {"score": "1"}, "9.2": {"score": "1"}}
    result = score(nodes, inputs=inputs)
    assert result.points["9"].value == D(1)
    assert (result.bonus, result.total, result.applicable_max) == (D(1), D(2), D(2))


def test_bonus_leaf_inside_a_field_is_outside_the_field_and_the_max():
    nodes = [node("1", "2"), node("1.1", "2", "manual"), node("1.2", "1", "bonus")]
    result = score(nodes, inputs={"1.1": {"score": "2"}, "1.2": {"score": "1"}})
    assert result.fields["1"] == Points(D(2), D(2))
    assert (result.applicable_max, result.bonus, result.total) == (D(2), D(1), D(3))
    assert result.index == D("150.00")  # the index is not capped at 100: a bonus still counts
    assert validate_tree(nodes) == []


def test_total_is_floored_at_zero():
    nodes = [node("1", "2"), node("1.1", "2", "manual"), node("9", "10"), node("9.1", "10", "penalty")]
    result = score(nodes, inputs={"1.1": {"score": "1"}, "9.1": {"score": "8"}})
    assert (result.base_total, result.penalty, result.total, result.index) == (D(1), D(8), D(0), D("0.00"))


def test_not_applicable_bonus_is_not_counted():
    nodes = [node("1", "2"), node("1.1", "2", "manual"), node("9", "1"), node("9.1", "1", "bonus")]
    result = score(nodes, inputs={"1.1": {"score": "1"}, "9.1": {"score": "1"}}, not_applicable={"9"})
    assert (result.bonus, result.total) == (D(0), D(1))


def test_score_refuses_a_tree_it_cannot_read():
    with pytest.raises(TreeError) as caught:
        score([node("1", "1", "manual"), node("1", "1", "manual"), node("2.1", "1", "manual")])
    assert [p.code for p in caught.value.problems] == ["1", "2.1"]


# --- validate_tree ----------------------------------------------------------------------------


def realistic_tree():
    """Fields 1 and 8 of DOMAIN.md's department set, and a bonus/penalty block."""
    return [
        node("1", "10"),
        node("1.1", "5"),
        node("1.1.1", "1", "levels", LEVELS, evidence_required=True),
        node("1.1.2", "1", "levels", YES_NO),
        node("1.1.3", "1", "levels", YES_NO),
        node("1.1.4", "2", "bands", CA_MAU),
        node("1.2", "2"),
        node("1.2.1", "1", "levels", YES_NO),
        node("1.2.2", "1", "manual", "step=0.25"),
        node("1.3", "3", "bands", ">=90:3; 50-<90:1.5; <50:0"),
        node("8", "30"),
        *[node(f"8.{i}", "5", "survey") for i in range(1, 7)],
        node("9", "2"),
        node("9.1", "2", "bonus", "step=0.25", evidence_required=True),
        node("10", "5"),
        node("10.1", "5", "penalty", "step=0.5", evidence_required=True),
        node("10.2", "1", "penalty"),
    ]


def test_realistic_tree_is_valid():
    assert validate_tree(realistic_tree()) == []


def test_validate_tree_reports_every_problem_at_once():
    nodes = [
        node("1", "5"),  # children add up to 4
        node("1.1", "1", "levels", YES_NO),
        node("1.2", "3", "levels", "Có=4; có=0"),  # points above max, duplicate label
        node("1.2", "1", "manual"),  # duplicate code
        Node("1.3", "Tiêu chí", D("-1"), "manual", {}),  # negative max
        node("1.4", "1.005", "manual"),  # 3 decimals
        node("2", "2", "manual"),  # a branch with a leaf rule
        node("2.1", "2", "bands", ">90:2; <70:0"),  # gap
        node("2.1.1.1", "1", "manual"),  # orphan: 2.1.1 missing
        node("3", "1"),  # a leaf with rule sum
        node("4", "2", capped=True),  # capped but children cannot reach 2
        node("4.1", "1", "manual", "step=0.3"),  # step does not divide max
        Node("4.x", "Sai mã", D(1), "manual", {}),  # malformed
        node("5", "1"),
        node("5.1", "1"),
        node("5.1.1", "1"),
        node("5.1.1.1", "1"),
        node("5.1.1.1.1", "1", "manual"),  # 5 levels
        node("6", "1", "ratio", "", capped=True),  # capped leaf
    ]
    problems = validate_tree(nodes)
    by_code = {}
    for problem in problems:
        by_code.setdefault(problem.code, []).append(problem.message)
    assert by_code == {
        "4.x": ["Mã '4.x' không hợp lệ; dùng các số cách nhau bằng dấu chấm, ví dụ 1, 1.2, 1.2.3."],
        "1": ["Tổng điểm tối đa các tiêu chí con (4,005) khác điểm tối đa (5); "
              "sửa điểm hoặc đánh dấu giới hạn (capped) nếu cố ý."],
        "1.2": ["Mã '1.2' bị lặp.", "Mức 'Có': điểm 4 vượt điểm tối đa 3.", "Mức 'có' bị lặp."],
        "1.3": ["Điểm tối đa -1 không được âm."],
        "1.4": ["Điểm tối đa 1,005 có quá 2 chữ số thập phân.",
                "Bước điểm 0,01 không chia hết điểm tối đa 1,005."],
        "2": ["Tiêu chí có tiêu chí con phải dùng quy tắc 'sum', đang là 'manual'."],
        "2.1": ["Các khoảng chưa phủ hết tỷ lệ từ 0% đến 100%, còn thiếu: 70-90."],
        "2.1.1.1": ["Không có tiêu chí cha '2.1.1' của tiêu chí '2.1.1.1'."],
        "3": ["Tiêu chí không có tiêu chí con thì không dùng quy tắc 'sum'; chọn quy tắc chấm."],
        "4": ["Tổng điểm tối đa các tiêu chí con (1) nhỏ hơn điểm tối đa (2): không thể đạt điểm tối đa."],
        "4.1": ["Bước điểm 0,3 không chia hết điểm tối đa 1."],
        "5.1.1.1.1": ["Mã '5.1.1.1.1' có 5 cấp; tối đa 4 cấp."],
        "6": ["Chỉ tiêu chí có tiêu chí con mới được đánh dấu giới hạn (capped)."],
    }
    assert all(isinstance(p, Problem) for p in problems)
    assert str(problems[0]) == "4.x: Mã '4.x' không hợp lệ; dùng các số cách nhau bằng dấu chấm, ví dụ 1, 1.2, 1.2.3."


def test_validate_tree_excludes_bonus_and_penalty_from_the_sums():
    nodes = [node("1", "2"), node("1.1", "2", "manual"), node("1.2", "5", "penalty")]
    assert validate_tree(nodes) == []
    nodes[0] = node("1", "7")
    assert [p.message for p in validate_tree(nodes)] == [
        "Tổng điểm tối đa các tiêu chí con (2) khác điểm tối đa (7); sửa điểm hoặc đánh dấu giới hạn (capped) nếu cố ý."
    ]


@pytest.mark.parametrize("code", ["0", "01", "1.", ".1", "1..2", "1.0", "A", "1.a", "", "1 .2"])
def test_malformed_codes(code):
    assert [p.message for p in validate_tree([Node(code, "x", D(1), "manual", {})])] == [
        f"Mã '{code}' không hợp lệ; dùng các số cách nhau bằng dấu chấm, ví dụ 1, 1.2, 1.2.3."
    ]


def test_codes_sort_naturally():
    nodes = [node("1", "12")] + [node(f"1.{i}", "1", "manual") for i in (10, 2, 11, 1, 3, 4, 5, 6, 7, 8, 9, 12)]
    assert list(score(nodes).points) == ["1"] + [f"1.{i}" for i in range(1, 13)]


def test_node_refuses_floats_and_reads_strings():
    with pytest.raises(TypeError):
        Node("1", "x", 1.5, "manual", {})
    assert Node("1", "x", "1.5", "manual", None).max_points == D("1.5")
    assert Node("1", "x", "1.5", "manual", None).params == {}


# --- properties -------------------------------------------------------------------------------

QUARTER = D("0.25")
LEAF_RULES = ["manual", "levels", "bands", "ratio", "deduction", "survey", "imported"]


def quarters(low, high):
    return st.integers(low, high).map(lambda n: n * QUARTER)


@st.composite
def scored_leaves(draw, code):
    """A valid leaf and what an agency might feed it: good, missing or bad input."""
    rule = draw(st.sampled_from(LEAF_RULES))
    max_points = draw(quarters(1, 20))
    half = decimal_str(round_points(max_points / 2))
    params = {
        "manual": f"step={QUARTER}",
        "levels": f"Tốt={max_points}; Đạt={half}; Không đạt=0",
        "bands": f">90:{max_points}; 70-90:{half}; <70:0",
        "ratio": draw(st.sampled_from(["", "target=80"])),
        "deduction": "per=0.5",
        "survey": "",
        "imported": "",
    }[rule]
    leaf_node = node(code, decimal_str(max_points), rule, params, evidence_required=draw(st.booleans()))
    feed = {"evidence": draw(st.booleans())}
    if rule == "manual":
        feed["input"] = draw(st.none() | quarters(0, int(max_points * 4)).map(lambda q: {"score": str(q)})
                             | st.just({"score": "x"}))
    elif rule == "levels":
        feed["input"] = draw(st.none() | st.sampled_from(["Tốt", "Đạt", "Không đạt", "Khác"]).map(
            lambda label: {"level": label}))
    elif rule in ("bands", "ratio"):
        denominator = draw(st.integers(0, 40))
        numerator = draw(st.integers(0, max(denominator, 1)))
        feed["input"] = draw(st.none() | st.just(fraction(numerator, denominator)))
    elif rule == "deduction":
        feed["input"] = draw(st.none() | st.integers(0, 12).map(lambda n: {"count": n}))
    elif rule == "survey":
        feed["survey"] = draw(st.none() | st.decimals(min_value=-1, max_value=max_points + 1, places=3))
    else:
        feed["imported"] = draw(st.none() | st.decimals(min_value=-1, max_value=max_points + 1, places=3))
        feed["input"] = draw(st.none() | quarters(0, int(max_points * 4)).map(lambda q: {"score": str(q)}))
    return leaf_node, feed


@st.composite
def agencies(draw):
    """A valid tree (fields → criteria → optional sub-criteria, bonus/penalty) and one agency's data."""
    nodes, feeds = [], {}
    fields = draw(st.integers(1, 3))
    for f in range(1, fields + 1):
        children = []
        for c in range(1, draw(st.integers(1, 3)) + 1):
            code = f"{f}.{c}"
            if draw(st.booleans()):
                subs = [draw(scored_leaves(f"{code}.{s}")) for s in range(1, draw(st.integers(1, 3)) + 1)]
                total = sum(sub.max_points for sub, _ in subs)
                capped = draw(st.booleans()) and total > QUARTER
                own = draw(quarters(1, int(total * 4))) if capped else total
                children.append(node(code, decimal_str(own), capped=capped and own < total))
                for sub, feed in subs:
                    nodes.append(sub)
                    feeds[sub.code] = feed
            else:
                child, feed = draw(scored_leaves(code))
                children.append(child)
                feeds[code] = feed
        nodes.append(node(str(f), decimal_str(sum(c.max_points for c in children if c.code.count(".") == 1))))
        nodes += children
    if draw(st.booleans()):
        b = fields + 1
        nodes.append(node(str(b), "2"))
        for i, rule in enumerate(draw(st.lists(st.sampled_from(["bonus", "penalty"]), min_size=1, max_size=3)), 1):
            nodes.append(node(f"{b}.{i}", "2", rule))
            feeds[f"{b}.{i}"] = {"input": draw(st.none() | quarters(0, 8).map(lambda q: {"score": str(q)}))}
    inputs = {code: f["input"] for code, f in feeds.items() if f.get("input") is not None}
    return {
        "nodes": nodes,
        "inputs": inputs,
        "evidence": {code for code, f in feeds.items() if f.get("evidence")},
        "survey": {code: f["survey"] for code, f in feeds.items() if "survey" in f},
        "imported": {code: f["imported"] for code, f in feeds.items() if "imported" in f},
    }


CAPS = st.none() | quarters(0, 12)


@SETTINGS
@given(agencies(), CAPS, CAPS, st.data())
def test_total_never_exceeds_applicable_max_plus_bonus_cap(agency, bonus_cap, penalty_cap, data):
    assert validate_tree(agency["nodes"]) == []
    codes = [n.code for n in agency["nodes"]]
    outside = {c for n in agency["nodes"] if n.rule in ("bonus", "penalty") for c in (n.code, n.code.split(".")[0])}
    not_applicable = data.draw(st.sets(st.sampled_from(codes), max_size=3))
    result = score(**agency, not_applicable=not_applicable, bonus_cap=bonus_cap, penalty_cap=penalty_cap)
    assert 0 <= result.total <= result.applicable_max + (result.bonus if bonus_cap is None else bonus_cap)
    assert result.base_total <= result.applicable_max
    assert 0 <= result.bonus <= (result.bonus if bonus_cap is None else bonus_cap)
    for n in agency["nodes"]:
        p = result.points[n.code]
        assert p.value == round_points(p.value)  # two decimals everywhere
        if p.applicable and n.code not in outside:
            assert 0 <= p.value <= p.max <= n.max_points
    if result.applicable_max:
        assert result.index == round_points(result.total * 100 / result.applicable_max)
    else:
        assert result.index is None


@SETTINGS
@given(agencies(), CAPS, CAPS, st.data())
def test_not_applicable_never_lowers_the_index_against_scoring_zero(agency, bonus_cap, penalty_cap, data):
    """For an item that does not apply to an agency, N/A gives an index ≥ the item applicable and unanswered."""
    code = data.draw(st.sampled_from([n.code for n in agency["nodes"]]))

    def outside(c):
        return c != code and not c.startswith(code + ".")

    unanswered = dict(
        agency,
        inputs={c: v for c, v in agency["inputs"].items() if outside(c)},
        survey={c: v for c, v in agency["survey"].items() if outside(c)},
        imported={c: v for c, v in agency["imported"].items() if outside(c)},
    )
    zero = score(**unanswered, bonus_cap=bonus_cap, penalty_cap=penalty_cap)
    na = score(**agency, not_applicable={code}, bonus_cap=bonus_cap, penalty_cap=penalty_cap)
    assert na.total == zero.total  # every branch keeps its points...
    assert na.applicable_max <= zero.applicable_max  # ...and only maxima shrink
    assume(na.index is not None)
    assert na.index_exact >= zero.index_exact
    assert na.index >= zero.index


def one(rule, params, max_points, raw):
    return leaf(rule, params, max_points, raw).value


@SETTINGS
@given(quarters(1, 20), st.data())
def test_more_input_never_lowers_manual_levels_and_imported(max_points, data):
    low, high = sorted(data.draw(st.lists(quarters(0, int(max_points * 4)), min_size=2, max_size=2)))
    assert one("manual", "step=0.25", max_points, {"score": str(low)}) <= one(
        "manual", "step=0.25", max_points, {"score": str(high)})
    assert one("imported", "", max_points, {"score": str(low)}) <= one(
        "imported", "", max_points, {"score": str(high)})
    levels = f"A={high}; B={low}; C=0"
    assert one("levels", levels, max_points, {"level": "C"}) <= one("levels", levels, max_points, {"level": "B"})
    assert one("levels", levels, max_points, {"level": "B"}) <= one("levels", levels, max_points, {"level": "A"})


@SETTINGS
@given(
    st.sampled_from([CA_MAU, HALF, ">=90:2; >80-<90:1.5; 50-80:0.5; <50:0"]),
    st.sampled_from(["", "target=80", "target=100", "target=33.3"]),
    st.integers(1, 500),
    st.data(),
)
def test_higher_percentage_never_lowers_bands_or_ratio(bands, ratio, denominator, data):
    low, high = sorted(data.draw(st.lists(st.integers(0, denominator), min_size=2, max_size=2)))
    assert one("bands", bands, "2", fraction(low, denominator)) <= one("bands", bands, "2", fraction(high, denominator))
    assert one("ratio", ratio, "2", fraction(low, denominator)) <= one("ratio", ratio, "2", fraction(high, denominator))


@SETTINGS
@given(quarters(1, 20), st.sampled_from(["per=0.25", "per=0.5", "per=1", "per=3"]), st.integers(0, 30),
       st.integers(0, 30))
def test_more_violations_never_raise_deduction_points(max_points, per, a, b):
    low, high = sorted((a, b))
    assert one("deduction", per, max_points, {"count": low}) >= one("deduction", per, max_points, {"count": high})


@SETTINGS
@given(agencies(), st.data())
def test_raising_one_leaf_never_lowers_any_branch_or_the_total(agency, data):
    manual = [n for n in agency["nodes"] if n.rule == "manual"]
    assume(manual)
    target = data.draw(st.sampled_from(manual))
    low, high = sorted(data.draw(st.lists(quarters(0, int(target.max_points * 4)), min_size=2, max_size=2)))
    before = score(**dict(agency, inputs={**agency["inputs"], target.code: {"score": str(low)}}))
    after = score(**dict(agency, inputs={**agency["inputs"], target.code: {"score": str(high)}}))
    assert after.total >= before.total
    for code, p in before.points.items():
        if target.code.startswith(code + ".") or code == target.code:
            assert after.points[code].value >= p.value


# ---------------------------------------------------------------- over 100 % (issue #13, point 4)


@pytest.mark.parametrize("rule, params", [("bands", HALF), ("bands", CA_MAU), ("ratio", ""), ("ratio", "target=80")])
def test_numerator_above_denominator_scores_the_max_by_default(rule, params):
    points = leaf(rule, params, "2", fraction(10, 8))  # 10 inspections done of 8 planned
    assert points.value == D(2)
    assert "tử số 10; mẫu số 8" in points.reason and "vượt 100% nên tính 100%" in points.reason


def test_numerator_above_denominator_keeps_the_percentage_in_the_reason():
    points = leaf("bands", HALF, "2", fraction(10, 8))
    assert points.reason == "tử số 10; mẫu số 8: tỷ lệ 125%, vượt 100% nên tính 100% (=100)"


@pytest.mark.parametrize("rule, params", [("bands", HALF + "; over=refuse"), ("ratio", "over=refuse")])
def test_numerator_above_denominator_refused_when_the_criterion_says_so(rule, params):
    points = leaf(rule, params, "2", fraction(10, 8))
    assert points.value == D(0)
    assert points.reason == (
        "Tử số (10) không được lớn hơn mẫu số (8): tỷ lệ của tiêu chí này không được vượt quá 100%."
    )
    assert leaf(rule, params, "2", fraction(8, 8)).value == D(2)


def test_reasons_write_numbers_the_vietnamese_way():
    assert leaf("deduction", "per=0.25", "2", {"count": 3}).reason == "trừ 0,25 × 3 lần"
    assert leaf("ratio", "", "2", fraction(850, 1000)).reason == "tử số 850; mẫu số 1.000"
    assert leaf("ratio", "", "2", fraction("97.5", 100)).reason == "tử số 97,5; mẫu số 100"
