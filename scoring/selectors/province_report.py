"""The Sở's draft report of the province's self-assessment (issue #17, point 3): per field the
self points against last year's official result (by the criteria mapping), the total, the
items that lost points and why, and the items scored lower than last year's official points.
One context for the preview page, the PDF and the .docx."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from campaigns.models import Campaign
from cchc_portal.core.utils import dateline
from scoring.models import Criterion, Item, OfficialResult, Rule
from scoring.selectors.province_official import (
    ComparisonRow,
    add_up,
    minus,
    official_comparison,
    points_lost,
    signed,
)


@dataclass
class ReportField:
    criterion: Criterion
    self_points: Decimal | None
    last_official: Decimal | None  # None: "chưa có"

    @property
    def difference(self):
        return minus(self.self_points, self.last_official)


@dataclass
class LostItem:
    row: ComparisonRow
    lost: Decimal

    @property
    def item(self) -> Item:
        return self.row.item


@dataclass
class LowerItem:
    row: ComparisonRow
    last_official: Decimal

    @property
    def item(self) -> Item:
        return self.row.item

    @property
    def difference(self):
        return minus(self.row.self_points, self.last_official)


@dataclass
class ProvinceReport:
    campaign: Campaign
    last_year: int | None  # the year whose official result is compared; None: none mapped
    has_last_official: bool
    fields: list[ReportField]
    lost: list[LostItem]
    lower: list[LowerItem]
    header: dict
    province: str

    @property
    def max_total(self):
        return sum((f.criterion.max_points for f in self.fields), Decimal(0))

    @property
    def self_total(self):
        return add_up(f.self_points for f in self.fields)

    @property
    def last_official_total(self):
        return add_up(f.last_official for f in self.fields) if self.has_last_official else None

    @property
    def difference(self):
        return minus(self.self_total, self.last_official_total)

    @property
    def index(self):
        total, most = self.self_total, self.max_total
        if total is None or not most:
            return None
        return (total / most * 100).quantize(Decimal("0.01"))

    @property
    def title(self) -> str:
        return (f"Kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm {self.campaign.year} "
                f"của tỉnh {self.province}")


def province_header(*, now=None) -> dict:
    """The issuer's block of the report: the People's Committee of the province (it signs the
    report the Sở drafts), "Số: …/BC-UBND" and the place and date line (Nghị định 30/2020)."""
    province = getattr(settings, "PROVINCE_NAME", "") or ""
    today = timezone.localtime(now or timezone.now()).date()
    return {"authority_name": "", "office_name": f"UBND TỈNH {province.upper()}" if province else "UBND TỈNH",
            "number_suffix": "BC-UBND", "dateline": dateline(province, today)}


def _last_year_fields(fields) -> tuple[int | None, dict[int, Decimal | None]]:
    """(last year, field id → the official points of the field its mapping leads to last year,
    None where none is imported) from the fields' `previous`."""
    previous = {f.pk: f.previous_id for f in fields if f.previous_id}
    if not previous:
        return None, {}
    old = {c.pk: c for c in Criterion.objects.filter(
        pk__in=set(previous.values()), criteria_set__campaign__kind=Campaign.Kind.PROVINCE).select_related(
        "criteria_set__campaign")}
    if not old:
        return None, {}
    campaign = max((c.criteria_set.campaign for c in old.values()), key=lambda c: c.year)
    sums: dict[str, list[Decimal]] = {}
    for code, rule, points in OfficialResult.objects.filter(item__assessment__campaign=campaign).values_list(
            "item__criterion__code", "item__criterion__rule", "points"):
        sums.setdefault(code.split(".")[0], []).append(signed(rule, points))
    out = {}
    for field_id, old_id in previous.items():
        c = old.get(old_id)
        out[field_id] = add_up(sums.get(c.code, [])) if c is not None and c.criteria_set.campaign == campaign else None
    return campaign.year, out


def province_report(*, campaign, assessment, now=None) -> ProvinceReport:
    """What the draft report says (a fixed number of queries, whatever the number of items)."""
    comparison = official_comparison(assessment=assessment, max_years=1)
    tops = [f.criterion for f in comparison.fields]
    last_year, last = _last_year_fields(tops)
    fields = [ReportField(f.criterion, f.self_points, last.get(f.criterion.pk)) for f in comparison.fields]
    lost = []
    for row in comparison.rows:
        c = row.item.criterion
        if c.rule == Rule.SURVEY:  # the Ministry scores these from its survey: nothing the province lost
            continue
        missing = points_lost(rule=c.rule, max_points=c.max_points, points=row.self_points)
        if missing > 0:
            lost.append(LostItem(row, missing))
    lower = []
    for row in comparison.rows:
        before = row.history.get(last_year) if last_year else None
        if before is None or before.official_points is None or row.self_points is None:
            continue
        if signed(row.item, row.self_points) < signed(row.item, before.official_points):
            lower.append(LowerItem(row, before.official_points))
    return ProvinceReport(campaign=campaign, last_year=last_year,
                          has_last_official=any(f.last_official is not None for f in fields), fields=fields,
                          lost=lost, lower=lower, header=province_header(now=now),
                          province=getattr(settings, "PROVINCE_NAME", "") or "…")
