"""One agency's score sheet: every node of its criteria set with its max, self, appraised
and counted points (which points count: see `reports.results`)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from scoring.models import Criterion, Item

from .shapes import ZERO, Crit, SetShape, code_key


@dataclass
class SheetLine:
    code: str
    title: str
    depth: int
    is_leaf: bool
    max_points: Decimal
    applicable: bool
    self_points: Decimal | None
    appraised_points: Decimal | None
    points: Decimal | None  # counted
    explanation: str = ""
    comment: str = ""
    reason: str = ""
    kind: str = "base"  # "bonus", "penalty" (points added, taken off) or "mixed" (net): shown signed


def score_sheet(*, assessment) -> dict:
    """One agency's score sheet: every node with its max, self, appraised and counted
    points, the agency's explanation and the appraisal comment (three queries)."""
    criteria = list(Criterion.objects.filter(criteria_set_id=assessment.criteria_set_id).values_list(
        "id", "code", "title", "max_points", "rule", "capped"))
    items = {
        code: (self_points, appraised, external, explanation, comment)
        for code, self_points, appraised, external, explanation, comment in Item.objects.filter(
            assessment=assessment).values_list("criterion__code", "self_points", "appraised_points",
                                              "external_points", "explanation", "appraisal_comment")
    }
    na = set(Criterion.not_applicable_to.through.objects.filter(
        criterion__criteria_set_id=assessment.criteria_set_id, agency_id=assessment.agency_id,
    ).values_list("criterion__code", flat=True))
    cset = assessment.criteria_set
    shape = SetShape(cset.pk, cset.bonus_cap, cset.penalty_cap)
    for cid, code, title, max_points, rule, capped in criteria:
        shape.add(Crit(cid, code, title, max_points, rule, capped))
    shape.finish(na, detail=True)
    counted_units, self_units, appraised_units = {}, {}, {}
    for code, (self_points, appraised, external, _e, _c) in items.items():
        rule = shape.crit[code].rule if code in shape.crit else "manual"
        if appraised is not None:
            counted = appraised
        elif rule in ("survey", "imported"):
            counted = external if external is not None else (self_points if rule == "imported" else None)
        else:
            counted = self_points
        counted_units[code] = counted
        self_units[code] = self_points if rule not in ("survey",) else external
        if appraised is not None:
            appraised_units[code] = appraised
    counted = shape.engine_score(counted_units, na) if shape.crit else None
    self_result = shape.engine_score(self_units, na) if shape.crit else None
    has_appraisal = bool(appraised_units)
    lines = []
    for code in sorted(shape.crit, key=code_key):
        crit = shape.crit[code]
        p = counted.points[code]
        leaf = not shape.children[code]
        item = items.get(code)
        lines.append(SheetLine(
            code=code, title=crit.title, depth=code.count(".") + 1, is_leaf=leaf,
            max_points=p.max if p.applicable else crit.max_points, applicable=p.applicable,
            self_points=self_result.points[code].value if p.applicable else None,
            appraised_points=(
                (item[1] if item else None) if leaf else (p.value if has_appraisal else None)
            ) if p.applicable else None,
            points=p.value if p.applicable else None,
            explanation=item[3] if item else "", comment=item[4] if item else "",
            reason=p.reason, kind=shape.kind[code],
        ))
    return {
        "lines": lines,
        "total": counted.total if counted else ZERO,
        "self_total": self_result.total if self_result else ZERO,
        "max_points": counted.applicable_max if counted else ZERO,
        "index": counted.index if counted else None,
        "bonus": counted.bonus if counted else ZERO,
        "penalty": counted.penalty if counted else ZERO,
        "self_bonus": self_result.bonus if self_result else ZERO,
        "self_penalty": self_result.penalty if self_result else ZERO,
        "has_outside": any(kind in ("bonus", "penalty") for kind in shape.kind.values()),
        "has_appraisal": has_appraisal,
    }
