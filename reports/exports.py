"""Excel (openpyxl) and PDF (WeasyPrint) reports.

Workbooks are written in openpyxl's write-only mode into a temporary file that the view
streams (FileResponse), and rows come from the database in chunks, so the full-campaign
export (3,400 agencies × 120 items) keeps a small, flat memory footprint. PDFs are A4 with
the official Vietnamese header; charts are the same inline SVG as on the pages.
"""
from decimal import Decimal

from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.utils import timezone

from cchc_portal.core.excel import WorkbookWriter
from cchc_portal.core.utils import dateline
from scoring.exports import KIND_LABEL, signed_cell
from scoring.models import Assessment, Criterion, Item

from .models import DEFAULT_RECIPIENTS, recipients_list
from .results import campaign_results, no_cyclic_gc, percent
from .shapes import code_key


def _workbook():
    return WorkbookWriter()


def save_to_temp(wb):
    """The workbook in an anonymous temporary file, rewound (FileResponse closes it)."""
    return wb.to_temp_file()


# ---------------------------------------------------------------- rankings


RANKING_HEADER = ["Hạng", "Mã đơn vị", "Tên đơn vị", "Tổng điểm", "Điểm tối đa", "Chỉ số (%)", "Xếp loại"]


def publication_words(publication) -> str:
    """"công bố lần 1 theo Quyết định số 321/QĐ-UBND ngày 03/12/2026", or that it is a draft."""
    if publication is None:
        return "dự thảo, kết quả tạm tính, chưa công bố"
    day = timezone.localtime(publication.published_at)
    return (f"công bố lần {publication.number} theo Quyết định số {publication.decision_number} "
            f"ngày {day:%d/%m/%Y}")


def report_title(what, campaign, publication=None, *, live=False) -> str:
    """The title row of a workbook: what it is, the campaign and year, and for results the
    publication's decision (number and date) or "dự thảo"; `live`: figures of this moment."""
    line = f"{what} – {campaign.name} (năm {campaign.year})"
    if live:
        return f"{line} – số liệu lúc {timezone.localtime(timezone.now()):%H:%M %d/%m/%Y}"
    return f"{line} – {publication_words(publication)}"


def ranking_workbook(rows, *, title):
    """Rankings, one sheet per group, under a title row (`title`, e.g. `report_title(...)`).
    `rows`: published row dicts (points as strings)."""
    wb = _workbook()
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row["group_name"], []).append(row)
    for group_name, group_rows in groups.items():
        fields = [(f["code"], f.get("title", "")) for f in group_rows[0]["fields"]] if group_rows else []
        sheet = wb.sheet(group_name, RANKING_HEADER + [f"{c}. {t}" for c, t in fields],
                         widths=[7, 14, 40, 11, 11, 11, 14] + [14] * len(fields), preamble=[title])
        for row in group_rows:
            by_code = {f["code"]: f for f in row["fields"]}
            sheet.append([row["rank"], row["agency_code"], row["agency_name"], _num(row["total"]),
                          _num(row["max_points"]), _num(row["index"]), row["grade"] or ""]
                         + [_num(by_code.get(c, {}).get("points")) for c, _t in fields])
    if not groups:
        wb.sheet("Xếp hạng", RANKING_HEADER, preamble=[title])
    return wb


def _num(text):
    return None if text in (None, "") else Decimal(str(text))


# ---------------------------------------------------------------- one agency's score sheet

SHEET_HEADER = ["Mã", "Nội dung", "Điểm tối đa", "Điểm tự chấm", "Điểm thẩm định", "Giải trình của đơn vị",
                "Ý kiến thẩm định"]


def score_sheet_workbook(*, assessment, sheet):
    wb = _workbook()
    ws = wb.sheet(assessment.agency.code, SHEET_HEADER, widths=[9, 60, 11, 11, 11, 40, 40], preamble=[
        report_title(f"Phiếu chấm điểm – {assessment.agency.name}", assessment.campaign, live=True)])
    for line in sheet["lines"]:
        ws.append([line.code, ("   " * (line.depth - 1)) + line.title + KIND_LABEL.get(line.kind, ""),
                   line.max_points if line.applicable else "Không áp dụng",
                   signed_cell(line.self_points, line.kind), signed_cell(line.appraised_points, line.kind),
                   line.explanation, line.comment])
    ws.append([])
    ws.append(["", "Tổng điểm", sheet["max_points"], sheet["self_total"],
               sheet["total"] if sheet["has_appraisal"] else None])
    ws.append(["", "Chỉ số (%)", None, None, sheet["index"]])
    return wb


# ---------------------------------------------------------------- the whole campaign


DETAIL_HEADER = ["Nhóm", "Mã đơn vị", "Tên đơn vị", "Mã tiêu chí", "Nội dung", "Điểm tối đa", "Điểm tự chấm",
                 "Điểm thẩm định", "Điểm tính kết quả", "Giải trình của đơn vị", "Ý kiến thẩm định"]


def campaign_workbook(*, campaign, chunk_size=2000, on_progress=None, every=10000):
    """Every agency's results (sheet "Tổng hợp") and every item of every agency ("Chi tiết"),
    read from the database in chunks; `on_progress(items written)` every `every` items."""
    results = campaign_results(campaign=campaign)
    wb = _workbook()
    title = report_title("Phiếu chấm điểm mọi đơn vị", campaign, live=True)
    summary = wb.sheet("Tổng hợp", ["Nhóm", "Hạng", "Mã đơn vị", "Tên đơn vị", "Trạng thái", "Tổng điểm",
                                    "Điểm tối đa", "Chỉ số (%)", "Xếp loại"],
                       widths=[22, 7, 14, 40, 20, 11, 11, 11, 14], preamble=[title])
    for r in results.rows:
        summary.append([r.group_name, r.rank, r.agency_code, r.agency_name, r.status_label, r.total, r.max_points,
                        r.index, r.grade or ""])
    detail = wb.sheet("Chi tiết", DETAIL_HEADER, widths=[20, 14, 36, 10, 60, 10, 10, 10, 10, 40, 40],
                      preamble=[title])
    criteria = {
        cid: (code, title, max_points, rule)
        for cid, code, title, max_points, rule in Criterion.objects.filter(criteria_set__campaign=campaign)
        .values_list("id", "code", "title", "max_points", "rule")
    }
    agencies = {
        pk: (group, code, name)
        for pk, group, code, name in Assessment.objects.filter(campaign=campaign).values_list(
            "pk", "agency__group__name", "agency__code", "agency__name")
    }
    items = (
        Item.objects.filter(assessment__campaign=campaign)
        .order_by("assessment__agency__group__order", "assessment__agency__code", "criterion__order", "criterion_id")
        .values_list("assessment_id", "criterion_id", "self_points", "appraised_points", "external_points",
                     "explanation", "appraisal_comment")
    )
    for n, (assessment_id, criterion_id, self_points, appraised, external, explanation, comment) in enumerate(
            items.iterator(chunk_size=chunk_size), start=1):
        if on_progress is not None and n % every == 0:
            on_progress(n)
        group, code, name = agencies[assessment_id]
        ccode, title, max_points, rule = criteria[criterion_id]
        if appraised is not None:
            counted = appraised
        elif rule == "survey":
            counted = external
        elif rule == "imported":
            counted = external if external is not None else self_points
        else:
            counted = self_points
        detail.append([group, code, name, ccode, title, max_points, self_points, appraised, counted, explanation,
                       comment])
    return wb


# ---------------------------------------------------------------- the progress board


def board_workbook(rows, *, campaign):
    wb = _workbook()
    ws = wb.sheet("Tình hình chấm điểm", ["Nhóm", "Mã đơn vị", "Tên đơn vị", "Trạng thái", "Gửi Sở lúc",
                                          "Chốt điểm lúc", "Tổng điểm tự chấm", "Tổng điểm thẩm định"],
                  widths=[22, 14, 40, 24, 18, 18, 14, 14],
                  preamble=[report_title("Tình hình chấm điểm", campaign, live=True)])
    for row in rows:
        a = row.assessment
        ws.append([row.agency.group.name, row.agency.code, row.agency.name, row.status_label,
                   a.submitted_at if a else None, a.finalised_at if a else None,
                   a.self_total if a else None, a.appraised_total if a else None])
    return wb


# ---------------------------------------------------------------- PDF


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[:1].isalpha()).upper()


def report_header(result_settings, now=None) -> dict:
    """The official header of the reports: the agency block (the authority, the issuing office,
    "Số: …/BC-SNV") and the place and date line, with the province of the settings when the
    results settings name none."""
    province = getattr(django_settings, "PROVINCE_NAME", "") or ""
    authority = (result_settings.authority_name or "").strip()
    if province and authority.upper() in ("ỦY BAN NHÂN DÂN TỈNH", "UBND TỈNH"):  # the default names no province
        authority = f"UBND TỈNH {province.upper()}"
    office = (result_settings.office_name or "").strip() or "SỞ NỘI VỤ"
    today = timezone.localtime(now or timezone.now()).date()
    return {"authority_name": authority, "office_name": office,
            "number_suffix": f"BC-{_initials(office)}",
            "dateline": dateline((result_settings.place_name or "").strip() or province, today),
            **report_closing(result_settings)}


CLOSING_FIELDS = ("signer_authority", "signer_title", "signer_name", "recipients")


def report_closing(result_settings) -> dict:
    """The closing block (Nghị định 30/2020): "Nơi nhận" as the text writes it ("- …;" each, the
    last "- ….") and the signer: "KT. GIÁM ĐỐC" over "PHÓ GIÁM ĐỐC", the name under the signature.
    A header frozen before these were configurable lacks them: it gets the defaults."""
    values = {name: getattr(result_settings, name, "") or "" for name in CLOSING_FIELDS}
    values = {name: "\n".join(value) if isinstance(value, list) else value.strip()  # frozen: a list of lines
              for name, value in values.items()}
    recipients = recipients_list(values["recipients"]) or recipients_list(DEFAULT_RECIPIENTS)
    return {"signer_authority": values["signer_authority"], "signer_title": values["signer_title"] or "GIÁM ĐỐC",
            "signer_name": values["signer_name"],
            "recipients": [f"- {line}{'.' if i == len(recipients) - 1 else ';'}" for i, line in enumerate(recipients)]}


def _decimal_words(value) -> str:
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", ",")


def grade_bands_words(bands) -> list[str]:
    """Grade thresholds as an official text writes them: "Tốt: từ 80 điểm đến dưới 90 điểm",
    never "≥ 80" (the highest band "từ 90 điểm trở lên", a band from 0 "dưới 50 điểm")."""
    ordered = sorted(bands, key=lambda b: Decimal(str(b["min"])), reverse=True)
    out, upper = [], None
    for band in ordered:
        low = Decimal(str(band["min"]))
        if upper is None:
            words = f"từ {_decimal_words(low)} điểm trở lên"
        elif low <= 0:
            words = f"dưới {_decimal_words(upper)} điểm"
        else:
            words = f"từ {_decimal_words(low)} điểm đến dưới {_decimal_words(upper)} điểm"
        out.append(f"{band['label']}: {words}")
        upper = low
    return out


def render_pdf(template, context) -> bytes:
    """HTML from a template under templates/reports/pdf/ → A4 PDF bytes."""
    import weasyprint

    html = render_to_string(template, context)
    with no_cyclic_gc():
        return weasyprint.HTML(string=html).write_pdf()


def field_rows(fields, averages=None):
    """Field lines for the pages and PDFs: code, title, points, max, sub-index, group average."""
    out = []
    for f in fields:
        applicable = f.get("applicable", True)
        base = f.get("kind", "base") == "base"
        out.append({
            "code": f["code"], "title": f.get("title", ""), "points": f["points"], "max_points": f["max_points"],
            "applicable": applicable, "base": base,
            "percent": percent(_num(f["points"]), _num(f["max_points"])) if applicable and base else None,
            "average": (averages or {}).get(f["code"]),
        })
    return out


def item_lines(data, titles):
    """Criteria and items of one published agency, in code order: (code, title, depth, points, max)."""
    items = data.get("items", {})
    lines = []
    for code in sorted(items, key=code_key):
        points, max_points = items[code]
        lines.append({"code": code, "title": titles.get(code, ""), "depth": code.count(".") + 1,
                      "points": points, "max_points": max_points, "applicable": points is not None})
    return lines
