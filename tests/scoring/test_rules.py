"""Rule parameters: text form, canonical round trip, validation, and agencies' input."""

import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.rules.inputs import clean_input
from scoring.rules.kinds import RULES, Band, InputError, RuleParamsError, canonical_label, decimal_str
from scoring.rules.text import format_params, parse_params
from scoring.rules.validation import validate_params

SETTINGS = settings(database=None, deadline=None)  # no .hypothesis/ directory in the project


def D(text):
    return Decimal(text)


def band(low, low_inc, high, high_inc, points):
    return {"min": low, "min_inclusive": low_inc, "max": high, "max_inclusive": high_inc, "points": points}


CA_MAU = parse_params("bands", ">90:2; 70-90:1; <70:0")
LEVELS = parse_params("levels", "Đúng hạn=1; Trễ hạn=0.5; Không ban hành=0")


# --- rule kinds -------------------------------------------------------------------------------


def test_rule_kinds():
    assert set(RULES) == {
        "manual", "levels", "bands", "ratio", "deduction", "survey", "imported", "bonus", "penalty", "sum",
    }


# --- parsing the text form --------------------------------------------------------------------


def test_parse_bands_ca_mau_example():
    assert CA_MAU == {"bands": [
        band("90", False, None, True, "2"),
        band("70", True, "90", True, "1"),
        band(None, True, "70", False, "0"),
    ]}


@pytest.mark.parametrize(
    "text, expected",
    [
        (">90", band("90", False, None, True, "1")),
        (">=90", band("90", True, None, True, "1")),
        ("<70", band(None, True, "70", False, "1")),
        ("<=70", band(None, True, "70", True, "1")),
        ("=100", band("100", True, "100", True, "1")),
        ("100", band("100", True, "100", True, "1")),
        ("70-90", band("70", True, "90", True, "1")),
        ("80-<100", band("80", True, "100", False, "1")),
        (">80-100", band("80", False, "100", True, "1")),
        (">80-<100", band("80", False, "100", False, "1")),
        (">=80-<=100", band("80", True, "100", True, "1")),
        ("≥ 80 % – < 100 %", band("80", True, "100", False, "1")),
        ("≤70", band(None, True, "70", True, "1")),
        ("70,5-90,25", band("70.5", True, "90.25", True, "1")),
        ("70.50-090", band("70.5", True, "90", True, "1")),
    ],
)
def test_parse_band_ranges(text, expected):
    assert parse_params("bands", f"{text}:1") == {"bands": [expected]}


def test_parse_bands_domain_example_and_line_breaks():
    params = parse_params("bands", "=100:2\n80-<100:1\r\n<80:0;")
    assert params == {"bands": [
        band("100", True, "100", True, "2"),
        band("80", True, "100", False, "1"),
        band(None, True, "80", False, "0"),
    ]}


def test_parse_levels_with_decimal_comma():
    assert LEVELS == {"levels": [
        {"label": "Đúng hạn", "points": "1"},
        {"label": "Trễ hạn", "points": "0.5"},
        {"label": "Không ban hành", "points": "0"},
    ]}
    assert parse_params("levels", " Đúng hạn = 1 ;Trễ   hạn=0,5;Không ban hành=0 ") == LEVELS


def test_parse_levels_normalises_unicode_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Đúng hạn=1; Trễ hạn=0.5; Không ban hành=0")
    assert decomposed != "Đúng hạn=1; Trễ hạn=0.5; Không ban hành=0"
    assert parse_params("levels", decomposed) == LEVELS


@pytest.mark.parametrize(
    "rule, text, expected",
    [
        ("manual", "step=0.25", {"step": "0.25"}),
        ("manual", "Step = 0,50", {"step": "0.5"}),
        ("manual", "", {}),
        ("bonus", "step=0.5", {"step": "0.5"}),
        ("penalty", "step=1", {"step": "1"}),
        ("imported", None, {}),
        ("ratio", "target=100", {"target": "100"}),
        ("ratio", "target=80.0", {"target": "80"}),
        ("ratio", "  ", {}),
        ("deduction", "per=0,5", {"per": "0.5"}),
        ("deduction", "per=1.00", {"per": "1"}),
        ("survey", "", {}),
        ("sum", "", {}),
    ],
)
def test_parse_key_value_and_empty_rules(rule, text, expected):
    assert parse_params(rule, text) == expected


@pytest.mark.parametrize(
    "rule, text, fragment",
    [
        ("thang_diem", "", "Quy tắc chấm 'thang_diem' không hợp lệ"),
        ("bands", "", "cần ít nhất một khoảng"),
        ("bands", "abc:1", "Khoảng 'abc' không hợp lệ"),
        ("bands", ">90=2", "phải có dạng 'khoảng:điểm'"),
        ("bands", "90-:1", "không hợp lệ"),
        ("bands", "<70-90:1", "không hợp lệ"),
        ("bands", ">90:hai", "không phải là số hợp lệ"),
        ("levels", "", "cần ít nhất một mức"),
        ("levels", "Đúng hạn", "thiếu điểm"),
        ("levels", "=1", "thiếu tên mức"),
        ("levels", "Đúng hạn=1, Trễ hạn=0.5", "các mức phải cách nhau bằng dấu ';'"),
        ("levels", "Đúng hạn=một", "không phải là số hợp lệ"),
        ("manual", "0.25", "phải có dạng 'tên=giá trị'"),
        ("manual", "step=0.25; step=0.5", "bị lặp"),
        ("manual", "per=0.5", "không dùng cho quy tắc 'manual'"),
        ("manual", "step=1.2.3", "không phải là số hợp lệ"),
        ("deduction", "", "cần số điểm trừ mỗi lần"),
        ("ratio", "100", "phải có dạng 'tên=giá trị'"),
        ("survey", "x=1", "không có tham số"),
        ("sum", "step=1", "không có tham số"),
    ],
)
def test_parse_errors_are_clear_vietnamese(rule, text, fragment):
    with pytest.raises(RuleParamsError) as caught:
        parse_params(rule, text)
    assert fragment in caught.value.message
    assert str(caught.value) == caught.value.message


# --- formatting and the canonical round trip --------------------------------------------------


@pytest.mark.parametrize(
    "rule, text",
    [
        ("bands", ">90:2; 70-90:1; <70:0"),
        ("bands", "=100:2; 80-<100:1; <80:0"),
        ("bands", ">=90:2; >80-<90:1.5; <=80:0"),
        ("levels", "Đúng hạn=1; Trễ hạn=0.5; Không ban hành=0"),
        ("deduction", "per=0.5"),
        ("manual", "step=0.25"),
        ("ratio", "target=100"),
        ("ratio", ""),
        ("survey", ""),
        ("sum", ""),
    ],
)
def test_canonical_text_formats_back_unchanged(rule, text):
    assert format_params(rule, parse_params(rule, text)) == text


def test_format_writes_canonical_numbers_and_ranges():
    assert format_params("bands", parse_params("bands", "≥ 90,0 %:2,00 ;70 - <=90:1")) == ">=90:2; 70-90:1"
    assert format_params("deduction", {"per": "0.50"}) == "per=0.5"
    assert format_params("manual", {"step": Decimal("0.250")}) == "step=0.25"
    assert format_params("levels", {"levels": [{"label": "Có", "points": 1}]}) == "Có=1"


def test_format_band_unbounded_on_both_sides_as_from_zero():
    params = {"bands": [band(None, True, None, True, "1")]}
    assert format_params("bands", params) == ">=0:1"


def test_format_rejects_keys_of_another_rule():
    with pytest.raises(RuleParamsError, match="Tham số không dùng cho quy tắc 'ratio'"):
        format_params("ratio", {"per": "0.5"})


NUMBERS = st.decimals(min_value=0, max_value=1000, places=2).map(decimal_str)
BOUNDS = st.decimals(min_value=0, max_value=200, places=3).map(decimal_str)
LABEL_ALPHABET = list("aAbzĐđĂăÂâÊêÔôƠơƯưáàảãạếềểễệóòỏõọúùủũụíìỉĩịýỳ0123456789 -_:/()%.,'\"\t") + [
    "\u0301", "\u0323", "\u00a0", "\u2028",  # combining marks and odd blanks: NFC and collapsing apply
]
LABELS = st.text(alphabet=LABEL_ALPHABET, min_size=1, max_size=25).map(canonical_label).filter(bool)


@st.composite
def band_dicts(draw):
    low = draw(st.none() | BOUNDS)
    high = draw(BOUNDS) if low is None else draw(st.none() | BOUNDS)
    return band(
        low, True if low is None else draw(st.booleans()),
        high, True if high is None else draw(st.booleans()),
        draw(NUMBERS),
    )


CANONICAL_PARAMS = st.one_of(
    st.tuples(
        st.sampled_from(["manual", "bonus", "penalty", "imported"]),
        st.just({}) | st.fixed_dictionaries({"step": NUMBERS}),
    ),
    st.tuples(st.just("ratio"), st.just({}) | st.fixed_dictionaries({"target": NUMBERS})),
    st.tuples(st.just("deduction"), st.fixed_dictionaries({"per": NUMBERS})),
    st.tuples(st.sampled_from(["survey", "sum"]), st.just({})),
    st.tuples(
        st.just("levels"),
        st.fixed_dictionaries({"levels": st.lists(
            st.fixed_dictionaries({"label": LABELS, "points": NUMBERS}), min_size=1, max_size=6,
        )}),
    ),
    st.tuples(st.just("bands"), st.fixed_dictionaries({"bands": st.lists(band_dicts(), min_size=1, max_size=6)})),
)


@SETTINGS
@given(CANONICAL_PARAMS)
def test_parse_inverts_format_for_canonical_params(rule_and_params):
    rule, params = rule_and_params
    text = format_params(rule, params)
    assert parse_params(rule, text) == params
    assert format_params(rule, parse_params(rule, text)) == text


@SETTINGS
@given(st.text(alphabet=list(";:=<>-–≥≤%,. 0123456789abĐđ\n"), max_size=30), st.sampled_from(sorted(RULES)))
def test_any_text_parses_to_a_fixed_point_or_fails_with_a_message(text, rule):
    try:
        params = parse_params(rule, text)
    except RuleParamsError as error:
        assert error.message
        return
    assert parse_params(rule, format_params(rule, params)) == params


# --- validating params ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule, text, max_points",
    [
        ("bands", ">90:2; 70-90:1; <70:0", "2"),
        ("bands", "=100:2; 80-<100:1; <80:0", "2"),
        ("bands", ">=50:1; <50:0", "1"),
        ("bands", "0-100:3", "3"),
        ("bands", "<=100:3; >100:3", "3"),
        ("bands", "=50:1; >50:2; <50:0", "2"),  # touching at 50, which only =50 holds
        ("levels", "Đúng hạn=1; Trễ hạn=0.5; Không ban hành=0", "1"),
        ("manual", "step=0.25", "1.5"),
        ("manual", "", "1.57"),
        ("bonus", "step=0.5", "2"),
        ("ratio", "", "2"),
        ("ratio", "target=80", "2"),
        ("deduction", "per=0.5", "3"),
        ("survey", "", "5"),
        ("sum", "", "10"),
    ],
)
def test_valid_params_have_no_problems(rule, text, max_points):
    assert validate_params(rule, parse_params(rule, text), D(max_points)) == []


def test_bands_gap_is_reported_with_the_missing_range():
    problems = validate_params("bands", parse_params("bands", ">90:2; <70:0"), D("2"))
    assert problems == ["Các khoảng chưa phủ hết tỷ lệ từ 0% đến 100%, còn thiếu: 70-90."]


@pytest.mark.parametrize(
    "text, missing",
    [
        (">90:2; >70-<90:1; <70:0", "=70; =90"),  # exactly 70 and exactly 90 fall through
        (">90:2; 70-<90:1; <70:0", "=90"),
        ("80-<100:1; <80:0", "=100"),
        (">0:1", "=0"),
        ("10-20:1", "0-<10; >20-100"),
    ],
)
def test_bands_gaps_at_single_points_and_ends(text, missing):
    problems = validate_params("bands", parse_params("bands", text), D("2"))
    assert problems == [f"Các khoảng chưa phủ hết tỷ lệ từ 0% đến 100%, còn thiếu: {missing}."]


@pytest.mark.parametrize(
    "text, first, second",
    [
        (">=90:2; 70-90:1; <70:0", ">=90", "70-90"),  # both hold 90
        (">90:2; 70-90:1; <=70:0", "70-90", "<=70"),
        (">90:2; 60-95:1; <60:0", ">90", "60-95"),
        ("=100:2; 80-100:1; <80:0", "=100", "80-100"),
        ("<=100:1; >=100:2", "<=100", ">=100"),
    ],
)
def test_bands_overlaps_are_reported(text, first, second):
    problems = validate_params("bands", parse_params("bands", text), D("2"))
    assert problems == [f"Các khoảng '{first}' và '{second}' chồng lên nhau."]


def test_bands_touching_with_one_end_open_do_not_overlap():
    assert validate_params("bands", parse_params("bands", ">=90:2; 70-<90:1; <70:0"), D("2")) == []


def test_bands_several_problems_at_once():
    params = parse_params("bands", ">90:3; 95-80:1; 60-70:-1; 65-70:0,005")
    problems = validate_params("bands", params, D("2"))
    assert "Khoảng '>90': điểm 3 vượt điểm tối đa 2." in problems
    assert "Khoảng '95-80' rỗng: cận dưới phải nhỏ hơn cận trên." in problems
    assert "Khoảng '60-70': điểm -1 không được âm." in problems
    assert "Khoảng '65-70': điểm 0,005 có quá 2 chữ số thập phân." in problems
    assert "Các khoảng '60-70' và '65-70' chồng lên nhau." in problems
    assert "Các khoảng chưa phủ hết tỷ lệ từ 0% đến 100%, còn thiếu: 0-<60; >70-90." in problems


def test_bands_malformed_dicts_are_reported_not_raised():
    assert validate_params("bands", {"bands": "70-90"}, D("2")) == [
        "Tham số 'bands' phải là danh sách các khoảng {min, max, points}."
    ]
    assert validate_params("bands", {"bands": [{"min": "x", "points": "1"}]}, D("2")) == [
        "Khoảng thứ 1, cận min: 'x' không phải là số hợp lệ."
    ]
    assert validate_params("bands", {"bands": [{"min": "1", "max": "2", "pts": 1}]}, D("2")) == [
        "Khoảng thứ 1 phải có điểm (points)."
    ]


def test_levels_problems():
    params = parse_params("levels", "Đúng hạn=1; đúng  hạn=0.5; Vượt=3; Âm=-1; Lẻ=0.125")
    assert validate_params("levels", params, D("1")) == [
        "Mức 'đúng hạn' bị lặp.",
        "Mức 'Vượt': điểm 3 vượt điểm tối đa 1.",
        "Mức 'Âm': điểm -1 không được âm.",
        "Mức 'Lẻ': điểm 0,125 có quá 2 chữ số thập phân.",
    ]
    assert validate_params("levels", {"levels": []}, D("1")) == ["Quy tắc 'levels' cần ít nhất một mức."]
    assert validate_params("levels", {"levels": [{"label": "A;B", "points": "1"}]}, D("1")) == [
        "Tên mức 'A;B' không được chứa dấu ';', '=' hoặc xuống dòng."
    ]


def test_level_at_exactly_max_is_fine_and_one_hundredth_above_is_not():
    assert validate_params("levels", {"levels": [{"label": "Có", "points": "1.5"}]}, D("1.5")) == []
    assert validate_params("levels", {"levels": [{"label": "Có", "points": "1.51"}]}, D("1.5")) == [
        "Mức 'Có': điểm 1,51 vượt điểm tối đa 1,5."
    ]


@pytest.mark.parametrize(
    "rule, params, max_points, expected",
    [
        ("manual", {"step": "0.3"}, "1", ["Bước điểm 0,3 không chia hết điểm tối đa 1."]),
        ("manual", {}, "1.005", ["Bước điểm 0,01 không chia hết điểm tối đa 1,005."]),
        ("bonus", {"step": "0"}, "2", ["Bước điểm (step) phải lớn hơn 0, đang là 0."]),
        ("penalty", {"step": "0.125"}, "1", ["Bước điểm (step) 0,125 có quá 2 chữ số thập phân."]),
        ("manual", {"step": "0.25", "levels": []}, "1", ["Tham số 'levels' không dùng cho quy tắc 'manual' "
                                                          "(Nhập điểm trực tiếp)."]),
        ("ratio", {"target": "0"}, "2", ["Tỷ lệ đạt điểm tối đa (target) phải lớn hơn 0 và không quá 100, "
                                         "đang là 0."]),
        ("ratio", {"target": "150"}, "2", ["Tỷ lệ đạt điểm tối đa (target) phải lớn hơn 0 và không quá 100, "
                                           "đang là 150."]),
        ("deduction", {}, "2", ["Quy tắc 'deduction' cần số điểm trừ mỗi lần (per)."]),
        ("deduction", {"per": "-1"}, "2", ["Số điểm trừ mỗi lần (per) phải lớn hơn 0, đang là -1."]),
        ("survey", {"step": "1"}, "2", ["Tham số 'step' không dùng cho quy tắc 'survey' "
                                        "(Theo kết quả điều tra xã hội học)."]),
        ("sum", {"x": 1}, "2", ["Tham số 'x' không dùng cho quy tắc 'sum' (Tổng các tiêu chí con)."]),
        ("manual", ["step"], "2", ["Tham số quy tắc chấm phải là một đối tượng JSON (dict)."]),
        ("trung_binh", {}, "2", ["Quy tắc chấm 'trung_binh' không hợp lệ; dùng một trong: manual, levels, "
                                 "bands, ratio, deduction, survey, imported, bonus, penalty, sum."]),
    ],
)
def test_param_problems(rule, params, max_points, expected):
    assert validate_params(rule, params, D(max_points)) == expected


@st.composite
def band_partitions(draw):
    """Bands that cut [0, +∞) into consecutive pieces with non-decreasing points."""
    cuts = sorted(draw(st.sets(st.decimals(min_value=D("0.01"), max_value=D("99.99"), places=2), max_size=5)))
    upper_owns_cut = [draw(st.booleans()) for _ in cuts]
    points = sorted(draw(st.lists(st.integers(0, 8), min_size=len(cuts) + 1, max_size=len(cuts) + 1)))
    bands = []
    for i in range(len(cuts) + 1):
        low = cuts[i - 1] if i else None
        high = cuts[i] if i < len(cuts) else None
        bands.append(band(
            None if low is None else decimal_str(low), low is None or upper_owns_cut[i - 1],
            None if high is None else decimal_str(high), high is None or not upper_owns_cut[i],
            decimal_str(D(points[i]) / 4),
        ))
    return {"bands": bands}


@SETTINGS
@given(band_partitions(), st.data())
def test_gap_and_overlap_detection_on_partitions(params, data):
    assert validate_params("bands", params, D("2")) == []
    bands = params["bands"]
    if len(bands) > 1:
        i = data.draw(st.integers(0, len(bands) - 1))
        problems = validate_params("bands", {"bands": bands[:i] + bands[i + 1:]}, D("2"))
        assert any(p.startswith("Các khoảng chưa phủ hết") for p in problems)
        widened = dict(bands[i], min=None, min_inclusive=True, max=None, max_inclusive=True)
        problems = validate_params("bands", {"bands": bands[:i] + [widened] + bands[i + 1:]}, D("2"))
        assert any(p.endswith("chồng lên nhau.") for p in problems)


def test_band_contains_respects_inclusive_ends():
    b = Band(D("80"), True, D("100"), False, D("1"))
    assert b.contains(D("80")) and b.contains(D("99.99"))
    assert not b.contains(D("79.99")) and not b.contains(D("100"))


# --- cleaning an agency's input ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ({"score": "0"}, {"score": "0"}),
        ({"score": "0.75"}, {"score": "0.75"}),
        ({"score": "1.50"}, {"score": "1.5"}),
        ({"score": "1,25"}, {"score": "1.25"}),
        ({"score": 1}, {"score": "1"}),
        ({"score": 1.5}, {"score": "1.5"}),
        ({"score": D("1.5")}, {"score": "1.5"}),
    ],
)
def test_clean_manual_score_on_step(raw, expected):
    assert clean_input("manual", {"step": "0.25"}, D("1.5"), raw) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"score": "1.75"}, "Điểm phải từ 0 đến 1,5, đang nhập 1,75."),
        ({"score": "1,51"}, "Điểm phải từ 0 đến 1,5, đang nhập 1,51."),
        ({"score": "-0.25"}, "Điểm phải từ 0 đến 1,5, đang nhập -0,25."),
        ({"score": "0.3"}, "Điểm 0,3 không đúng bước chấm 0,25 (ví dụ: 0; 0,25; 0,5...)."),
        ({"score": "một"}, "Điểm: 'một' không phải là số; chỉ dùng chữ số và dấu phẩy thập phân (ví dụ 4,5)."),
        ({"score": "4,5,6"}, "Điểm: '4,5,6' có nhiều dấu phân cách thập phân; một số chỉ có một dấu phẩy "
                             "thập phân (ví dụ 4,5)."),
        ({"score": True}, "Điểm: 'True' không phải là số."),
        ({"score": float("nan")}, "Điểm: 'nan' không phải là số."),
        ({"score": ""}, "Chưa nhập score."),
        ({}, "Chưa nhập score."),
        ({"score": "1", "level": "x"}, "Trường 'level' không dùng cho tiêu chí này; chỉ nhận: score."),
        ("1", "Dữ liệu chấm điểm phải là một đối tượng JSON."),
    ],
)
def test_clean_manual_score_errors(raw, message):
    with pytest.raises(InputError) as caught:
        clean_input("manual", {"step": "0.25"}, D("1.5"), raw)
    assert caught.value.message == message


def test_clean_score_default_step_is_one_hundredth():
    assert clean_input("bonus", {}, D("2"), {"score": "1.99"}) == {"score": "1.99"}
    with pytest.raises(InputError, match="không đúng bước chấm 0.01"):
        clean_input("penalty", {}, D("2"), {"score": "1.995"})
    assert clean_input("imported", {}, D("6"), {"score": "5.67"}) == {"score": "5.67"}


def test_clean_level_matches_listed_label_ignoring_case_blanks_and_normal_form():
    assert clean_input("levels", LEVELS, D("1"), {"level": "Trễ hạn"}) == {"level": "Trễ hạn"}
    assert clean_input("levels", LEVELS, D("1"), {"level": " trễ  HẠN "}) == {"level": "Trễ hạn"}
    nfd = unicodedata.normalize("NFD", "Không ban hành")
    assert clean_input("levels", LEVELS, D("1"), {"level": nfd}) == {"level": "Không ban hành"}


def test_clean_level_unknown_label_lists_the_levels():
    with pytest.raises(InputError) as caught:
        clean_input("levels", LEVELS, D("1"), {"level": "Đúng hạn một phần"})
    assert caught.value.message == (
        "Mức 'Đúng hạn một phần' không có trong danh sách các mức: Đúng hạn; Trễ hạn; Không ban hành."
    )


@pytest.mark.parametrize("rule", ["bands", "ratio"])
def test_clean_fraction(rule):
    params = CA_MAU if rule == "bands" else {}
    assert clean_input(rule, params, D("2"), {"numerator": 9, "denominator": 10}) == {
        "numerator": "9", "denominator": "10"
    }
    assert clean_input(rule, params, D("2"), {"numerator": "10", "denominator": "10"}) == {
        "numerator": "10", "denominator": "10"
    }
    assert clean_input(rule, params, D("2"), {"numerator": "0", "denominator": "3,5"}) == {
        "numerator": "0", "denominator": "3.5"
    }


@pytest.mark.parametrize("rule", ["bands", "ratio"])
@pytest.mark.parametrize(
    "raw, fragment",
    [
        ({"numerator": 1, "denominator": 0}, "Mẫu số bằng 0 nên không tính được tỷ lệ"),
        ({"numerator": 0, "denominator": 0}, "Mẫu số bằng 0 nên không tính được tỷ lệ"),
        ({"numerator": -1, "denominator": 10}, "Tử số và mẫu số không được âm."),
        ({"numerator": 1, "denominator": -10}, "Tử số và mẫu số không được âm."),
        ({"numerator": "chín", "denominator": 10}, "Tử số: 'chín' không phải là số"),
        ({"numerator": 9}, "Chưa nhập denominator."),
        ({"score": "1"}, "Trường 'score' không dùng cho tiêu chí này"),
    ],
)
def test_clean_fraction_errors(rule, raw, fragment):
    with pytest.raises(InputError) as caught:
        clean_input(rule, CA_MAU if rule == "bands" else {}, D("2"), raw)
    assert fragment in caught.value.message


@pytest.mark.parametrize("count, expected", [(0, "0"), (2, "2"), ("3", "3"), (D("4.0"), "4")])
def test_clean_deduction_count(count, expected):
    assert clean_input("deduction", {"per": "0.5"}, D("2"), {"count": count}) == {"count": expected}


@pytest.mark.parametrize("count", [-1, 1.5, "1,5", True, "hai"])
def test_clean_deduction_count_errors(count):
    with pytest.raises(InputError, match="phải là số nguyên không âm"):
        clean_input("deduction", {"per": "0.5"}, D("2"), {"count": count})


def test_survey_takes_no_input():
    assert clean_input("survey", {}, D("5"), {}) == {}
    assert clean_input("survey", {}, D("5"), None) == {}
    with pytest.raises(InputError, match="Tiêu chí khảo sát không nhận dữ liệu nhập"):
        clean_input("survey", {}, D("5"), {"score": "5"})


def test_branch_and_unknown_rule_take_no_input():
    with pytest.raises(InputError, match="Tiêu chí tổng hợp không nhập điểm"):
        clean_input("sum", {}, D("5"), {"score": "1"})
    with pytest.raises(InputError, match="Quy tắc chấm 'x' không hợp lệ"):
        clean_input("x", {}, D("5"), {"score": "1"})


# ---------------------------------------------------------------- over 100 % (issue #13, point 4)


@pytest.mark.parametrize("rule", ["bands", "ratio"])
def test_numerator_above_denominator_accepted_by_default(rule):
    params = parse_params(rule, ">=0:1" if rule == "bands" else "")
    assert clean_input(rule, params, D("2"), {"numerator": "10", "denominator": "8"}) == {
        "numerator": "10", "denominator": "8"}


@pytest.mark.parametrize("rule, text", [
    ("bands", "=100:2; <100:0; over=refuse"), ("ratio", "target=90; OVER = Refuse")])
def test_over_refuse_rejects_a_numerator_above_the_denominator(rule, text):
    params = parse_params(rule, text)
    assert params["over"] == "refuse"
    with pytest.raises(InputError) as caught:
        clean_input(rule, params, D("2"), {"numerator": "10", "denominator": "8"})
    assert caught.value.message == (
        "Tử số (10) không được lớn hơn mẫu số (8): tỷ lệ của tiêu chí này không được vượt quá 100%.")


@pytest.mark.parametrize("rule, text, canonical", [
    ("bands", "over=refuse; >90:2; <=90:0", ">90:2; <=90:0; over=refuse"),
    ("bands", ">90:2; <=90:0; over=cap", ">90:2; <=90:0; over=cap"),
    ("ratio", "over=refuse", "over=refuse"),
    ("ratio", "target=80; over=refuse", "target=80; over=refuse"),
])
def test_over_param_round_trips(rule, text, canonical):
    params = parse_params(rule, text)
    assert format_params(rule, params) == canonical
    assert parse_params(rule, canonical) == params
    assert validate_params(rule, params, D("2")) == []


@pytest.mark.parametrize("rule, text, fragment", [
    ("ratio", "over=maybe", "Tham số 'over' là 'maybe'; dùng 'over=cap'"),
    ("bands", ">=0:1; over=cap; over=refuse", "Tham số 'over' bị lặp."),
    ("manual", "over=cap", "Tham số 'over' không dùng cho quy tắc"),
])
def test_over_param_errors(rule, text, fragment):
    with pytest.raises(RuleParamsError) as caught:
        parse_params(rule, text)
    assert fragment in caught.value.message


def test_over_param_validated_in_json_form():
    assert validate_params("ratio", {"over": "never"}, D("2")) == [
        "Tham số 'over' phải là cap hoặc refuse, đang là 'never'."]
