"""Realistic Vietnamese administrative documents (layout of Nghị định 30/2020/NĐ-CP) with
their expected metadata: text PDFs (WeasyPrint, the shipped Liberation Serif), scans rendered
from them (pypdfium2, grey, slight noise) and DOCX (python-docx). Used by the extractor's tests
and by benchmarks/bench_evidence.py. Deterministic for a given seed."""
import io
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"

PARENTS = ["ỦY BAN NHÂN DÂN TỈNH {p}", "UBND TỈNH {p}", "ỦY BAN NHÂN DÂN HUYỆN {d}"]
AGENCIES = ["SỞ NỘI VỤ", "SỞ TƯ PHÁP", "SỞ TÀI CHÍNH", "SỞ Y TẾ", "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
            "VĂN PHÒNG UBND TỈNH", "SỞ KẾ HOẠCH VÀ ĐẦU TƯ", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
            "PHÒNG NỘI VỤ", "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG"]
PROVINCES = ["QUẢNG NAM", "BÌNH ĐỊNH", "NGHỆ AN", "THANH HÓA", "ĐẮK LẮK", "LÂM ĐỒNG", "HÀ TĨNH"]
DISTRICTS = ["ĐIỆN BÀN", "TAM KỲ", "HỘI AN", "QUẾ SƠN"]
PLACES = ["Tam Kỳ", "Quy Nhơn", "Vinh", "Thanh Hóa", "Buôn Ma Thuột", "Đà Lạt", "Hà Tĩnh"]
TYPES = [("KẾ HOẠCH", "KH"), ("QUYẾT ĐỊNH", "QĐ"), ("BÁO CÁO", "BC"), ("THÔNG BÁO", "TB"), ("TỜ TRÌNH", "TTr")]
SUFFIXES = ["UBND", "SNV", "STP", "STC", "SYT", "VP", "SKHĐT"]
SUBJECTS = ["Cải cách hành chính năm {y}", "Kiểm soát thủ tục hành chính năm {y}",
            "Tuyên truyền cải cách hành chính giai đoạn {y}", "Đánh giá Chỉ số cải cách hành chính năm {y}",
            "Công bố danh mục thủ tục hành chính thuộc thẩm quyền giải quyết",
            "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính năm {y}"]
BODY = ["Căn cứ Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021 của Chính phủ ban hành Chương trình tổng "
        "thể cải cách hành chính nhà nước giai đoạn 2021 - 2030;",
        "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về việc đẩy mạnh cải cách hành chính, nâng cao chất "
        "lượng phục vụ người dân và doanh nghiệp,",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Tiếp tục thực hiện có hiệu quả các nhiệm vụ cải cách thể chế, cải cách thủ tục hành chính, "
        "cải cách tổ chức bộ máy, cải cách chế độ công vụ, cải cách tài chính công và xây dựng chính quyền số.",
        "2. Phân công cụ thể nhiệm vụ cho các cơ quan, đơn vị; xác định rõ thời hạn và sản phẩm hoàn thành."]


@dataclass
class Sample:
    name: str
    kind: str  # pdf, scan150, scan300, docx
    data: bytes
    number: str
    issued_on: date
    issuer: str
    title: str


def _spec(rng: random.Random, year: int):
    parent = rng.choice(PARENTS).format(p=rng.choice(PROVINCES), d=rng.choice(DISTRICTS))
    agency = rng.choice(AGENCIES)
    kind, code = rng.choice(TYPES)
    suffix = rng.choice(SUFFIXES)
    n = rng.randint(1, 2999)
    number = f"{n}/{year}/{code}-{suffix}" if code == "QĐ" and rng.random() < 0.5 else f"{n}/{code}-{suffix}"
    issued = date(year, rng.randint(1, 12), rng.randint(1, 28))
    subject = rng.choice(SUBJECTS).format(y=year)
    return {"parent": parent, "agency": agency, "kind": kind, "number": number, "issued": issued,
            "subject": subject, "place": rng.choice(PLACES)}


def _html(spec) -> str:
    d = spec["issued"]
    body = "".join(f"<p>{line}</p>" for line in BODY)
    faces = "".join(
        f"@font-face{{font-family:'DocSerif';src:url('{(FONTS / f).as_uri()}');font-weight:{w};font-style:{s}}}"
        for f, w, s in (("LiberationSerif-Regular.ttf", "normal", "normal"),
                        ("LiberationSerif-Bold.ttf", "bold", "normal"),
                        ("LiberationSerif-Italic.ttf", "normal", "italic")))
    return f"""<html><head><style>{faces}
@page {{ size: A4; margin: 20mm 15mm 20mm 30mm }}
body {{ font-family: 'DocSerif'; font-size: 13pt }}
table.h {{ width: 100%; border-collapse: collapse }} table.h td {{ text-align: center; vertical-align: top }}
.b {{ font-weight: bold }} .i {{ font-style: italic }} h1 {{ font-size: 14pt; text-align: center; margin: 18pt 0 0 }}
.s {{ text-align: center; font-weight: bold; margin: 0 0 12pt }} p {{ text-align: justify; margin: 0 0 6pt }}
</style></head><body>
<table class="h"><tr><td style="width:42%">{spec['parent']}<br><span class="b">{spec['agency']}</span></td>
<td class="b">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</td></tr>
<tr><td>Số: {spec['number']}</td>
<td class="i">{spec['place']}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}</td></tr></table>
<h1>{spec['kind']}</h1><p class="s">{spec['subject']}</p>{body}</body></html>"""


def text_pdf(spec) -> bytes:
    from weasyprint import HTML

    return HTML(string=_html(spec)).write_pdf()


def scan(pdf: bytes, *, dpi: int, rng: random.Random) -> bytes:
    """A 'scan' of the PDF's first page: rendered at `dpi`, grey, a slight rotation and
    noise, saved as an image-only PDF (no text layer)."""
    import pypdfium2
    from PIL import Image, ImageFilter

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    image = image.rotate(rng.uniform(-0.6, 0.6), resample=Image.BICUBIC, expand=False, fillcolor=255)
    noise = Image.effect_noise(image.size, 18).point(lambda v: 255 if v > 40 else v)
    image = Image.blend(image, noise.convert("L"), 0.08).filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.convert("RGB").save(out, "PDF", resolution=dpi)
    return out.getvalue()


def docx(spec) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = f"{spec['parent']}\n{spec['agency']}"
    table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    table.cell(1, 0).text = f"Số: {spec['number']}"
    d = spec["issued"]
    table.cell(1, 1).text = f"{spec['place']}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"
    document.add_paragraph(spec["kind"])
    document.add_paragraph(spec["subject"])
    for line in BODY:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def build(count=30, *, seed=18, year=2026, kinds=("pdf", "scan150", "scan300", "docx")) -> list[Sample]:
    """`count` documents per kind (the scans are rendered from the text PDFs)."""
    rng = random.Random(seed)
    samples = []
    for index in range(count):
        spec = _spec(rng, year)
        expected = {"number": spec["number"], "issued_on": spec["issued"], "issuer": spec["agency"],
                    "title": f"{spec['kind']} {spec['subject']}"}
        pdf = text_pdf(spec) if {"pdf", "scan150", "scan300"} & set(kinds) else b""
        if "pdf" in kinds:
            samples.append(Sample(f"vb-{index:03d}.pdf", "pdf", pdf, **expected))
        for dpi in (150, 300):
            if f"scan{dpi}" in kinds:
                samples.append(Sample(f"scan{dpi}-{index:03d}.pdf", f"scan{dpi}", scan(pdf, dpi=dpi, rng=rng),
                                      **expected))
        if "docx" in kinds:
            samples.append(Sample(f"vb-{index:03d}.docx", "docx", docx(spec), **expected))
    return samples
