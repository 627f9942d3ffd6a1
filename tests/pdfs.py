"""PDFs read back in Python (pypdf): their text and the fonts they embed. No poppler needed."""
from io import BytesIO

from pypdf import PdfReader


def pdf_lines(content: bytes) -> list[str]:
    """Every page's lines of text, spaces made single (a heading that wraps is on two lines)."""
    assert content.startswith(b"%PDF")
    reader = PdfReader(BytesIO(content))
    return [" ".join(line.split()) for page in reader.pages for line in (page.extract_text() or "").splitlines()]


def pdf_text(content: bytes) -> str:
    """Every page's text as one string, whitespace runs made single spaces."""
    return " ".join(pdf_lines(content))


def pdf_fonts(content: bytes) -> set[str]:
    """The fonts the pages use, by their PostScript names without a subset's prefix
    ("ABCDEF+LiberationSerif-Bold" → "LiberationSerif-Bold")."""
    reader = PdfReader(BytesIO(content))
    names = set()
    for page in reader.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names


def pdf_runs(content: bytes, page: int = 0) -> list[tuple[float, float, str]]:
    """The text runs of one page with where they start: (x, y, text) in points from the
    bottom-left corner, as pypdf reads them (a line WeasyPrint wrapped is two runs)."""
    reader = PdfReader(BytesIO(content))
    runs = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            runs.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], " ".join(text.split())))

    reader.pages[page].extract_text(visitor_text=visit)
    return runs


def pypdfium2_or_skip():
    """pypdfium2 (renders PDFs to images without poppler), or a loud skip saying how to get it."""
    import pytest

    try:
        import pypdfium2
    except ImportError:  # pragma: no cover - the dev extra installs it
        pytest.skip("SKIPPED: pypdfium2 is missing — `pip install -e '.[dev]'` to check the rendered pages",
                    allow_module_level=False)
    return pypdfium2


def pdf_top_margin(content: bytes, mm: float = 20) -> list[str]:
    """Each page's text drawn in its top `mm` millimetres (the page number's place in the
    Nghị định 30 layout)."""
    reader = PdfReader(BytesIO(content))
    tops = [float(page.mediabox.top) - mm * 72 / 25.4 for page in reader.pages]
    return [" ".join(text for _x, y, text in pdf_runs(content, number) if y >= top) for number, top in enumerate(tops)]
