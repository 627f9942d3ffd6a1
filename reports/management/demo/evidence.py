"""Demo evidence for the current campaign: the kind of documents a department attaches
(plans, reports, decisions, a scanned record). Idempotent: a document is looked up by its
agency, campaign and number before it is uploaded (and equal content is stored once anyway)."""
import io
import unicodedata
from datetime import date

from django.utils import timezone
from PIL import Image, ImageDraw

from campaigns.models import Role
from campaigns.selectors import users_for_agency
from evidence import services
from evidence.models import Document

# (agency code, file name, number, (month, day), issuer, summary)
DOCUMENTS = [
    ("STC", "Kế hoạch CCHC năm {year}.pdf", "15/KH-STC", (1, 10), "Sở Tài chính",
     "Kế hoạch cải cách hành chính năm {year} của Sở Tài chính"),
    ("STC", "Báo cáo CCHC quý III năm {year}.pdf", "268/BC-STC", (9, 20), "Sở Tài chính",
     "Báo cáo kết quả thực hiện công tác cải cách hành chính quý III năm {year}"),
    ("STC", "QĐ ban hành Quy chế chi tiêu nội bộ.pdf", "45/QĐ-STC", (2, 3), "Sở Tài chính",
     "Quyết định ban hành Quy chế chi tiêu nội bộ năm {year}"),
    ("STC", "Biên bản kiểm tra CCHC (ảnh chụp).png", "03/BB-KT", (6, 12), "Đoàn kiểm tra CCHC Sở Tài chính",
     "Biên bản kiểm tra công tác cải cách hành chính tại các phòng chuyên môn"),
    ("STP", "Kế hoạch rà soát VBQPPL năm {year}.pdf", "22/KH-STP", (1, 18), "Sở Tư pháp",
     "Kế hoạch rà soát, hệ thống hóa văn bản quy phạm pháp luật năm {year}"),
    ("STP", "Báo cáo kiểm soát TTHC 6 tháng năm {year}.pdf", "190/BC-STP", (6, 25), "Sở Tư pháp",
     "Báo cáo tình hình, kết quả kiểm soát thủ tục hành chính 6 tháng đầu năm {year}"),
]


def pdf_bytes(lines) -> bytes:
    """A one-page PDF in the base-14 Helvetica font (ASCII text: no fonts to embed)."""
    text = " ".join(f"({line}) Tj 0 -22 Td" for line in lines)
    stream = f"BT /F1 14 Tf 72 760 Td {text} ET".encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def png_bytes(lines) -> bytes:
    image = Image.new("RGB", (600, 220), "white")
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((24, 24 + row * 28), line, fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def ascii_text(text) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def seed(*, campaign, today=None) -> int:
    """Upload the demo documents of STC and STP into `campaign`; returns how many were new."""
    today = today or timezone.localdate()
    created = 0
    agencies = {a.code: a for a in campaign.agencies.filter(code__in={row[0] for row in DOCUMENTS})}
    for code, name, number, (month, day), issuer, summary in DOCUMENTS:
        agency = agencies.get(code)
        user = users_for_agency(agency=agency, roles=[Role.STAFF]).order_by("pk").first() if agency else None
        if user is None or Document.objects.filter(agency=agency, campaign=campaign, number=number).exists():
            continue
        year = campaign.year
        issued_on = min(date(year, month, day), today)
        summary = summary.format(year=year)
        lines = [f"{ascii_text(issuer).upper()}", f"So: {ascii_text(number)}", ascii_text(summary),
                 f"Tuyen Quang, ngay {issued_on:%d/%m/%Y}"]
        content = png_bytes(lines) if name.endswith(".png") else pdf_bytes(lines)
        _, new = services.document_upload(
            agency=agency, campaign=campaign, user=user, file=io.BytesIO(content), name=name.format(year=year),
            number=number, issued_on=issued_on, issuer=issuer, summary=summary)
        created += int(new)
    return created

