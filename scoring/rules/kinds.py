"""The rule kinds, their typed parameters and the errors of rules (pure Python)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from cchc_portal.core.numbers import NumberError, parse_decimal

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

PARAM_KEYS: dict[str, tuple[str, ...]] = {
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
INPUT_KEYS: dict[str, tuple[str, ...]] = {
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
EXAMPLES = {
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


def places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def canonical_label(text: str) -> str:
    """A level label as stored: Unicode NFC, blanks collapsed to one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def label_key(text: str) -> str:
    return canonical_label(text).casefold()


# ---------------------------------------------------------------------------------------------
# params as typed values (shared by validation, formatting and the engine)


def rule_name(rule: str) -> str:
    return f"'{rule}' ({RULES[rule]})" if rule in RULES else f"'{rule}'"


def check_rule(rule) -> None:
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

def over_of(params: dict) -> str:
    """What a numerator above the denominator does: ``"cap"`` (default) or ``"refuse"``."""
    value = (params or {}).get("over") or OVER_CAP
    if value not in OVER_CHOICES:
        raise RuleParamsError(f"Tham số 'over' phải là {' hoặc '.join(OVER_CHOICES)}, đang là '{value}'.")
    return value
