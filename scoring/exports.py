"""The self-assessment report (Báo cáo tự đánh giá, chấm điểm; Phụ lục II of the Đắk Lắk
letter in seed 001): scores per field and item, the evidence per item and the explanations,
as a PDF (WeasyPrint, A4, the official header) and as an Excel workbook (openpyxl).
"""
from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from campaigns.models import Role
from campaigns.selectors import users_for_agency
from scoring.selectors.assessments import assessment_page_data

REPORT_TITLE = "Báo cáo tự đánh giá, chấm điểm"


def _province() -> str:
    return getattr(settings, "PROVINCE_NAME", "") or "…"


def report_context(*, assessment, now=None) -> dict:
    """What both formats show: the tree with points, explanations and evidence, and totals."""
    now = now or timezone.now()
    data = assessment_page_data(assessment=assessment, now=now)
    leader = users_for_agency(agency=assessment.agency, roles=[Role.LEADER]).order_by("pk").first()
    today = timezone.localdate(now)
    return {
        "assessment": assessment,
        "agency": assessment.agency,
        "campaign": assessment.campaign,
        "data": data,
        "rows": data.rows,
        "result": data.result,
        "province": _province(),
        "leader": leader,
        "today": today,
        "title": REPORT_TITLE,
    }


def report_pdf(*, assessment, now=None) -> bytes:
    """The report as an A4 PDF (fonts: Times New Roman, else Liberation Serif or DejaVu Serif)."""
    from weasyprint import HTML  # imported here: loading Pango is slow and only this needs it

    html = render_to_string("scoring/assessment/report_pdf.html", report_context(assessment=assessment, now=now))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


KIND_LABEL = {"bonus": " (điểm thưởng)", "penalty": " (điểm trừ)"}
# points added show "+", points taken off "−" in red: a penalty's points are written negative
SIGNED_FORMAT = '+0.00;[Red]"−"0.00;0.00'


def signed_cell(value, kind):
    """A bonus or penalty figure for a spreadsheet: negative when taken off, so that it reads
    (and adds up) as what it is."""
    if value is None or kind != "penalty":
        return value
    return -value


def report_xlsx(*, assessment, now=None) -> bytes:
    """The report as an .xlsx workbook: sheet "Tự đánh giá" (the tree) and sheet
    "Tài liệu kiểm chứng" (one row per document and item)."""
    ctx = report_context(assessment=assessment, now=now)
    wb = Workbook()
    ws = wb.active
    ws.title = "Tự đánh giá"
    ws.append([f"{REPORT_TITLE} – {ctx['campaign'].name}"])
    ws.append([f"Cơ quan, đơn vị: {ctx['agency'].name} ({ctx['agency'].code})"])
    result = ctx["result"]
    index = "–" if result.index is None else f"{result.index}%"
    ws.append([f"Tổng điểm tự chấm: {result.total} / {result.applicable_max} điểm; chỉ số: {index}"
               + (f" (gồm điểm thưởng +{result.bonus}, điểm trừ −{result.penalty})"
                  if result.bonus or result.penalty else "")])
    ws["A1"].font = Font(bold=True, size=13)
    header = ["Mã", "Lĩnh vực, tiêu chí, tiêu chí thành phần", "Điểm tối đa", "Điểm tự chấm", "Căn cứ tính điểm",
              "Giải trình, thuyết minh", "Tài liệu kiểm chứng"]
    ws.append([])
    ws.append(header)
    head_row = ws.max_row
    for cell in ws[head_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F3")
        cell.alignment = WRAP
        cell.border = BORDER
    for row in ctx["rows"]:
        docs = "\n".join(_doc_line(d) for d in row.documents)
        values = [
            row.code, row.criterion.title + KIND_LABEL.get(row.kind, ""),
            row.points.max if row.points.applicable else row.criterion.max_points,
            signed_cell(row.points.value, row.kind) if row.points.applicable else None,
            row.points.reason if row.is_leaf else "",
            row.item.explanation if row.item else "", docs,
        ]
        if not row.points.applicable:
            values[4] = "Không áp dụng"
        ws.append(values)
        for cell in ws[ws.max_row]:
            cell.alignment = WRAP
            cell.border = BORDER
            if not row.is_leaf:
                cell.font = Font(bold=True)
        for col in (3, 4):
            ws.cell(ws.max_row, col).number_format = "0.00"
        if row.kind in ("bonus", "penalty", "mixed"):
            ws.cell(ws.max_row, 4).number_format = SIGNED_FORMAT
    ws.append(["", "Tổng cộng", result.applicable_max, result.total, "", "", ""])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.border = BORDER
    for i, width in enumerate((9, 60, 11, 11, 28, 50, 45), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = ws.cell(head_row + 1, 1)

    docs = wb.create_sheet("Tài liệu kiểm chứng")
    docs.append(["Mã tiêu chí", "Số, ký hiệu", "Ngày ban hành", "Cơ quan ban hành", "Trích yếu", "Tên tệp"])
    for cell in docs[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F3")
    for row in ctx["rows"]:
        for d in row.documents:
            docs.append([row.code, d.number, d.issued_on.strftime("%d/%m/%Y") if d.issued_on else "", d.issuer,
                         d.summary, d.original_name])
    for i, width in enumerate((12, 18, 14, 30, 60, 40), start=1):
        docs.column_dimensions[get_column_letter(i)].width = width
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _doc_line(d) -> str:
    parts = [d.number or d.original_name]
    if d.issued_on:
        parts.append(f"ngày {d.issued_on.strftime('%d/%m/%Y')}")
    if d.issuer:
        parts.append(d.issuer)
    if d.summary:
        parts.append(d.summary)
    return " – ".join(parts)


def report_filename(*, assessment, ext) -> str:
    return f"bao-cao-tu-danh-gia-{assessment.campaign.year}-{assessment.agency.code}.{ext}"
