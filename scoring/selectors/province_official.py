"""Reads of the Ministry's official result of the province's own index: self against
official per item and per field, and the same item in earlier years (followed back through
`Criterion.previous`, the criteria mapping, to earlier province campaigns).

Field and total points here are the items' points added up (a penalty item's points taken
off), as the Ministry's sheet adds them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from campaigns.models import Campaign
from scoring.criteria_excel import code_key
from scoring.models import Criterion, Item, OfficialResult, Rule

MAX_YEARS = 5  # earlier years followed back


def signed(item_or_rule, value: Decimal | None) -> Decimal | None:
    """An item's points as they count in a sum: a penalty's points are taken off."""
    rule = item_or_rule if isinstance(item_or_rule, str) else item_or_rule.criterion.rule
    if value is None:
        return None
    return -value if rule == Rule.PENALTY else value


def points_lost(*, rule, max_points, points) -> Decimal:
    """What an item's points fall short of the best: below the max, or a penalty's points."""
    if points is None:
        return max_points if rule != Rule.PENALTY else Decimal(0)
    return points if rule == Rule.PENALTY else max(max_points - points, Decimal(0))


def add_up(values) -> Decimal | None:
    values = [v for v in values if v is not None]
    return sum(values, Decimal(0)) if values else None


def minus(a, b) -> Decimal | None:
    return None if a is None or b is None else a - b


@dataclass
class YearPoints:
    year: int
    self_points: Decimal | None
    official_points: Decimal | None


@dataclass
class ComparisonRow:
    item: Item
    official: OfficialResult | None
    history: dict[int, YearPoints] = field(default_factory=dict)  # year → the mapped item's points
    history_cells: list[YearPoints | None] = field(default_factory=list)  # per Comparison.years

    @property
    def code(self) -> str:
        return self.item.criterion.code

    @property
    def field_code(self) -> str:
        return self.code.split(".")[0]

    @property
    def self_points(self):
        return self.item.self_points

    @property
    def official_points(self):
        return self.official.points if self.official else None

    @property
    def difference(self):
        """Official minus self: negative when the Ministry gave fewer points than the province."""
        return minus(self.official_points, self.self_points)

    @property
    def lost(self) -> bool:
        return self.difference is not None and self.difference < 0


@dataclass
class FieldRow:
    criterion: Criterion
    self_points: Decimal | None
    official_points: Decimal | None

    @property
    def difference(self):
        return minus(self.official_points, self.self_points)


@dataclass
class Comparison:
    rows: list[ComparisonRow]
    fields: list[FieldRow]
    years: list[int]  # earlier years, latest first
    imported_at: object = None

    @property
    def self_total(self):
        return add_up(f.self_points for f in self.fields)

    @property
    def official_total(self):
        return add_up(f.official_points for f in self.fields)

    @property
    def difference(self):
        return minus(self.official_total, self.self_total)

    @property
    def has_official(self) -> bool:
        return any(r.official for r in self.rows)


def previous_points(criterion_ids: dict[int, int | None], *, max_years=MAX_YEARS) -> dict[int, dict[int, YearPoints]]:
    """Start criterion id → {year: the points of the item its mapping leads to in that year's
    province campaign}, following `previous` back up to `max_years` links (two queries each)."""
    found: dict[int, dict[int, YearPoints]] = {start: {} for start in criterion_ids}
    at = {start: prev for start, prev in criterion_ids.items() if prev}  # start → criterion of the year before
    for _level in range(max_years):
        if not at:
            break
        criteria = {c.pk: c for c in Criterion.objects.filter(pk__in=set(at.values())).select_related(
            "criteria_set__campaign").only("id", "previous_id", "criteria_set__campaign__year",
                                           "criteria_set__campaign__kind")}
        items = {i.criterion_id: i for i in Item.objects.filter(
            criterion_id__in=list(criteria), assessment__campaign__kind=Campaign.Kind.PROVINCE).select_related(
            "official_result").only("id", "criterion_id", "self_points", "official_result__points")}
        nxt = {}
        for start, criterion_id in at.items():
            criterion = criteria.get(criterion_id)
            if criterion is None:
                continue
            item = items.get(criterion_id)
            if item is not None and criterion.criteria_set.campaign.kind == Campaign.Kind.PROVINCE:
                official = getattr(item, "official_result", None)
                found[start].setdefault(criterion.criteria_set.campaign.year, YearPoints(
                    criterion.criteria_set.campaign.year, item.self_points, official.points if official else None))
            if criterion.previous_id:
                nxt[start] = criterion.previous_id
        at = nxt
    return found


def official_comparison(*, assessment, max_years=MAX_YEARS) -> Comparison:
    """Self against official per item and per field of a province assessment, with each item's
    self and official points in earlier years (columns per year, latest first)."""
    items = sorted(Item.objects.filter(assessment=assessment).select_related(
        "criterion", "official_result", "official_result__imported_by"), key=lambda i: code_key(i.criterion.code))
    history = previous_points({i.criterion_id: i.criterion.previous_id for i in items}, max_years=max_years)
    rows = [ComparisonRow(i, getattr(i, "official_result", None), history[i.criterion_id]) for i in items]
    years = sorted({y for r in rows for y in r.history if y < assessment.campaign.year}, reverse=True)
    for r in rows:
        r.history_cells = [r.history.get(y) for y in years]
    by_field: dict[str, list[ComparisonRow]] = {}
    for r in rows:
        by_field.setdefault(r.field_code, []).append(r)
    tops = Criterion.objects.filter(criteria_set=assessment.criteria_set, parent__isnull=True)
    fields = [FieldRow(c, add_up(signed(r.item, r.self_points) for r in by_field.get(c.code, [])),
                       add_up(signed(r.item, r.official_points) for r in by_field.get(c.code, [])))
              for c in sorted(tops, key=lambda c: code_key(c.code))]
    imported = [r.official.imported_at for r in rows if r.official]
    return Comparison(rows, fields, years, max(imported) if imported else None)
