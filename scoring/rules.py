"""Rule kinds of a criterion: their parameters, their text form and the validation of inputs.

Pure Python (no Django): the criteria import, the API and the engine share it.

Rule kinds
----------
A branch has the rule ``sum`` (its points are the sum of its children, capped at its max).
A leaf has one of:

=========  ============================================  ==========================================
rule       params (JSON, numbers as strings)             agency input (``clean_input``)
=========  ============================================  ==========================================
manual     ``{"step": "0.25"}`` (step optional, 0.01)    ``{"score": "1.5"}``: 0 ≤ score ≤ max, on step
levels     ``{"levels": [{"label", "points"}, ...]}``    ``{"level": "Trễ hạn"}``: one listed label
bands      ``{"bands": [{"min", "min_inclusive",``       ``{"numerator": 9, "denominator": 10}``
           ``"max", "max_inclusive", "points"}, ...]}``
           (+ optional ``"over"``)
ratio      ``{}``, ``{"target": "100"}``, ``"over"``      ``{"numerator": 9, "denominator": 10}``
deduction  ``{"per": "0.5"}``                            ``{"count": 2}``: a whole number ≥ 0
survey     ``{}``                                        none (points come from the survey)
imported   ``{"step": ...}`` like manual                 ``{"score": ...}`` like manual (fallback
                                                         when no imported figure exists)
bonus      ``{"step": ...}`` like manual                 ``{"score": ...}`` like manual
penalty    ``{"step": ...}`` like manual                 ``{"score": ...}``: points taken off
=========  ============================================  ==========================================

For bands and ratio the percentage is numerator / denominator × 100 and the denominator must be
above 0. A numerator above the denominator (10 inspections done of 8 planned) is accepted and
scored as 100 % (``"over": "cap"``, the default) unless the params say ``"over": "refuse"``
(a rate that cannot pass 100 %, e.g. dossiers solved on time), which refuses it. In a band a
bound of ``None`` means unbounded; its ``*_inclusive`` flag is then ``True`` (the canonical form).

Text form (column ``rule_params`` of the criteria sheet)
-------------------------------------------------------
General:

- Items are separated by ``;`` or a line break; blanks around items and tokens are ignored,
  empty items are skipped. Empty text means "no parameters".
- A number is a decimal written with ``.`` or ``,`` as the decimal mark (``0.5`` = ``0,5``),
  no thousands separator (``cchc_portal.core.numbers.parse_decimal(grouping=False)``). Text
  is read in Unicode NFC. Messages shown to people write numbers the Vietnamese way (``0,5``).

Per rule::

    manual, bonus, penalty, imported   ""  |  "step=<number>"         e.g. step=0.25
    ratio                              ""  |  "target=<number>"       e.g. target=100
    bands, ratio (extra item)          "over=cap" | "over=refuse"     e.g. target=100; over=refuse
    deduction                          "per=<number>"                 e.g. per=0.5
    survey, sum                        ""
    levels                             <label>=<points> { ";" <label>=<points> }
                                       e.g. Đúng hạn=1; Trễ hạn=0.5; Không ban hành=0
    bands                              <range>:<points> { ";" <range>:<points> }
                                       e.g. >90:2; 70-90:1; <70:0
                                            =100:2; 80-<100:1; <80:0

Keys (``step``, ``target``, ``per``) are case-insensitive. A level label is any text without
``;``, ``=`` or a line break (blanks inside are collapsed to one space).

A band range is written with non-negative numbers a ≤ b (percentages); ``-`` always separates
the two ends of a range (numbers are never negative), ``%`` after a number is ignored, ``≥``
and ``≤`` read as ``>=`` and ``<=``, and an en or em dash reads as ``-``:

==========  ============  ==========================================
text        interval      meaning
==========  ============  ==========================================
``>a``      (a, +∞)       above a
``>=a``     [a, +∞)       a or above
``<b``      [0, b)        below b
``<=b``     [0, b]        b or below
``=a``      [a, a]        exactly a (``a`` alone means the same)
``a-b``     [a, b]        from a to b, BOTH ends included
``a-<b``    [a, b)        from a, up to but not including b
``>a-b``    (a, b]        above a, up to and including b
``>a-<b``   (a, b)        strictly between a and b
==========  ============  ==========================================

``>=a-b`` and ``a-<=b`` are accepted as explicit spellings of the included ends. So
``>90:2; 70-90:1; <70:0`` gives 2 points above 90 %, 1 point from 70 % to 90 % inclusive
(90 % itself scores 1) and 0 below 70 %; ``=100:2; 80-<100:1; <80:0`` gives 2 only at 100 %,
1 from 80 % up to but not including 100 %.

Bands must not overlap anywhere and must cover every percentage from 0 to 100 (checked by
``validate_params``).

``format_params`` writes the canonical text (items joined by ``"; "``, ``.`` as the decimal
mark, numbers without trailing zeros, inclusive ends left implicit), and
``parse_params(rule, format_params(rule, p)) == p`` for every canonical ``p`` (what
``parse_params`` returns). The only band with no text form is one unbounded on both sides; it
is written ``>=0``, which means the same for percentages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from cchc_portal.core.numbers import NumberError, parse_decimal, vi_number

RULES: dict[str, str] = {
    "manual": "Nhập điểm trực tiếp",
    "levels": "Chọn một mức",
    "bands": "Theo khoảng tỷ lệ %",
    "ratio": "Tỷ lệ × điểm tối đa",
    "deduction": "Trừ điểm theo số lần",
    "survey": "Theo kết quả điều tra xã hội học",
    "imported": "Số liệu nhập từ hệ thống khác",
    "bonus": "Điểm thưởng",
    "penalty": "Điểm trừ",
    "sum": "Tổng các tiêu chí con",
}
BRANCH_RULE = "sum"
LEAF_RULES = frozenset(RULES) - {BRANCH_RULE}
SCORE_RULES = frozenset({"manual", "imported", "bonus", "penalty"})  # input {"score": ...}
OUTSIDE_MAX_RULES = frozenset({"bonus", "penalty"})  # points outside the maximum

DEFAULT_STEP = Decimal("0.01")
# Numerator above the denominator (10 inspections done of 8 planned): "cap" (default) scores
# it as 100 %; "refuse" rejects it, for rates that cannot pass 100 % (on-time dossiers).
OVER_CAP, OVER_REFUSE = "cap", "refuse"
OVER_CHOICES = (OVER_CAP, OVER_REFUSE)
DEFAULT_TARGET = Decimal("100")
HUNDRED = Decimal("100")

_PARAM_KEYS: dict[str, tuple[str, ...]] = {
    "manual": ("step",),
    "imported": ("step",),
    "bonus": ("step",),
    "penalty": ("step",),
    "levels": ("levels",),
    "bands": ("bands", "over"),
    "ratio": ("target", "over"),
    "deduction": ("per",),
    "survey": (),
    "sum": (),
}
_INPUT_KEYS: dict[str, tuple[str, ...]] = {
    "manual": ("score",),
    "imported": ("score",),
    "bonus": ("score",),
    "penalty": ("score",),
    "levels": ("level",),
    "bands": ("numerator", "denominator"),
    "ratio": ("numerator", "denominator"),
    "deduction": ("count",),
    "survey": (),
}
_BAND_KEYS = ("min", "min_inclusive", "max", "max_inclusive", "points")
_EXAMPLES = {
    "manual": "step=0.25",
    "imported": "step=0.01",
    "bonus": "step=0.25",
    "penalty": "step=0.25",
    "levels": "Đúng hạn=1; Trễ hạn=0.5; Không ban hành=0",
    "bands": ">90:2; 70-90:1; <70:0",
    "ratio": "target=100",
    "deduction": "per=0.5",
}


class RuleParamsError(ValueError):
    """Rule parameters that cannot be read; ``message`` is Vietnamese, shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InputError(ValueError):
    """An agency's input that does not fit the rule; ``message`` is Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Level:
    label: str
    points: Decimal


@dataclass(frozen=True)
class Band:
    """A percentage interval and its points; ``None`` bounds are unbounded."""

    min: Decimal | None
    min_inclusive: bool
    max: Decimal | None
    max_inclusive: bool
    points: Decimal

    def contains(self, pct: Decimal) -> bool:
        if self.min is not None and (pct < self.min or (pct == self.min and not self.min_inclusive)):
            return False
        if self.max is not None and (pct > self.max or (pct == self.max and not self.max_inclusive)):
            return False
        return True

    def is_empty(self) -> bool:
        if self.min is None or self.max is None:
            return False
        both_inclusive = self.min_inclusive and self.max_inclusive
        return self.min > self.max or (self.min == self.max and not both_inclusive)

    def range_text(self) -> str:
        """The range in the text form, e.g. ``>90``, ``70-90``, ``80-<100``, ``=100``."""
        lo, hi = self.min, self.max
        if lo is None and hi is None:
            return ">=0"
        if lo is None:
            return ("<=" if self.max_inclusive else "<") + decimal_str(hi)
        if hi is None:
            return (">=" if self.min_inclusive else ">") + decimal_str(lo)
        if lo == hi and self.min_inclusive and self.max_inclusive:
            return "=" + decimal_str(lo)
        return (
            ("" if self.min_inclusive else ">") + decimal_str(lo) + "-" + ("" if self.max_inclusive else "<")
            + decimal_str(hi)
        )


# ---------------------------------------------------------------------------------------------
# numbers and labels


def decimal_str(value: Decimal) -> str:
    """Canonical text of a decimal: ``"0.5"``, ``"2"``, ``"100"`` (no exponent, no trailing zeros)."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def to_decimal(value) -> Decimal | None:
    """A finite Decimal from a str ("1,5" too), int, Decimal or float, or None if it is not a number.

    Reads machine text (``parse_decimal(grouping=False)``): one mark, the decimal one."""
    try:
        return parse_decimal(value, grouping=False)
    except NumberError:
        return None


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def canonical_label(text: str) -> str:
    """A level label as stored: Unicode NFC, blanks collapsed to one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _label_key(text: str) -> str:
    return canonical_label(text).casefold()


# ---------------------------------------------------------------------------------------------
# params as typed values (shared by validation, formatting and the engine)


def _rule_name(rule: str) -> str:
    return f"'{rule}' ({RULES[rule]})" if rule in RULES else f"'{rule}'"


def _check_rule(rule) -> None:
    if rule not in RULES:
        raise RuleParamsError(f"Quy tắc chấm '{rule}' không hợp lệ; dùng một trong: {', '.join(RULES)}.")


def _number_param(value, what: str) -> Decimal:
    number = to_decimal(value)
    if number is None:
        raise RuleParamsError(f"{what}: '{value}' không phải là số hợp lệ.")
    return number


def decimal_param(params: dict, key: str, default: Decimal | None = None) -> Decimal | None:
    """A decimal parameter (``step``, ``target``, ``per``) or its default when absent."""
    if params.get(key) is None:
        return default
    return _number_param(params[key], f"Tham số '{key}'")


def levels_of(params: dict) -> list[Level]:
    raw = params.get("levels")
    if not isinstance(raw, list):
        raise RuleParamsError("Tham số 'levels' phải là danh sách các mức {label, points}.")
    levels = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("label"), str) or "points" not in item:
            raise RuleParamsError(f"Mức thứ {i} phải có tên (label) và điểm (points).")
        levels.append(Level(canonical_label(item["label"]), _number_param(item["points"], f"Mức thứ {i}")))
    return levels


def bands_of(params: dict) -> list[Band]:
    raw = params.get("bands")
    if not isinstance(raw, list):
        raise RuleParamsError("Tham số 'bands' phải là danh sách các khoảng {min, max, points}.")
    bands = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or "points" not in item:
            raise RuleParamsError(f"Khoảng thứ {i} phải có điểm (points).")
        unknown = sorted(set(item) - set(_BAND_KEYS))
        if unknown:
            raise RuleParamsError(f"Khoảng thứ {i} có trường không hợp lệ: {', '.join(unknown)}.")
        bounds = {}
        for key in ("min", "max"):
            value = item.get(key)
            bounds[key] = None if value is None else _number_param(value, f"Khoảng thứ {i}, cận {key}")
            flag = item.get(f"{key}_inclusive", True)
            if not isinstance(flag, bool):
                raise RuleParamsError(f"Khoảng thứ {i}: '{key}_inclusive' phải là true hoặc false.")
            bounds[f"{key}_inclusive"] = True if value is None else flag
        bands.append(Band(points=_number_param(item["points"], f"Khoảng thứ {i}, điểm"), **bounds))
    return bands


# ---------------------------------------------------------------------------------------------
# text form

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
    allowed = _PARAM_KEYS[rule]
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or not key:
            raise RuleParamsError(f"'{item}' phải có dạng 'tên=giá trị', ví dụ '{_EXAMPLES[rule]}'.")
        if key not in allowed:
            raise RuleParamsError(
                f"Tham số '{key}' không dùng cho quy tắc {_rule_name(rule)}; chỉ nhận: {', '.join(allowed)}."
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


def over_of(params: dict) -> str:
    """What a numerator above the denominator does: ``"cap"`` (default) or ``"refuse"``."""
    value = (params or {}).get("over") or OVER_CAP
    if value not in OVER_CHOICES:
        raise RuleParamsError(f"Tham số 'over' phải là {' hoặc '.join(OVER_CHOICES)}, đang là '{value}'.")
    return value


def parse_params(rule: str, text: str | None) -> dict:
    """Read the text form of ``rule``'s parameters into the canonical params dict.

    Raises ``RuleParamsError`` with a Vietnamese message on text it cannot read. Meaning
    (points above max, band gaps...) is checked by ``validate_params``.
    """
    _check_rule(rule)
    items = _items(unicodedata.normalize("NFC", text or ""))
    if rule in ("survey", BRANCH_RULE):
        if items:
            raise RuleParamsError(f"Quy tắc {_rule_name(rule)} không có tham số; để trống ô này.")
        return {}
    if rule == "levels":
        if not items:
            raise RuleParamsError(f"Quy tắc 'levels' cần ít nhất một mức, ví dụ '{_EXAMPLES['levels']}'.")
        return {"levels": [_parse_level(item) for item in items]}
    over = {}
    if rule in ("bands", "ratio"):
        over, items = _parse_over(items)
    if rule == "bands":
        if not items:
            raise RuleParamsError(f"Quy tắc 'bands' cần ít nhất một khoảng, ví dụ '{_EXAMPLES['bands']}'.")
        return {"bands": [_parse_band(item) for item in items], **over}
    params = {**_parse_key_values(rule, items), **over}
    if rule == "deduction" and "per" not in params:
        raise RuleParamsError("Quy tắc 'deduction' cần số điểm trừ mỗi lần, ví dụ 'per=0.5'.")
    return params


def format_params(rule: str, params: dict) -> str:
    """The canonical text form of ``params`` (the inverse of ``parse_params``)."""
    _check_rule(rule)
    params = params or {}
    unknown = sorted(set(params) - set(_PARAM_KEYS[rule]))
    if unknown:
        raise RuleParamsError(f"Tham số không dùng cho quy tắc {_rule_name(rule)}: {', '.join(unknown)}.")
    if rule == "levels":
        return "; ".join(f"{level.label}={decimal_str(level.points)}" for level in levels_of(params))
    over = [f"over={over_of(params)}"] if params.get("over") is not None else []
    if rule == "bands":
        return "; ".join([f"{band.range_text()}:{decimal_str(band.points)}" for band in bands_of(params)] + over)
    keys = [key for key in _PARAM_KEYS[rule] if key != "over" and params.get(key) is not None]
    return "; ".join([f"{key}={decimal_str(decimal_param(params, key))}" for key in keys] + over)


# ---------------------------------------------------------------------------------------------
# validation of params against the criterion's max


def _points_problems(what: str, points: Decimal, max_points: Decimal) -> list[str]:
    problems = []
    if points < 0:
        problems.append(f"{what}: điểm {vi_number(points)} không được âm.")
    if points > max_points:
        problems.append(f"{what}: điểm {vi_number(points)} vượt điểm tối đa {vi_number(max_points)}.")
    if _places(points) > 2:
        problems.append(f"{what}: điểm {vi_number(points)} có quá 2 chữ số thập phân.")
    return problems


def _bands_overlaps(bands: list[Band]) -> list[str]:
    problems = []
    for a, b in combinations(bands, 2):
        low, low_inc = a.min, a.min_inclusive
        if low is None or (b.min is not None and (b.min > low or (b.min == low and not b.min_inclusive))):
            low, low_inc = b.min, b.min_inclusive
        high, high_inc = a.max, a.max_inclusive
        if high is None or (b.max is not None and (b.max < high or (b.max == high and not b.max_inclusive))):
            high, high_inc = b.max, b.max_inclusive
        if low is None or high is None or low < high or (low == high and low_inc and high_inc):
            problems.append(f"Các khoảng '{a.range_text()}' và '{b.range_text()}' chồng lên nhau.")
    return problems


def _bands_gaps(bands: list[Band]) -> list[str]:
    """Uncovered parts of [0, 100], each written as a range, e.g. ``['70-90']``."""
    cuts = {Decimal(0), HUNDRED}
    for band in bands:
        cuts.update(x for x in (band.min, band.max) if x is not None and 0 <= x <= HUNDRED)
    cuts = sorted(cuts)
    # [0], (0, c1), [c1], ... , [100]: coverage only changes at a cut, so one probe per piece is exact.
    pieces = []
    for i, cut in enumerate(cuts):
        if i:
            pieces.append((cuts[i - 1], cut, False, (cuts[i - 1] + cut) / 2))
        pieces.append((cut, cut, True, cut))
    gaps, current = [], None
    for low, high, is_point, probe in pieces:
        if any(band.contains(probe) for band in bands):
            if current:
                gaps.append(current)
            current = None
        elif current is None:
            current = Band(low, is_point, high, is_point, Decimal(0))
        else:
            current = Band(current.min, current.min_inclusive, high, is_point, Decimal(0))
    if current:
        gaps.append(current)
    return [gap.range_text() for gap in gaps]


def validate_params(rule: str, params, max_points: Decimal) -> list[str]:
    """Every problem of ``params`` for a criterion worth ``max_points``, in Vietnamese."""
    if rule not in RULES:
        return [f"Quy tắc chấm '{rule}' không hợp lệ; dùng một trong: {', '.join(RULES)}."]
    if params is None:
        params = {}
    if not isinstance(params, dict):
        return ["Tham số quy tắc chấm phải là một đối tượng JSON (dict)."]
    problems = [
        f"Tham số '{key}' không dùng cho quy tắc {_rule_name(rule)}."
        for key in sorted(set(params) - set(_PARAM_KEYS[rule]), key=str)
    ]
    try:
        if rule in ("bands", "ratio"):
            over_of(params)
        if rule in SCORE_RULES:
            problems += _step_problems(params, max_points)
        elif rule == "levels":
            problems += _levels_problems(levels_of(params), max_points)
        elif rule == "bands":
            problems += _bands_problems(bands_of(params), max_points)
        elif rule == "ratio":
            target = decimal_param(params, "target", DEFAULT_TARGET)
            if not 0 < target <= HUNDRED:
                problems.append(
                    "Tỷ lệ đạt điểm tối đa (target) phải lớn hơn 0 và không quá 100, "
                    f"đang là {vi_number(target)}."
                )
        elif rule == "deduction":
            per = decimal_param(params, "per")
            if per is None:
                problems.append("Quy tắc 'deduction' cần số điểm trừ mỗi lần (per).")
            elif per <= 0:
                problems.append(f"Số điểm trừ mỗi lần (per) phải lớn hơn 0, đang là {vi_number(per)}.")
            elif _places(per) > 2:
                problems.append(f"Số điểm trừ mỗi lần (per) {vi_number(per)} có quá 2 chữ số thập phân.")
    except RuleParamsError as error:
        problems.append(error.message)
    return problems


def _step_problems(params: dict, max_points: Decimal) -> list[str]:
    step = decimal_param(params, "step", DEFAULT_STEP)
    if step <= 0:
        return [f"Bước điểm (step) phải lớn hơn 0, đang là {vi_number(step)}."]
    if _places(step) > 2:
        return [f"Bước điểm (step) {vi_number(step)} có quá 2 chữ số thập phân."]
    if max_points % step != 0:
        return [f"Bước điểm {vi_number(step)} không chia hết điểm tối đa {vi_number(max_points)}."]
    return []


def _levels_problems(levels: list[Level], max_points: Decimal) -> list[str]:
    if not levels:
        return ["Quy tắc 'levels' cần ít nhất một mức."]
    problems, seen = [], set()
    for level in levels:
        if not level.label:
            problems.append("Có mức chưa có tên.")
            continue
        if any(ch in level.label for ch in ";=\r\n"):
            problems.append(f"Tên mức '{level.label}' không được chứa dấu ';', '=' hoặc xuống dòng.")
        if _label_key(level.label) in seen:
            problems.append(f"Mức '{level.label}' bị lặp.")
        seen.add(_label_key(level.label))
        problems += _points_problems(f"Mức '{level.label}'", level.points, max_points)
    return problems


def _bands_problems(bands: list[Band], max_points: Decimal) -> list[str]:
    if not bands:
        return ["Quy tắc 'bands' cần ít nhất một khoảng."]
    problems = []
    for band in bands:
        what = f"Khoảng '{band.range_text()}'"
        if (band.min is not None and band.min < 0) or (band.max is not None and band.max < 0):
            problems.append(f"{what}: tỷ lệ không được âm.")
        if band.is_empty():
            problems.append(f"{what} rỗng: cận dưới phải nhỏ hơn cận trên.")
        problems += _points_problems(what, band.points, max_points)
    problems += _bands_overlaps(bands)
    gaps = _bands_gaps(bands)
    if gaps:
        problems.append(f"Các khoảng chưa phủ hết tỷ lệ từ 0% đến 100%, còn thiếu: {'; '.join(gaps)}.")
    return problems


# ---------------------------------------------------------------------------------------------
# the agency's input


def _input_number(raw: dict, key: str, what: str) -> Decimal:
    try:
        return parse_decimal(raw[key], grouping=False)
    except NumberError as error:
        raise InputError(f"{what}: {error.message}") from None


def clean_input(rule: str, params: dict, max_points: Decimal, raw: dict | None) -> dict:
    """Check an agency's input for a leaf and return it normalised (numbers as canonical strings).

    Raises ``InputError`` with a Vietnamese message; ``RuleParamsError`` if the params themselves
    cannot be read.
    """
    if rule == BRANCH_RULE:
        raise InputError("Tiêu chí tổng hợp không nhập điểm; điểm là tổng các tiêu chí con.")
    if rule not in RULES:
        raise InputError(f"Quy tắc chấm '{rule}' không hợp lệ.")
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise InputError("Dữ liệu chấm điểm phải là một đối tượng JSON.")
    if rule == "survey":
        if raw:
            raise InputError(
                "Tiêu chí khảo sát không nhận dữ liệu nhập; điểm lấy từ kết quả điều tra xã hội học."
            )
        return {}
    expected = _INPUT_KEYS[rule]
    unknown = sorted(str(key) for key in set(raw) - set(expected))
    if unknown:
        allowed = ", ".join(expected)
        raise InputError(f"Trường '{unknown[0]}' không dùng cho tiêu chí này; chỉ nhận: {allowed}.")
    missing = [key for key in expected if raw.get(key) in (None, "")]
    if missing:
        raise InputError(f"Chưa nhập {', '.join(missing)}.")
    params = params or {}
    if rule in SCORE_RULES:
        return {"score": decimal_str(_clean_score(params, max_points, raw))}
    if rule == "levels":
        return {"level": _clean_level(params, raw["level"]).label}
    if rule in ("bands", "ratio"):
        numerator, denominator = _clean_fraction(raw, over=over_of(params))
        return {"numerator": decimal_str(numerator), "denominator": decimal_str(denominator)}
    count = to_decimal(raw["count"])
    if count is None or count < 0 or count != count.to_integral_value():
        raise InputError(f"Số lần vi phạm '{raw['count']}' phải là số nguyên không âm.")
    return {"count": str(int(count))}


def _clean_score(params: dict, max_points: Decimal, raw: dict) -> Decimal:
    score = _input_number(raw, "score", "Điểm")
    if not 0 <= score <= max_points:
        raise InputError(f"Điểm phải từ 0 đến {vi_number(max_points)}, đang nhập {vi_number(score)}.")
    step = decimal_param(params, "step", DEFAULT_STEP)
    if step > 0 and score % step != 0:
        raise InputError(
            f"Điểm {vi_number(score)} không đúng bước chấm {vi_number(step)} "
            f"(ví dụ: 0; {vi_number(step)}; {vi_number(step * 2)}...)."
        )
    return score


def _clean_level(params: dict, label) -> Level:
    levels = levels_of(params)
    if isinstance(label, str):
        for level in levels:
            if _label_key(level.label) == _label_key(label):
                return level
    names = "; ".join(level.label for level in levels)
    raise InputError(f"Mức '{label}' không có trong danh sách các mức: {names}.")


def _clean_fraction(raw: dict, *, over: str = OVER_CAP) -> tuple[Decimal, Decimal]:
    numerator = _input_number(raw, "numerator", "Tử số")
    denominator = _input_number(raw, "denominator", "Mẫu số")
    if numerator < 0 or denominator < 0:
        raise InputError("Tử số và mẫu số không được âm.")
    if denominator == 0:
        raise InputError(
            "Mẫu số bằng 0 nên không tính được tỷ lệ; nhập mẫu số lớn hơn 0 "
            "(nếu không phát sinh, đề nghị xác định tiêu chí không áp dụng)."
        )
    if numerator > denominator and over == OVER_REFUSE:
        raise InputError(
            f"Tử số ({vi_number(numerator)}) không được lớn hơn mẫu số ({vi_number(denominator)}): "
            "tỷ lệ của tiêu chí này không được vượt quá 100%."
        )
    return numerator, denominator
