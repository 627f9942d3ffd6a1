"""Campaign results: every agency's total, applicable max, index, fields, grade and rank.

Which points count (per leaf item)
    the appraised points when there are any (final and appraised assessments have them on
    every item); otherwise, by rule: survey leaves take the live survey points (surveys app)
    and then ``Item.external_points``; imported leaves take ``external_points`` and then
    the typed self points; every other leaf takes the self points. Stored points are
    already awarded by ``scoring.compute`` (rounded half-up to 2 decimals, within
    [0, max], 0 without required evidence), so results never re-score inputs.

How it is computed (a constant number of queries, whatever the number of agencies)
    One SQL aggregate sums the counted points per assessment and *unit*; a unit is a whole
    top-level field when nothing inside it can change the sum (no N/A code anywhere in the
    campaign, no capped branch, no survey, bonus or penalty leaf), otherwise one leaf. The
    pure engine (``scoring.engine.score``) then scores each agency's compressed tree: the
    collapsed fields as leaves carrying their sums, the other fields node by node, with the
    agency's N/A codes and the set's bonus/penalty caps. Because stored leaf points are
    within their maxima, a collapsed field scores exactly what the full tree would; with
    ``detail=True`` nothing is collapsed and every node's points are returned.

Index, grade and rank
    index = total / applicable max × 100, half-up to 2 decimals (the engine's). Grades come
    from the campaign's bands (index ≥ band min); ranks are given within each agency group
    by index, equal indices (as published, to 2 decimals) sharing a rank, "competition"
    (1, 1, 3) or "dense" (1, 1, 2). An agency whose applicable max is 0 has no index, no
    grade and no rank.
"""
from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from django.db.models import Case, DecimalField, F, IntegerField, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Left, StrIndex

from scoring.engine import Node, Points, round_points, score
from scoring.models import Assessment, Criterion, Item
from scoring.selectors.progress import stage_label, with_stage

from .models import ResultSettings, default_grade_bands

ZERO = Decimal("0")
HUNDRED = Decimal("100")
SPECIAL_RULES = frozenset({"survey", "bonus", "penalty"})
RANK_METHODS = ("competition", "dense")
FINAL_STATUSES = (Assessment.Status.FINAL,)


# ---------------------------------------------------------------- settings, grades, ranks


def result_settings_for(campaign) -> ResultSettings:
    """The campaign's settings row, or an unsaved one with the defaults."""
    found = ResultSettings.objects.filter(campaign=campaign).first()
    return found or ResultSettings(campaign=campaign, grade_bands=default_grade_bands())


def grade_for(index: Decimal | None, bands) -> str | None:
    """The label of the first band (by min, descending) whose min the index reaches."""
    if index is None:
        return None
    for band in sorted(bands, key=lambda b: Decimal(str(b["min"])), reverse=True):
        if index >= Decimal(str(band["min"])):
            return band["label"]
    return None


def assign_ranks(rows, method: str = "competition") -> None:
    """Set `rank` on rows of ONE group by `index` (descending); equal indices share a rank.

    competition: 1, 1, 3; dense: 1, 1, 2. Rows without an index get no rank.
    """
    if method not in RANK_METHODS:
        raise ValueError(f"unknown rank method {method!r}")
    ranked = sorted((r for r in rows if r.index is not None), key=lambda r: r.index, reverse=True)
    previous, rank, distinct = None, 0, 0
    for position, row in enumerate(ranked, start=1):
        if row.index != previous:
            distinct += 1
            rank = position if method == "competition" else distinct
            previous = row.index
        row.rank = rank
    for row in rows:
        if row.index is None:
            row.rank = None


def percent(points, max_points) -> Decimal | None:
    """A sub-index: points / max × 100, half-up to 2 decimals (None when the max is 0)."""
    if points is None or not max_points:
        return None
    return round_points(Decimal(points) * HUNDRED / Decimal(max_points))


# ---------------------------------------------------------------- result rows


@dataclass
class FieldResult:
    code: str
    title: str
    points: Decimal
    max_points: Decimal
    applicable: bool = True
    kind: str = "base"  # "bonus", "penalty" or "mixed" for points outside the maximum

    @property
    def index(self):
        return percent(self.points, self.max_points) if self.applicable and self.kind == "base" else None


@dataclass
class AgencyResult:
    agency_id: int
    agency_code: str
    agency_name: str
    group_code: str
    group_name: str
    group_order: int
    assessment_id: int
    status: str
    total: Decimal
    max_points: Decimal
    index: Decimal | None
    bonus: Decimal
    penalty: Decimal
    fields: list[FieldResult]
    pending: list[str] = field(default_factory=list)
    grade: str | None = None
    rank: int | None = None
    nodes: dict[str, Points] | None = None  # every node's points (detail=True only)
    stage: str = ""  # the status as pages say it ("not_started" for an untouched draft)

    @property
    def status_label(self):
        return stage_label(self.stage or self.status)

    @property
    def is_final(self):
        return self.status in FINAL_STATUSES


@dataclass
class CampaignResults:
    campaign: object
    settings: ResultSettings
    rows: list[AgencyResult]
    titles: dict[int, dict[str, str]]  # criteria set id → code → title
    set_of_group: dict[str, int]  # group code → criteria set id

    def groups(self):
        """[(group_code, group_name, [rows])] in group order, rows by rank."""
        out: dict[str, tuple[str, list]] = {}
        for row in self.rows:
            out.setdefault(row.group_code, (row.group_name, []))[1].append(row)
        return [(code, name, rows) for code, (name, rows) in out.items()]

    def by_agency_code(self, code):
        return next((r for r in self.rows if r.agency_code == code), None)


# ---------------------------------------------------------------- the criteria trees


def _code_key(code: str):
    return tuple(int(p) if p.isdigit() else 0 for p in code.split("."))


@dataclass(frozen=True)
class Crit:
    """One criterion as results need it (no ORM)."""

    id: int
    code: str
    title: str
    max_points: Decimal
    rule: str
    capped: bool = False


@dataclass
class Scored:
    """One agency's scores: what the engine's Result gives, for either path."""

    total: Decimal
    applicable_max: Decimal
    index: Decimal | None
    bonus: Decimal
    penalty: Decimal
    fields: dict[str, Points]
    pending: list[str]
    points: dict[str, Points] | None = None


def _kind(rule: str) -> str:
    return rule if rule in ("bonus", "penalty") else "base"


@dataclass
class _Plan:
    """One N/A pattern of one set: every compressed node's applicable max (from the engine)
    and whether the per-agency arithmetic is plain sums (no cap can bind)."""

    linear: bool
    points: dict[str, Points]  # the engine's figure-free result: maxima and applicability
    applicable_max: Decimal
    leaves: list = field(default_factory=list)  # applicable compressed leaves: (code, max, may be pending)
    roots: list = field(default_factory=list)  # (code, kind, Points, base, bonus, penalty leaf positions)


class SetShape:
    """One criteria set's tree, compressed for a campaign (see the module docstring).

    `unit_of` maps each leaf code to the code of the compressed node whose sum it joins.
    """

    def __init__(self, set_id, bonus_cap=None, penalty_cap=None):
        self.set_id, self.bonus_cap, self.penalty_cap = set_id, bonus_cap, penalty_cap
        self.crit: dict[str, Crit] = {}
        self.children: dict[str, list[str]] = defaultdict(list)
        self.roots: list[str] = []
        self.unit_of: dict[str, str] = {}
        self.multi_units: dict[str, Decimal] = {}  # collapsed subtree → its max
        self.static_nodes: list[Node] = []  # branches and collapsed subtrees
        self.leaf_nodes: dict[str, tuple[Node, Node]] = {}  # scored leaf → (with points, without)
        self.kind: dict[str, str] = {}
        self._plans: dict[frozenset, _Plan] = {}

    def add(self, crit: Crit):
        self.crit[crit.code] = crit

    def finish(self, na_codes, detail=False, survey_apart=True):
        """Build the tree; collapse every subtree that cannot change a sum for any agency
        (`na_codes`: every N/A code of the set in the campaign). `detail`: collapse nothing.
        `survey_apart`: survey leaves stay single (live survey points are joined one by one,
        and a leaf still without points is reported pending); without live points they are
        summed like the others."""
        na_codes = set(na_codes)
        special = SPECIAL_RULES if survey_apart else SPECIAL_RULES - {"survey"}
        for code in sorted(self.crit, key=_code_key):
            parent = code.rpartition(".")[0]
            (self.children[parent] if parent in self.crit else self.roots).append(code)
        for code in sorted(self.crit, key=_code_key, reverse=True):
            kids = self.children[code]
            if not kids:
                self.kind[code] = _kind(self.crit[code].rule)
            else:
                kinds = {self.kind[k] for k in kids}
                self.kind[code] = "base" if "base" in kinds else kinds.pop() if len(kinds) == 1 else "mixed"
        memo: dict[str, bool] = {}

        def collapsible(code) -> bool:
            if code not in memo:
                crit, kids = self.crit[code], self.children[code]
                if not kids:
                    memo[code] = crit.rule not in special
                else:
                    memo[code] = (
                        not detail
                        and all(collapsible(k) and k not in na_codes for k in kids)
                        and sum((self.crit[k].max_points for k in kids), ZERO) <= crit.max_points
                    )
            return memo[code]

        def visit(code):
            crit, kids = self.crit[code], self.children[code]
            if kids and collapsible(code):
                self.multi_units[code] = self._static_max(code)
                self.static_nodes.append(Node(code, crit.title, self.multi_units[code], "imported"))
                for leaf in self._leaves_under(code):
                    self.unit_of[leaf] = code
                return
            if kids:
                self.static_nodes.append(Node(code, crit.title, crit.max_points, "sum", capped=crit.capped))
                for kid in kids:
                    visit(kid)
                return
            self.unit_of[code] = code
            if crit.rule in SPECIAL_RULES or crit.rule == "imported":
                node = Node(code, crit.title, crit.max_points, crit.rule)
                self.leaf_nodes[code] = (node, node)
            else:  # points already awarded: pass them as a figure; no points: "chưa chấm"
                self.leaf_nodes[code] = (Node(code, crit.title, crit.max_points, "imported"),
                                         Node(code, crit.title, crit.max_points, "manual"))

        for root in self.roots:
            visit(root)

    def _leaves_under(self, code):
        kids = self.children[code]
        if not kids:
            return [code]
        return [leaf for k in kids for leaf in self._leaves_under(k)]

    def _static_max(self, code) -> Decimal:
        kids = self.children[code]
        if not kids:
            return self.crit[code].max_points
        return min(self.crit[code].max_points, sum((self._static_max(k) for k in kids), ZERO))

    # ------------------------------------------------ SQL

    def sql_units(self, with_survey=False):
        """{unit code: [criterion ids]} for leaves whose unit is not their top-level field
        (survey leaves only `with_survey`)."""
        out = defaultdict(list)
        for leaf, unit in self.unit_of.items():
            crit = self.crit[leaf]
            if (crit.rule == "survey" and not with_survey) or unit == leaf.split(".")[0]:
                continue
            out[unit].append(crit.id)
        return out

    # ------------------------------------------------ scoring

    def _nodes(self, unit_points):
        nodes = list(self.static_nodes)
        imported, survey, inputs = {}, {}, {}
        for code in self.multi_units:
            imported[code] = unit_points.get(code) or ZERO
        for code, (with_points, without) in self.leaf_nodes.items():
            value = unit_points.get(code)
            if value is None:
                nodes.append(without)
                continue
            nodes.append(with_points)
            if with_points.rule in ("bonus", "penalty"):
                inputs[code] = {"score": str(min(value, with_points.max_points))}
            elif with_points.rule == "survey":
                survey[code] = value
            else:
                imported[code] = value
        return nodes, {"inputs": inputs, "survey": survey, "imported": imported}

    def engine_score(self, unit_points, na_codes=()) -> Scored:
        """The engine on the compressed tree for one agency."""
        nodes, figures = self._nodes(unit_points)
        result = score(nodes, not_applicable=na_codes, bonus_cap=self.bonus_cap, penalty_cap=self.penalty_cap,
                       **figures)
        return Scored(result.total, result.applicable_max, result.index, result.bonus, result.penalty,
                      result.fields, result.pending, result.points)

    def plan(self, na_codes) -> _Plan:
        key = frozenset(na_codes)
        if key not in self._plans:
            self._plans[key] = self._make_plan(key)
        return self._plans[key]

    def _compressed_parent(self, code):
        parent = code.rpartition(".")[0]
        return parent if parent in self.crit else None

    def _make_plan(self, na_codes) -> _Plan:
        empty = self.engine_score({}, na_codes)
        points = empty.points
        plan = _Plan(linear=True, points=points, applicable_max=empty.applicable_max)
        compressed = sorted({n.code for n in self.static_nodes} | set(self.leaf_nodes), key=_code_key)
        kids = defaultdict(list)
        for code in compressed:
            parent = self._compressed_parent(code)
            if parent is not None:
                kids[parent].append(code)
        position = {}
        for code in compressed:
            kind = self.kind[code]
            if code in self.leaf_nodes or code in self.multi_units:
                parent = self._compressed_parent(code)
                if kind != "base" and parent is not None and self.kind[parent] == kind:
                    plan.linear = False  # a pure bonus/penalty branch caps its children
                if points[code].applicable:
                    position[code] = len(plan.leaves)
                    may_pend = code in self.leaf_nodes and self.crit[code].rule in ("survey", "imported")
                    plan.leaves.append((code, points[code].max, may_pend))
            elif kind in ("bonus", "penalty"):
                plan.linear = False
            elif kind == "base" and points[code].applicable:
                counted = sum((points[k].max for k in kids[code] if self.kind[k] == "base"), ZERO)
                if counted > self.crit[code].max_points:
                    plan.linear = False  # a cap may bind: let the engine decide per agency
        for root in self.roots:
            under = [c for c in position if c == root or c.startswith(root + ".")]
            plan.roots.append((
                root, self.kind[root], points[root],
                tuple(position[c] for c in under if self.kind[c] == "base"),
                tuple(position[c] for c in under if self.kind[c] == "bonus"),
                tuple(position[c] for c in under if self.kind[c] == "penalty"),
            ))
        return plan

    def score(self, unit_points, na_codes=(), *, detail=False) -> Scored:
        """One agency: plain sums over the plan when no cap can bind, else the engine.

        Figures from the database carry 2 decimals already (so they need no rounding);
        each is kept within [0, its max] as the engine does.
        """
        plan = self.plan(na_codes)
        if detail or not plan.linear:
            return self.engine_score(unit_points, na_codes)
        get = unit_points.get
        values, pending = [], []
        for code, max_points, may_pend in plan.leaves:
            value = get(code)
            if value is None:
                value = ZERO
                if may_pend:
                    pending.append(code)
            elif value > max_points:
                value = max_points
            elif value < ZERO:
                value = ZERO
            values.append(value)
        fields, base_total, bonus_sum, penalty_sum = {}, ZERO, ZERO, ZERO
        for root, kind, p, base, bonuses, penalties in plan.roots:
            bonus = penalty = ZERO
            for i in bonuses:
                bonus += values[i]
            for i in penalties:
                penalty += values[i]
            bonus_sum += bonus
            penalty_sum += penalty
            if not p.applicable:
                fields[root] = p
                continue
            if kind == "base":
                value = ZERO
                for i in base:
                    value += values[i]
                base_total += value
            elif kind == "bonus":  # a bonus or penalty leaf at the top: its own points
                value = bonus
            elif kind == "penalty":
                value = penalty
            else:  # mixed: the net, as the engine shows it
                value = bonus - penalty
            is_pending = bool(pending) and any(c == root or c.startswith(root + ".") for c in pending)
            fields[root] = Points(value, p.max, "", True, is_pending)
        bonus = bonus_sum if self.bonus_cap is None else min(bonus_sum, self.bonus_cap)
        penalty = penalty_sum if self.penalty_cap is None else min(penalty_sum, self.penalty_cap)
        total = max(base_total + bonus - penalty, ZERO)
        index = None
        if plan.applicable_max > 0:
            with localcontext() as ctx:
                ctx.prec = 28
                index = round_points(total * HUNDRED / plan.applicable_max)
        return Scored(total, plan.applicable_max, index, bonus, penalty, fields, pending)


def _survey_figures(campaign) -> dict[tuple[int, int], Decimal]:
    """Live survey points {(agency id, criterion id): points} from the surveys app (a bulk
    read: a few queries whatever the number of agencies); too few answers give no figure."""
    from surveys.selectors import points as survey_points_selectors

    out = {}
    for key, value in survey_points_selectors.survey_points(campaign=campaign).items():
        if value.points is not None:
            out[key] = round_points(Decimal(value.points))
    return out


def _counted_points():
    """SQL for the counted points of an item without live survey points (see the module docstring)."""
    return Coalesce(
        "appraised_points",
        Case(When(criterion__rule="imported", then=Coalesce("external_points", "self_points")),
             When(criterion__rule="survey", then=F("external_points")),
             default=F("self_points")),
    )


def _unit_expression(shapes, with_survey):
    """The SQL unit of an item as an integer (cheap to group): its top-level field number,
    or a negative key for the finer units the shapes ask for. Returns (expression, key → code)."""
    field_number = Cast(Left("criterion__code", StrIndex(Concat("criterion__code", Value(".")), Value(".")) - 1),
                        IntegerField())
    ids_by_code = defaultdict(list)
    for shape in shapes:
        for code, ids in shape.sql_units(with_survey).items():
            ids_by_code[code] += ids
    codes = {}
    whens = []
    for n, (code, ids) in enumerate(sorted(ids_by_code.items()), start=1):
        codes[-n] = code
        whens.append(When(criterion_id__in=ids, then=Value(-n)))
    if not whens:
        return field_number, codes
    return Case(*whens, default=field_number, output_field=IntegerField()), codes


def _load_shapes(campaign, detail, survey_apart=True):
    """The campaign's criteria sets as shapes, and N/A codes per (set, agency): two queries."""
    shapes: dict[int, SetShape] = {}
    criteria = Criterion.objects.filter(criteria_set__campaign=campaign).values_list(
        "id", "criteria_set_id", "code", "title", "max_points", "rule", "capped",
        "criteria_set__bonus_cap", "criteria_set__penalty_cap").order_by()
    for cid, set_id, code, title, max_points, rule, capped, bonus_cap, penalty_cap in criteria:
        if set_id not in shapes:
            shapes[set_id] = SetShape(set_id, bonus_cap, penalty_cap)
        shapes[set_id].add(Crit(cid, code, title, max_points, rule, capped))
    na_by_agency: dict[tuple[int, int], set[str]] = defaultdict(set)
    na_by_set: dict[int, set[str]] = defaultdict(set)
    through = Criterion.not_applicable_to.through.objects.filter(criterion__criteria_set__campaign=campaign)
    for set_id, code, agency_id in through.values_list(
            "criterion__criteria_set_id", "criterion__code", "agency_id").order_by():
        na_by_agency[(set_id, agency_id)].add(code)
        na_by_set[set_id].add(code)
    for set_id, shape in shapes.items():
        shape.finish(na_by_set[set_id], detail=detail, survey_apart=survey_apart)
    return shapes, na_by_agency


@contextmanager
def no_cyclic_gc():
    """Bulk work that creates many objects (results of 3,400 agencies, a PDF's layout boxes)
    would trigger full garbage collections that walk every object of the process, a third
    of the time; the cycle collector waits until the work is done (reference counting
    still frees everything else at once)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def campaign_results(*, campaign, detail=False, assessments=None, settings=None) -> CampaignResults:
    """Every agency's results (see the module docstring). `assessments`: limit to these
    assessment ids; `detail`: nothing collapsed, the engine on every agency, every node's
    points in `row.nodes`."""
    with no_cyclic_gc():
        return _campaign_results(campaign=campaign, detail=detail, assessments=assessments, settings=settings)


def _campaign_results(*, campaign, detail, assessments, settings) -> CampaignResults:
    settings = settings or result_settings_for(campaign)
    qs = with_stage(Assessment.objects.filter(campaign=campaign).order_by())
    items = Item.objects.filter(assessment__campaign=campaign)
    if assessments is not None:
        assessments = list(assessments)
        qs = qs.filter(pk__in=assessments)
        items = items.filter(assessment_id__in=assessments)
    assessment_rows = list(qs.values_list(
        "pk", "criteria_set_id", "status", "agency_id", "agency__code", "agency__name", "agency__group__code",
        "agency__group__name", "agency__group__order", "stage"))
    # Live survey points, when the survey offers them, are joined in Python; otherwise
    # survey items are summed in SQL like the others (appraised, else external points).
    survey_live = _survey_figures(campaign)
    shapes, na_by_agency = _load_shapes(campaign, detail, survey_apart=bool(survey_live))
    units: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    plain = items.exclude(criterion__rule="survey") if survey_live else items
    if detail:  # every leaf is a unit: no grouping needed
        code_of = {c.id: code for shape in shapes.values() for code, c in shape.crit.items()}
        aggregate = plain.annotate(points=_counted_points()).values_list(
            "assessment_id", "criterion_id", "points").order_by()
    else:
        unit, code_of = _unit_expression(shapes.values(), with_survey=not survey_live)
        # values_list() of the grouped expression straight away: every extra queryset step
        # would deep-copy the unit expression and its id lists
        aggregate = plain.values_list("assessment_id", unit).annotate(
            points=Sum(_counted_points(), output_field=DecimalField(max_digits=12, decimal_places=2))).order_by()
    for assessment_id, key, points in aggregate:
        code = code_of.get(key)
        units[assessment_id][str(key) if code is None else code] = points
    if survey_live:
        for assessment_id, agency_id, criterion_id, code, appraised, external in items.filter(
                criterion__rule="survey").values_list(
                "assessment_id", "assessment__agency_id", "criterion_id", "criterion__code",
                "appraised_points", "external_points").order_by():
            if appraised is not None:
                units[assessment_id][code] = appraised
            else:
                units[assessment_id][code] = survey_live.get((agency_id, criterion_id), external)

    rows = []
    set_of_group: dict[str, int] = {}
    for pk, set_id, status, agency_id, code, name, group_code, group_name, group_order, stage in assessment_rows:
        shape = shapes.get(set_id)
        set_of_group.setdefault(group_code, set_id)
        scored = None
        if shape is not None:  # a set without criteria yet scores nothing
            scored = shape.score(units.get(pk, {}), na_by_agency.get((set_id, agency_id), ()), detail=detail)
        rows.append(_row(scored, shape, agency_id=agency_id, agency_code=code, agency_name=name,
                         group_code=group_code, group_name=group_name, group_order=group_order,
                         assessment_id=pk, status=status, stage=stage))

    by_group: dict[str, list] = defaultdict(list)
    for row in rows:
        row.grade = grade_for(row.index, settings.grade_bands)
        by_group[row.group_code].append(row)
    for group_rows in by_group.values():
        assign_ranks(group_rows, settings.rank_method)
    rows.sort(key=lambda r: (r.group_order, r.group_code, r.rank is None, r.rank or 0, r.agency_code))
    titles = {sid: {code: c.title for code, c in shape.crit.items()} for sid, shape in shapes.items()}
    return CampaignResults(campaign=campaign, settings=settings, rows=rows, titles=titles,
                           set_of_group=set_of_group)


def _row(scored: Scored | None, shape, **common) -> AgencyResult:
    if scored is None:
        return AgencyResult(total=ZERO, max_points=ZERO, index=None, bonus=ZERO, penalty=ZERO, fields=[], **common)
    crit = shape.crit
    fields = [FieldResult(code, crit[code].title, p.value, p.max, p.applicable, shape.kind[code])
              for code, p in scored.fields.items()]
    return AgencyResult(
        total=scored.total, max_points=scored.applicable_max, index=scored.index, bonus=scored.bonus,
        penalty=scored.penalty, fields=fields, pending=scored.pending, nodes=scored.points, **common,
    )


# ---------------------------------------------------------------- one agency's score sheet


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
    for code in sorted(shape.crit, key=_code_key):
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


def results_filter(rows, *, q="", group=""):
    """Rows whose agency name or code contains `q` (case-insensitive), of one group."""
    q = (q or "").strip().casefold()
    return [r for r in rows if (not group or r.group_code == group)
            and (not q or q in r.agency_name.casefold() or q in r.agency_code.casefold())]

