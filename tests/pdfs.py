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
