"""Pages read back in the tests, as tests/pdfs.py reads PDFs."""
import re


def text(response) -> str:
    """The page's HTML, whitespace runs made single spaces."""
    return re.sub(r"\s+", " ", response.content.decode())
