"""The Sở's draft report of the province's self-assessment as a Word document (.docx, python-docx):
the same content as templates/scoring/province/report_pdf.html, in the Nghị định 30/2020 layout
(Times New Roman 13–14 pt, A4, margins top and bottom 20 mm, left 30 mm, right 15 mm).
An official text: Vietnamese whatever the UI language."""
from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from scoring.templatetags.scoring_tags import change_words, points, signed_diff

FONT = "Times New Roman"
CENTER, RIGHT, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY


def _run(paragraph, text, *, bold=False, italic=False, size=13, underline=False):
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)  # python-docx has no API for it
    return run


def _para(container, text="", *, align=None, bold=False, italic=False, size=13, indent=False, after=3):
    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(after)
    if indent:
        fmt.first_line_indent = Mm(10)
    if text:
        _run(p, text, bold=bold, italic=italic, size=size)
    return p


def _borders(table):
    """Thin borders on every cell (the default style of a new document has none)."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _table(doc, header, rows, widths, *, numeric=(), bold_last=False):
    table = doc.add_table(rows=1, cols=len(header))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table)
    for i, text in enumerate(header):
        cell = table.rows[0].cells[i]
        cell.paragraphs[0].alignment = CENTER
        _run(cell.paragraphs[0], text, bold=True, size=11)
    for n, values in enumerate(rows):
        cells = table.add_row().cells
        for i, text in enumerate(values):
            cells[i].paragraphs[0].alignment = RIGHT if i in numeric else None
            _run(cells[i].paragraphs[0], str(text), size=11, bold=bold_last and n == len(rows) - 1)
    for row in table.rows:
        for i, width in enumerate(widths):
            row.cells[i].width = Mm(width)
    return table


def _header(doc, header):
    """The issuer left and the national motto right, side by side in a borderless table."""
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(62), Mm(103)
    p = left.paragraphs[0]
    p.alignment = CENTER
    if header["authority_name"]:
        _run(p, header["authority_name"] + "\n", size=12)
    _run(p, header["office_name"], bold=True, size=12)
    _para(left, "———", align=CENTER, size=8, after=2)
    _para(left, f"Số:        /{header['number_suffix']}", align=CENTER, size=13)
    p = right.paragraphs[0]
    p.alignment = CENTER
    _run(p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12)
    _para(right, "Độc lập - Tự do - Hạnh phúc", align=CENTER, bold=True, size=13, after=0)
    _para(right, "———————————", align=CENTER, size=8, after=2)
    _para(right, header["dateline"], align=CENTER, italic=True, size=13)


def _na(value) -> str:
    return "chưa có" if value is None else points(value)


def province_report_docx(*, report) -> bytes:
    year, last = report.campaign.year, report.last_year
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(13)
    _header(doc, report.header)
    _para(doc, "DỰ THẢO", align=RIGHT, bold=True, size=11, after=6)
    _para(doc, "BÁO CÁO", align=CENTER, bold=True, size=14, after=0)
    _para(doc, report.title, align=CENTER, bold=True, size=14, after=6)
    _para(doc, "Kính gửi: Bộ Nội vụ.", align=CENTER, size=14, after=6)
    _para(doc, "Thực hiện hướng dẫn của Bộ Nội vụ về xác định Chỉ số cải cách hành chính của các bộ, cơ quan "
               "ngang bộ, Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương, Ủy ban nhân dân tỉnh "
               f"{report.province} báo cáo kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm {year} "
               "của tỉnh như sau:", align=JUSTIFY, indent=True, size=14)

    _para(doc, "I. KẾT QUẢ TỰ ĐÁNH GIÁ, CHẤM ĐIỂM", bold=True, size=14)
    text = f"Tổng điểm tự đánh giá: {points(report.self_total)}/{points(report.max_total)} điểm"
    if report.index is not None:
        text += f", đạt {points(report.index)}%"
    text += ". "
    if report.has_last_official:
        text += (f"Kết quả chính thức năm {last} do Bộ Nội vụ công bố: {points(report.last_official_total)} điểm "
                 f"(tự đánh giá năm nay {change_words(report.difference)} so với kết quả chính thức năm {last}).")
    elif last:
        text += f"Chưa có kết quả chính thức năm {last} để so sánh."
    else:
        text += "Chưa có kết quả chính thức năm trước để so sánh (bộ tiêu chí chưa được đối chiếu với năm trước)."
    _para(doc, text, align=JUSTIFY, indent=True, size=14)
    _para(doc, "Kết quả theo từng lĩnh vực:", align=JUSTIFY, indent=True, size=14)
    rows = [[f.criterion.code, f.criterion.title, points(f.criterion.max_points), points(f.self_points),
             _na(f.last_official), signed_diff(f.difference)] for f in report.fields]
    rows.append(["", "Tổng cộng", points(report.max_total), points(report.self_total),
                 _na(report.last_official_total), signed_diff(report.difference)])
    _table(doc, ["Mã", "Lĩnh vực", "Điểm tối đa", f"Tự đánh giá {year}",
                 f"Chính thức {last or 'năm trước'}", "Tăng (+), giảm (−)"], rows, [12, 68, 20, 22, 22, 21],
           numeric=(2, 3, 4, 5), bold_last=True)

    _para(doc, "", after=3)
    _para(doc, "II. CÁC TIÊU CHÍ CHƯA ĐẠT ĐIỂM TỐI ĐA", bold=True, size=14)
    if report.lost:
        rows = []
        for r in report.lost:
            why = [r.item.explanation] if r.item.explanation else []
            if r.item.review_comment:
                why.append(f"Ý kiến Sở Nội vụ: {r.item.review_comment}")
            rows.append([r.item.criterion.code, r.item.criterion.title, points(r.item.criterion.max_points),
                         points(r.item.self_points), points(r.lost), "\n".join(why) or "Chưa có giải trình."])
        _table(doc, ["Mã", "Tiêu chí", "Điểm tối đa", "Tự đánh giá", "Điểm bị mất", "Nguyên nhân"], rows,
               [12, 52, 18, 18, 18, 47], numeric=(2, 3, 4))
    else:
        _para(doc, "Tất cả các tiêu chí đều tự đánh giá đạt điểm tối đa.", align=JUSTIFY, indent=True, size=14)

    _para(doc, "", after=3)
    _para(doc, "III. CÁC TIÊU CHÍ TỰ ĐÁNH GIÁ THẤP HƠN KẾT QUẢ CHÍNH THỨC NĂM TRƯỚC", bold=True, size=14)
    if not report.has_last_official:
        _para(doc, "Chưa có kết quả chính thức năm trước để so sánh.", align=JUSTIFY, indent=True, size=14)
    elif report.lower:
        rows = [[r.item.criterion.code, r.item.criterion.title, points(r.last_official), points(r.row.self_points),
                 signed_diff(r.difference)] for r in report.lower]
        _table(doc, ["Mã", "Tiêu chí", f"Chính thức năm {last}", f"Tự đánh giá năm {year}", "Giảm"], rows,
               [14, 85, 22, 22, 22], numeric=(2, 3, 4))
    else:
        _para(doc, f"Không có tiêu chí nào tự đánh giá thấp hơn kết quả chính thức năm {last}.",
              align=JUSTIFY, indent=True, size=14)
    _para(doc, f"Trên đây là báo cáo kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm {year} của "
               f"Ủy ban nhân dân tỉnh {report.province}, kính gửi Bộ Nội vụ tổng hợp, thẩm định./.",
          align=JUSTIFY, indent=True, size=14)

    closing = doc.add_table(rows=1, cols=2)
    left, right = closing.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    p = left.paragraphs[0]
    _run(p, "Nơi nhận:", bold=True, italic=True, size=12)
    for line in ("- Như trên;", "- Thường trực Tỉnh ủy;", "- Thường trực HĐND tỉnh;", "- Chủ tịch, các PCT UBND tỉnh;",
                 "- Các sở, ban, ngành tỉnh;", "- Lưu: VT, NC."):
        _para(left, line, size=11, after=0)
    p = right.paragraphs[0]
    p.alignment = CENTER
    _run(p, "TM. ỦY BAN NHÂN DÂN", bold=True, size=13)
    _para(right, "CHỦ TỊCH", align=CENTER, bold=True, size=13, after=0)
    _para(right, "(Ký, ghi rõ họ tên)", align=CENTER, italic=True, size=13)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
