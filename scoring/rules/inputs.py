"""An agency's input for a leaf, checked against its rule."""

from __future__ import annotations

from decimal import Decimal

from cchc_portal.core.numbers import NumberError, parse_decimal, vi_number
from scoring.rules.kinds import (
    BRANCH_RULE,
    DEFAULT_STEP,
    INPUT_KEYS,
    OVER_CAP,
    OVER_REFUSE,
    RULES,
    SCORE_RULES,
    InputError,
    Level,
    decimal_param,
    decimal_str,
    label_key,
    levels_of,
    over_of,
    to_decimal,
)


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
    expected = INPUT_KEYS[rule]
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
            if label_key(level.label) == label_key(label):
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
