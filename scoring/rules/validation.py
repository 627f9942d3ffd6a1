"""Rule parameters checked against the criterion's maximum."""

from __future__ import annotations

from decimal import Decimal
from itertools import combinations

from cchc_portal.core.numbers import vi_number
from scoring.rules.kinds import (
    DEFAULT_STEP,
    DEFAULT_TARGET,
    HUNDRED,
    PARAM_KEYS,
    RULES,
    SCORE_RULES,
    Band,
    Level,
    RuleParamsError,
    bands_of,
    decimal_param,
    label_key,
    levels_of,
    over_of,
    places,
    rule_name,
)


def _points_problems(what: str, points: Decimal, max_points: Decimal) -> list[str]:
    problems = []
    if points < 0:
        problems.append(f"{what}: điểm {vi_number(points)} không được âm.")
    if points > max_points:
        problems.append(f"{what}: điểm {vi_number(points)} vượt điểm tối đa {vi_number(max_points)}.")
    if places(points) > 2:
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
        f"Tham số '{key}' không dùng cho quy tắc {rule_name(rule)}."
        for key in sorted(set(params) - set(PARAM_KEYS[rule]), key=str)
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
            elif places(per) > 2:
                problems.append(f"Số điểm trừ mỗi lần (per) {vi_number(per)} có quá 2 chữ số thập phân.")
    except RuleParamsError as error:
        problems.append(error.message)
    return problems


def _step_problems(params: dict, max_points: Decimal) -> list[str]:
    step = decimal_param(params, "step", DEFAULT_STEP)
    if step <= 0:
        return [f"Bước điểm (step) phải lớn hơn 0, đang là {vi_number(step)}."]
    if places(step) > 2:
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
        if label_key(level.label) in seen:
            problems.append(f"Mức '{level.label}' bị lặp.")
        seen.add(label_key(level.label))
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
