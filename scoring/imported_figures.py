"""Imported figures: per-agency points of `imported` criteria (e.g. the ratings of public
services on the National Public Service Portal) read from Excel.

Columns (header row; Vietnamese headers also accepted):
``agency_code`` (mã đơn vị), ``criterion_code`` (mã tiêu chí), ``value`` (điểm, giá trị: the
points, a number from 0 to the criterion's max; "," or "." as the decimal mark; rounded
half-up to 2 decimals), ``source`` (nguồn), ``note`` (ghi chú).

Every row is checked first and every error reported (unknown agency, unknown criterion or
one that is not an `imported` criterion of the agency's set, a criterion that does not apply
to the agency, a value that is not a number or outside [0, max], the same agency and
criterion twice, an agency already finalised); nothing is written if there is any error,
nor in a dry run. Each figure becomes the item's ``external_points``; the item's self and
appraised points are recomputed by ``compute.item_points``, the totals by the engine, and
an ``ImportedFigure`` row records who, when and the source.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc_portal.core.excel import ImportReport, RowError, WorkbookWriter, read_sheet
from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.core.numbers import vi_number
from cchc_portal.core.utils import q2
from scoring.compute import item_points
from scoring.models import Assessment, Criterion, ImportedFigure, Item
from scoring.rules.kinds import decimal_str, to_decimal

COLUMNS = ["agency_code", "criterion_code", "value", "source", "note"]
ALIASES = {
    "agency_code": ["mã đơn vị", "ma don vi", "đơn vị", "agency"],
    "criterion_code": ["mã tiêu chí", "ma tieu chi", "tiêu chí", "criterion", "code"],
    "value": ["giá trị", "gia tri", "điểm", "diem", "số liệu", "points"],
    "source": ["nguồn", "nguồn số liệu", "nguon"],
    "note": ["ghi chú", "ghi chu", "notes"],
}

# The Vietnamese header an export writes under the codes' row (each one of ALIASES, so read back).
LABELS = {"agency_code": "Mã đơn vị", "criterion_code": "Mã tiêu chí", "value": "Giá trị", "source": "Nguồn",
          "note": "Ghi chú"}
INFO_COLUMNS = [("agency_name", "Tên đơn vị"), ("criterion_title", "Nội dung tiêu chí")]  # not read back


def figures_workbook(*, campaign) -> WorkbookWriter:
    """The figures stored for a campaign in the import's own format: row 1 the column codes,
    row 2 their Vietnamese names, then one row per figure (read back as it is)."""
    book = WorkbookWriter()
    ws = book.sheet("figures", COLUMNS + [code for code, _label in INFO_COLUMNS],
                    labels=[LABELS[c] for c in COLUMNS] + [label for _code, label in INFO_COLUMNS],
                    widths=[14, 12, 10, 24, 30, 40, 50], formats={0: "@", 1: "@", 2: "0.00"})
    rows = (Item.objects.filter(assessment__campaign=campaign, criterion__rule="imported",
                                external_points__isnull=False)
            .order_by("assessment__agency__code", "criterion__order", "criterion__code")
            .values_list("assessment__agency__code", "criterion__code", "external_points",
                         "assessment__agency__name", "criterion__title"))
    sources = {(agency, code): (source, note) for agency, code, source, note in  # the latest import wins
               ImportedFigure.objects.filter(item__assessment__campaign=campaign).order_by("imported_at", "pk")
               .values_list("item__assessment__agency__code", "item__criterion__code", "source", "note")}
    for agency_code, code, value, agency_name, title in rows.iterator():
        source, note = sources.get((agency_code, code), ("", ""))
        ws.append([agency_code, code, value, source, note, agency_name, title])
    return book


@dataclass
class FigureRow:
    row: int
    agency_code: str
    criterion_code: str
    value: Decimal
    source: str
    note: str
    agency_name: str = ""
    criterion_title: str = ""
    current: Decimal | None = None
    item_id: int | None = None

    def as_dict(self) -> dict:
        return {"row": self.row, "agency_code": self.agency_code, "criterion_code": self.criterion_code,
                "value": decimal_str(self.value), "source": self.source, "note": self.note}


@dataclass
class FiguresReport(ImportReport):
    rows: list[FigureRow] = field(default_factory=list)

    def as_dict(self):
        return {**super().as_dict(), "rows": [r.as_dict() for r in self.rows]}


def raw_rows(file) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """The sheet's rows as (row number, {column: text})."""
    return read_sheet(file, COLUMNS, aliases=ALIASES, required=["agency_code", "criterion_code", "value"])


def _check(*, campaign, rows) -> tuple[list[FigureRow], list[RowError]]:
    codes = {r.get("agency_code", "").strip() for _n, r in rows}
    assessments = {
        a.agency.code: a
        for a in Assessment.objects.filter(campaign=campaign, agency__code__in=codes).select_related("agency")
    }
    set_ids = {a.criteria_set_id for a in assessments.values()}
    criteria = {(c.criteria_set_id, c.code): c for c in Criterion.objects.filter(criteria_set_id__in=set_ids)}
    through = Criterion.not_applicable_to.through
    na = set(through.objects.filter(criterion__criteria_set_id__in=set_ids,
                                    agency_id__in=[a.agency_id for a in assessments.values()])
             .values_list("criterion__criteria_set_id", "agency_id", "criterion__code"))
    items = {(i.assessment_id, i.criterion_id): i for i in Item.objects.filter(
        assessment__in=list(assessments.values()), criterion__rule="imported").only(
        "id", "assessment_id", "criterion_id", "external_points")}
    out, errors, seen = [], [], {}
    for number, r in rows:
        agency_code = r.get("agency_code", "").strip()
        code = r.get("criterion_code", "").strip().rstrip(".")
        before = len(errors)
        assessment = assessments.get(agency_code)
        if not agency_code:
            errors.append(RowError(number, "agency_code", "Thiếu mã đơn vị."))
        elif assessment is None:
            errors.append(RowError(number, "agency_code", f"Không có đơn vị “{agency_code}” trong đợt đánh giá."))
        elif assessment.status == Assessment.Status.FINAL:
            errors.append(RowError(number, "agency_code",
                                   f"Đơn vị “{agency_code}” đã được chốt điểm; không nhập số liệu được."))
        criterion = None
        if not code:
            errors.append(RowError(number, "criterion_code", "Thiếu mã tiêu chí."))
        elif assessment is not None:
            criterion = criteria.get((assessment.criteria_set_id, code))
            if criterion is None:
                errors.append(RowError(number, "criterion_code",
                                       f"Không có tiêu chí “{code}” trong bộ tiêu chí của đơn vị."))
            elif criterion.rule != "imported":
                errors.append(RowError(
                    number, "criterion_code",
                    f"Tiêu chí “{code}” không lấy điểm từ số liệu nhập (quy tắc “{criterion.rule}”)."))
                criterion = None
            elif any((assessment.criteria_set_id, assessment.agency_id, c) in na
                     for c in _ancestors_and_self(code)):
                errors.append(RowError(number, "criterion_code",
                                       f"Tiêu chí “{code}” không áp dụng cho đơn vị “{agency_code}”."))
                criterion = None
        text = r.get("value", "").strip()
        value = to_decimal(text)
        if not text:
            errors.append(RowError(number, "value", "Thiếu giá trị."))
        elif value is None:
            errors.append(RowError(number, "value", f"Giá trị “{text}” không phải là số."))
        elif criterion is not None and not Decimal(0) <= value <= criterion.max_points:
            errors.append(RowError(number, "value", f"Giá trị {vi_number(value)} phải từ 0 đến "
                                                    f"{vi_number(criterion.max_points)} (điểm tối đa)."))
        elif value < 0:
            errors.append(RowError(number, "value", f"Giá trị {vi_number(value)} không được âm."))
        source = r.get("source", "").strip()
        if len(source) > 255:
            errors.append(RowError(number, "source", "Nguồn số liệu dài quá 255 ký tự."))
        key = (agency_code, code)
        if agency_code and code and key in seen:
            errors.append(RowError(number, "criterion_code",
                                   f"Đơn vị “{agency_code}”, tiêu chí “{code}” trùng với dòng {seen[key]}."))
        seen.setdefault(key, number)
        if len(errors) > before or criterion is None or assessment is None:
            continue
        item = items.get((assessment.pk, criterion.pk))
        if item is None:
            errors.append(RowError(number, "criterion_code", f"Đơn vị “{agency_code}” chưa có tiêu chí “{code}”."))
            continue
        out.append(FigureRow(row=number, agency_code=agency_code, criterion_code=code, value=q2(value),
                             source=source, note=r.get("note", "").strip(), agency_name=assessment.agency.name,
                             criterion_title=criterion.title, current=item.external_points, item_id=item.pk))
    return out, errors


def _ancestors_and_self(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def figures_import_rows(*, campaign, rows, user=None, dry_run=False, now=None) -> FiguresReport:
    """Check and (unless `dry_run` or any error) store rows given as (row number, {column: text})."""
    from scoring.selectors.assessments import assessment_score
    from scoring.services.appraisal import refresh_totals

    if user is not None:
        from campaigns.selectors import user_is_officer

        if not user_is_officer(user):
            raise ApplicationError(_("Chỉ cán bộ Sở Nội vụ được nhập số liệu."), status=403)
    now = now or timezone.now()
    figures, errors = _check(campaign=campaign, rows=rows)
    report = FiguresReport(errors=errors, rows=figures, dry_run=dry_run)
    if errors or dry_run:
        return report
    with transaction.atomic():
        touched = {}
        locked = (Item.objects.select_for_update(of=("self",)).select_related("criterion", "assessment")
                  .prefetch_related("documents"))
        by_id = {i.pk: i for i in locked.filter(pk__in=[f.item_id for f in figures])}
        for f in figures:
            item = by_id[f.item_id]
            if item.assessment.status == Assessment.Status.FINAL:
                raise ApplicationError(
                    _("Đơn vị “%(agency_code)s” vừa được chốt điểm; chưa nhập dữ liệu nào.")
                    % {"agency_code": f.agency_code},
                    status=409)
            created = item.external_points is None
            item.external_points = f.value
            points = item_points(item)
            item.self_points, item.self_reason = points.value, points.reason[:255]
            item.appraised_points = points.value if item.appraisal_state != Item.AppraisalState.PENDING \
                else item.appraised_points
            item._history_user, item._history_date = user, now
            item._change_reason = f"số liệu nhập: {f.source}"[:100]
            item.save(update_fields=["external_points", "self_points", "self_reason", "appraised_points"])
            ImportedFigure.objects.create(item=item, value=f.value, source=f.source, note=f.note,
                                          imported_by=user, imported_at=now)
            report.created += created
            report.updated += not created
            touched[item.assessment_id] = item.assessment
        for assessment in Assessment.objects.filter(pk__in=touched).select_related("criteria_set", "agency",
                                                                                    "campaign"):
            result = assessment_score(assessment=assessment)
            Assessment.objects.filter(pk=assessment.pk).update(self_total=result.total)
            refresh_totals(assessment, user=user, now=now)
    return report


def figures_import(*, campaign, file, user=None, dry_run=False, now=None) -> FiguresReport:
    """Import an .xlsx file of figures (see the module docstring); every row error is
    reported and nothing is written if there is any, nor in a dry run."""
    rows, errors = raw_rows(file)
    if errors:
        return FiguresReport(errors=errors, dry_run=dry_run)
    if not rows:
        return FiguresReport(errors=[RowError(0, "", "Tệp không có dòng số liệu nào.")], dry_run=dry_run)
    return figures_import_rows(campaign=campaign, rows=rows, user=user, dry_run=dry_run, now=now)
