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
from decimal import Decimal

from django.db.models import Case, DecimalField, F, IntegerField, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Left, StrIndex

from scoring.engine import Points, round_points
from scoring.models import Assessment, Criterion, Item
from scoring.selectors.progress import stage_label, with_stage

from .models import ResultSettings, default_grade_bands
from .shapes import HUNDRED, ZERO, Crit, Scored, SetShape

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


def results_filter(rows, *, q="", group=""):
    """Rows whose agency name or code contains `q` (case-insensitive), of one group."""
    q = (q or "").strip().casefold()
    return [r for r in rows if (not group or r.group_code == group)
            and (not q or q in r.agency_name.casefold() or q in r.agency_code.casefold())]

