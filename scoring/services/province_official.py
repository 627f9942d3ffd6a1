"""The Ministry's official result of the province's own index, imported from Excel.

Columns (header row; Vietnamese headers also accepted): ``code`` (mã tiêu chí: an item of
the province campaign's criteria set, i.e. a criterion without sub-criteria), ``points``
(điểm: from 0 to the item's max; "," or "." as the decimal mark; half-up to 2 decimals),
``note`` (ghi chú, optional). Every row is checked first and every error named by its row;
nothing is written if there is any (an unknown code, a criterion that is not an item,
points missing, not a number, negative or above the max, the same code twice). Each row
replaces the item's `OfficialResult`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc_portal.core.excel import ImportReport, RowError, WorkbookWriter, read_sheet
from cchc_portal.core.numbers import vi_number
from cchc_portal.core.utils import q2
from scoring.models import Item, OfficialResult
from scoring.rules.kinds import decimal_str, to_decimal
from scoring.services.province import _require_officer, _require_province

COLUMNS = ["code", "points", "note"]
ALIASES = {
    "code": ["mã", "mã tiêu chí", "ma tieu chi", "tiêu chí", "criterion_code"],
    "points": ["điểm", "diem", "điểm chính thức", "official_points", "value"],
    "note": ["ghi chú", "ghi chu", "notes"],
}
LABELS = {"code": "Mã tiêu chí", "points": "Điểm chính thức", "note": "Ghi chú"}
INFO = [("title", "Nội dung tiêu chí"), ("max_points", "Điểm tối đa"), ("self_points", "Điểm tự chấm")]


@dataclass
class OfficialRow:
    row: int
    code: str
    points: Decimal
    note: str
    item_id: int

    def as_dict(self) -> dict:
        return {"row": self.row, "code": self.code, "points": decimal_str(self.points), "note": self.note}


@dataclass
class OfficialReport(ImportReport):
    rows: list[OfficialRow] = field(default_factory=list)

    def as_dict(self):
        return {**super().as_dict(), "rows": [r.as_dict() for r in self.rows]}


def _items(assessment) -> dict[str, Item]:
    return {i.criterion.code: i for i in Item.objects.filter(assessment=assessment).select_related(
        "criterion", "official_result").order_by("criterion__order", "criterion__code")}


def official_template(*, assessment) -> WorkbookWriter:
    """The import's own sheet: row 1 the column codes, row 2 their Vietnamese names, one row
    per item (the official points already stored filled in), title and max for reading."""
    book = WorkbookWriter()
    ws = book.sheet("ket_qua_chinh_thuc", COLUMNS + [code for code, _label in INFO],
                    labels=[LABELS[c] for c in COLUMNS] + [label for _code, label in INFO],
                    widths=[10, 14, 40, 60, 12, 12], formats={0: "@", 1: "0.00", 4: "0.00", 5: "0.00"})
    for code, item in _items(assessment).items():
        official = getattr(item, "official_result", None)
        ws.append([code, official.points if official else None, official.note if official else "",
                   item.criterion.title, item.criterion.max_points, item.self_points])
    return book


def _check(*, assessment, rows) -> tuple[list[OfficialRow], list[RowError]]:
    items = _items(assessment)
    branches = set(assessment.criteria_set.criteria.values_list("code", flat=True)) - set(items)
    out, errors, seen = [], [], {}
    for number, r in rows:
        code = r.get("code", "").strip().rstrip(".")
        before = len(errors)
        item = items.get(code)
        if not code:
            errors.append(RowError(number, "code", _("Thiếu mã tiêu chí.")))
        elif item is None and code in branches:
            errors.append(RowError(number, "code", _(
                "“%(code)s” là lĩnh vực hoặc tiêu chí có tiêu chí thành phần; hãy nhập điểm cho từng tiêu chí "
                "thành phần.") % {"code": code}))
        elif item is None:
            errors.append(RowError(number, "code", _("Không có tiêu chí “%(code)s” trong bộ tiêu chí của đợt.")
                                   % {"code": code}))
        elif code in seen:
            errors.append(RowError(number, "code", _("Tiêu chí “%(code)s” trùng với dòng %(row)s.")
                                   % {"code": code, "row": seen[code]}))
        seen.setdefault(code, number)
        text = r.get("points", "").strip()
        value = to_decimal(text) if text else None
        if not text:
            errors.append(RowError(number, "points", _("Thiếu điểm.")))
        elif value is None:
            errors.append(RowError(number, "points", _("Điểm “%(text)s” không phải là số.") % {"text": text}))
        elif value < 0:
            errors.append(RowError(number, "points", _("Điểm %(value)s không được âm.") % {"value": vi_number(value)}))
        elif item is not None and value > item.criterion.max_points:
            errors.append(RowError(number, "points", _("Điểm %(value)s vượt điểm tối đa %(max)s.") % {
                "value": vi_number(value), "max": vi_number(item.criterion.max_points)}))
        if len(errors) == before:
            out.append(OfficialRow(number, code, q2(value), r.get("note", "").strip(), item.pk))
    return out, errors


def official_result_import(*, campaign, assessment, file, user, now=None) -> OfficialReport:
    """Check every row of the file; store the official points (one `OfficialResult` per item,
    replacing the previous import's) only if no row has an error."""
    _require_officer(user)
    _require_province(campaign)
    rows, errors = read_sheet(file, COLUMNS, aliases=ALIASES, required=["code", "points"])
    if not errors and not rows:
        errors = [RowError(0, "", _("Tệp không có dòng kết quả nào."))]
    if errors:
        return OfficialReport(errors=errors)
    found, errors = _check(assessment=assessment, rows=rows)
    report = OfficialReport(errors=errors, rows=found)
    if errors:
        return report
    now = now or timezone.now()
    with transaction.atomic():
        stored = {o.item_id: o for o in OfficialResult.objects.select_for_update().filter(
            item_id__in=[r.item_id for r in found])}
        new, changed = [], []
        for r in found:
            result = stored.get(r.item_id) or OfficialResult(item_id=r.item_id)
            result.points, result.note, result.imported_by, result.imported_at = r.points, r.note, user, now
            result.full_clean(exclude=["item"], validate_unique=False)  # the item is checked above, one row each
            (new if result.pk is None else changed).append(result)
        OfficialResult.objects.bulk_create(new)
        OfficialResult.objects.bulk_update(changed, ["points", "note", "imported_by", "imported_at"])
        report.created, report.updated = len(new), len(changed)
    return report
