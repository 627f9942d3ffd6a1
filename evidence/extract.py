"""Text of an evidence file: the PDF text layer (pypdf), DOCX (python-docx), XLSX (openpyxl)
and OCR of scans and images (Tesseract's Vietnamese model through pytesseract, PDF pages
rendered with pypdfium2).

Every reader is bounded: pages read (`EVIDENCE_CHECK_MAX_PAGES`), pages OCR'd
(`EVIDENCE_OCR_MAX_PAGES`), characters kept (`EVIDENCE_TEXT_MAX_CHARS`), image pixels, and
for zip containers (DOCX/XLSX) the declared uncompressed size and ratio of every entry are
checked before anything is decompressed, then each entry read is capped (no zip bombs).
Without Tesseract (`ocr_available()` False) scans simply get no text and the check says so.
"""
import functools
import io
import shutil
import statistics
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _


def _setting(name, default):
    return getattr(settings, name, default)


def max_pages():
    return _setting("EVIDENCE_CHECK_MAX_PAGES", 300)


def max_ocr_pages():
    return _setting("EVIDENCE_OCR_MAX_PAGES", 10)


def max_chars():
    return _setting("EVIDENCE_TEXT_MAX_CHARS", 500_000)


ZIP_MAX_TOTAL = 200 * 1024 * 1024  # declared uncompressed bytes of all entries
ZIP_MAX_ENTRY = 100 * 1024 * 1024
ZIP_MAX_RATIO = 200  # uncompressed / compressed per entry
ZIP_MAX_ENTRIES = 10_000
IMAGE_MAX_PIXELS = 60_000_000
IMAGE_MIN_SIDE = 200  # smaller images (icons, thumbnails) hold no readable page: not OCR'd
OCR_DPI = 300
# A page whose text layer has fewer letters than this is treated as a scan.
MIN_LAYER_LETTERS = 40


class ExtractError(Exception):
    """The file could not be read safely (too large once unpacked, corrupt, over a limit)."""


@dataclass
class Extracted:
    text: str = ""
    source: str = ""  # "", layer, docx, xlsx, ocr
    pages: int | None = None
    ocr_confidence: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def first_page(self) -> str:
        return self.text.split("\f", 1)[0]


def ocr_available() -> bool:
    """Tesseract with its Vietnamese model is installed (and OCR not switched off)."""
    if not _setting("EVIDENCE_OCR", True):
        return False
    command = _setting("EVIDENCE_TESSERACT_CMD", "") or shutil.which("tesseract")
    if not command:
        return False
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = command
    return "vie" in _languages(command)


@functools.lru_cache(maxsize=4)
def _languages(command) -> tuple[str, ...]:
    """Tesseract's installed languages (asked once per process and command)."""
    try:
        import pytesseract

        return tuple(pytesseract.get_languages(config=""))
    except Exception:  # noqa: BLE001 - any failure to run tesseract means "OCR off"
        return ()


def _cap(text: str) -> str:
    limit = max_chars()
    return text if len(text) <= limit else text[:limit]


# ------------------------------------------------------------------ zip containers


def safe_zip(data: bytes) -> zipfile.ZipFile:
    """The zip archive, after checking every entry's declared size and ratio; raises
    ExtractError for a zip bomb. Entries are still read through `_read_entry` (capped)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ExtractError(_("tệp nén hỏng")) from exc
    infos = archive.infolist()
    if len(infos) > ZIP_MAX_ENTRIES:
        raise ExtractError(_("tệp có quá nhiều thành phần"))
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > ZIP_MAX_ENTRY or total > ZIP_MAX_TOTAL:
            raise ExtractError(_("tệp quá lớn khi giải nén"))
        if info.file_size > 1024 * 1024 and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise ExtractError(_("tỷ lệ nén bất thường (nghi tệp nén bom)"))
    return archive


def _docx_text(data: bytes) -> str:
    import docx

    safe_zip(data)
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            seen = []
            for cell in row.cells:
                if cell.text not in seen:
                    seen.append(cell.text)
            parts.append("\t".join(seen))
    # The header block of a Vietnamese letter is often a table (agency left, motto right):
    # put tables' text first so the first "page" holds the header.
    return "\n".join(parts[len(document.paragraphs):] + parts[:len(document.paragraphs)])


def _xlsx_text(data: bytes) -> str:
    import openpyxl

    safe_zip(data)
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines, size, limit = [], 0, max_chars()
    try:
        for sheet in workbook.worksheets:
            lines.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                line = "\t".join("" if v is None else str(v) for v in row).rstrip("\t")
                if line:
                    lines.append(line)
                    size += len(line)
                if size > limit:
                    return "\n".join(lines)
    finally:
        workbook.close()
    return "\n".join(lines)


# ------------------------------------------------------------------ OCR


def _ocr_image(image) -> tuple[str, float | None]:
    """One OCR pass: the words with their confidence, joined back into lines."""
    import pytesseract

    image = image.convert("L")
    data = pytesseract.image_to_data(image, lang="vie", config="--psm 3", output_type=pytesseract.Output.DICT,
                                     timeout=_setting("EVIDENCE_OCR_PAGE_TIMEOUT", 120))
    lines, confidences, previous = [], [], None
    for i, word in enumerate(data["text"]):
        word = str(word).strip()
        if not word:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if key != previous:
            lines.append([])
            previous = key
        lines[-1].append(word)
        if float(data["conf"][i]) >= 0:
            confidences.append(float(data["conf"][i]))
    text = "\n".join(" ".join(words) for words in lines)
    return text, (statistics.fmean(confidences) if confidences else None)


def _ocr_pages(images) -> tuple[str, float | None]:
    texts, confidences = [], []
    for image in images:
        text, confidence = _ocr_image(image)
        texts.append(text)
        if confidence is not None:
            confidences.append(confidence)
    return "\f".join(texts), (round(statistics.fmean(confidences), 1) if confidences else None)


def _image_text(data: bytes, result: Extracted) -> None:
    from PIL import Image

    if not ocr_available():
        result.notes.append("ocr_off")
        return
    with Image.open(io.BytesIO(data)) as image:
        if image.width * image.height > IMAGE_MAX_PIXELS:
            raise ExtractError(_("ảnh quá lớn"))
        if min(image.width, image.height) < IMAGE_MIN_SIDE:
            result.pages = 1
            return
        image.load()
        result.text, result.ocr_confidence = _ocr_pages([image])
    result.pages = 1
    result.source = "ocr"


def _render_pages(data: bytes, count: int, dpi=OCR_DPI):
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        for index in range(min(count, len(pdf))):
            page = pdf[index]
            width, height = page.get_size()
            scale = dpi / 72
            if width * height * scale * scale > IMAGE_MAX_PIXELS:
                scale = (IMAGE_MAX_PIXELS / (width * height)) ** 0.5
            yield page.render(scale=scale).to_pil()
    finally:
        pdf.close()


def _pdf_text(data: bytes, result: Extracted, on_progress=None) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        total = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ExtractError(_("không đọc được tệp PDF")) from exc
    result.pages = total
    if total > max_pages():
        result.notes.append("pages_capped")
    texts, size = [], 0
    for index, page in enumerate(reader.pages[:max_pages()]):
        try:
            text = page.extract_text() or ""
        except Exception:  # noqa: BLE001 - a broken page yields no text, the others still count
            text = ""
        texts.append(text)
        size += len(text)
        if on_progress:
            on_progress(index + 1, min(total, max_pages()))
        if size > max_chars():
            break
    letters = sum(ch.isalpha() for ch in "".join(texts))
    if letters >= MIN_LAYER_LETTERS * max(1, min(len(texts), 3)) / 3:
        result.text = _cap("\f".join(texts))
        result.source = "layer"
        return
    if not ocr_available():
        result.notes.append("ocr_off")
        return
    if total > max_ocr_pages():
        result.notes.append("ocr_capped")
    result.text, result.ocr_confidence = _ocr_pages(_render_pages(data, max_ocr_pages()))
    result.text = _cap(result.text)
    result.source = "ocr"


def extract_text(data: bytes, *, kind: str, on_progress=None) -> Extracted:
    """The text of a file of `kind` (validation.Kind code: pdf, docx, xlsx, jpg, png; other
    kinds give no text). Pages are separated by form feeds. Raises ExtractError."""
    result = Extracted()
    if kind == "pdf":
        _pdf_text(data, result, on_progress)
    elif kind == "docx":
        try:
            result.text = _cap(_docx_text(data))
        except (KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise ExtractError(_("không đọc được tệp Word")) from exc
        result.source = "docx"
    elif kind == "xlsx":
        try:
            result.text = _cap(_xlsx_text(data))
        except (KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise ExtractError(_("không đọc được tệp Excel")) from exc
        result.source = "xlsx"
    elif kind in ("jpg", "png"):
        _image_text(data, result)
    if result.source and not result.text.strip():
        result.source = ""
    return result
