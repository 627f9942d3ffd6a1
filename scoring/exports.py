"""The self-assessment report (Báo cáo tự đánh giá, chấm điểm; Phụ lục II of the Đắk Lắk
letter in seed 001): scores per field and item, the evidence per item and the explanations,
as a PDF (WeasyPrint, A4, the official header) and as an Excel workbook (core.excel's writer).
"""
from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from cchc_portal.core.excel import Formatted, WorkbookWriter
from cchc_portal.core.templatetags.portal import points
from scoring.selectors.assessments import assessment_page_data

REPORT_TITLE = "Báo cáo tự đánh giá, chấm điểm"


def _province() -> str:
    return getattr(settings, "PROVINCE_NAME", "") or "…"


def report_context(*, assessment, now=None) -> dict:
    """What both formats show: the tree with points, explanations and evidence, and totals."""
    now = now or timezone.now()
    data = assessment_page_data(assessment=assessment, now=now)
    # the signer is the leader who approved and sent it (assessment_approve records them); before
    # that the space is left for a hand signature: an agency may have several leaders
    leader = assessment.submitted_by if assessment.submitted_at and assessment.submitted_by_id else None
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
    """The report as an A4 PDF (in the portal's Liberation Serif: the template's {% pdf_fonts %})."""
    from weasyprint import HTML  # imported here: loading Pango is slow and only this needs it

    html = render_to_string("scoring/assessment/report_pdf.html", report_context(assessment=assessment, now=now))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


KIND_LABEL = {"bonus": " (điểm thưởng)", "penalty": " (điểm trừ)"}
# points added show "+", points taken off "−" in red: a penalty's points are written negative
SIGNED_FORMAT = '+0.00;[Red]"−"0.00;0.00'


def signed_cell(value, kind):
    """A bonus or penalty figure for a spreadsheet: negative when taken off, so that it reads
    (and adds up) as what it is, shown "+" or red "−"."""
    if value is None or kind not in ("bonus", "penalty", "mixed"):
        return value
    return Formatted(-value if kind == "penalty" else value, SIGNED_FORMAT)


def report_xlsx(*, assessment, now=None) -> bytes:
    """The report as an .xlsx workbook: sheet "Tự đánh giá" (the tree) and sheet
    "Tài liệu kiểm chứng" (one row per document and item)."""
    ctx = report_context(assessment=assessment, now=now)
    result = ctx["result"]
    index = "–" if result.index is None else f"{points(result.index)}%"
    book = WorkbookWriter()
    ws = book.sheet("Tự đánh giá", [
        "Mã", "Lĩnh vực, tiêu chí, tiêu chí thành phần", "Điểm tối đa", "Điểm tự chấm", "Căn cứ tính điểm",
        "Giải trình, thuyết minh", "Tài liệu kiểm chứng"], widths=[9, 60, 11, 11, 28, 50, 45], wrap=True,
        border=True, preamble=[
            f"{REPORT_TITLE} – {ctx['campaign'].name}",
            f"Cơ quan, đơn vị: {ctx['agency'].name} ({ctx['agency'].code})",
            f"Tổng điểm tự chấm: {points(result.total)} / {points(result.applicable_max)} điểm; chỉ số: {index}"
            + (f" (gồm điểm thưởng +{points(result.bonus)}, điểm trừ −{points(result.penalty)})"
               if result.bonus or result.penalty else ""),
            "",
        ])
    for row in ctx["rows"]:
        ws.append([
            row.code, row.criterion.title + KIND_LABEL.get(row.kind, ""),
            row.points.max if row.points.applicable else row.criterion.max_points,
            signed_cell(row.points.value, row.kind) if row.points.applicable else None,
            (row.points.reason if row.is_leaf else "") if row.points.applicable else "Không áp dụng",
            row.item.explanation if row.item else "", "\n".join(_doc_line(d) for d in row.documents),
        ], bold=not row.is_leaf)
    ws.append(["", "Tổng cộng", result.applicable_max, result.total, "", "", ""], bold=True)

    docs = book.sheet("Tài liệu kiểm chứng", ["Mã tiêu chí", "Số, ký hiệu", "Ngày ban hành", "Cơ quan ban hành",
                                              "Trích yếu", "Tên tệp"], widths=[12, 18, 14, 30, 60, 40])
    for row in ctx["rows"]:
        for d in row.documents:
            docs.append([row.code, d.number, d.issued_on, d.issuer, d.summary, d.original_name])
    return book.to_bytes()


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


def province_report_pdf(*, report) -> bytes:
    """The Sở's draft of the province's self-assessment report (scoring.selectors.province_report)
    as an A4 PDF in the official layout (reports/pdf/base.html: Nghị định 30/2020)."""
    from weasyprint import HTML

    html = render_to_string("scoring/province/report_pdf.html", {"report": report, "header": report.header})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
