"""Checking an evidence file before anything is stored: its kind by content, its size, its
display name, its SHA-256 and an optional virus scan.

The kind comes from the bytes, never from the name: magic bytes first (the `filetype`
package), then the structure inside containers (the stream names of an OLE2 file, the
`[Content_Types].xml` or `mimetype` entry of a zip), so a random zip, an .exe renamed .pdf
or HTML posing as PDF are refused. Files are read in chunks, never whole into memory.
"""
import hashlib
import logging
import os
import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from PIL import Image

from cchc_portal.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
NAME_MAX = 120


@dataclass(frozen=True)
class Kind:
    code: str
    extension: str  # the extension stored files get
    content_type: str
    label: str
    extensions: tuple[str, ...]  # extensions a display name may keep for this kind
    inline: bool = False  # may be previewed in the browser


KINDS = {k.code: k for k in (
    Kind("pdf", ".pdf", "application/pdf", "PDF", (".pdf",), inline=True),
    Kind("doc", ".doc", "application/msword", "Word 97–2003", (".doc",)),
    Kind("docx", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word",
         (".docx",)),
    Kind("xls", ".xls", "application/vnd.ms-excel", "Excel 97–2003", (".xls",)),
    Kind("xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel", (".xlsx",)),
    Kind("odt", ".odt", "application/vnd.oasis.opendocument.text", "OpenDocument Text", (".odt",)),
    Kind("ods", ".ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument Spreadsheet", (".ods",)),
    Kind("jpg", ".jpg", "image/jpeg", "JPEG", (".jpg", ".jpeg"), inline=True),
    Kind("png", ".png", "image/png", "PNG", (".png",), inline=True),
)}
KNOWN_EXTENSIONS = {ext for kind in KINDS.values() for ext in kind.extensions}
ACCEPTED_LABEL = "PDF, DOC/DOCX, XLS/XLSX, ODT/ODS, JPG/PNG"
# For <input type="file" accept>: a hint to the file picker only; the server checks content.
ACCEPT_ATTR = ",".join(sorted(KNOWN_EXTENSIONS) + sorted({k.content_type for k in KINDS.values()}))
INLINE_CONTENT_TYPES = {k.content_type for k in KINDS.values() if k.inline}


@dataclass(frozen=True)
class CheckedFile:
    """What validation learnt about an accepted file."""

    kind: Kind
    name: str  # sanitized display name ending with an extension of `kind`
    size: int
    sha256: str


def max_bytes() -> int:
    return int(float(getattr(settings, "EVIDENCE_MAX_MB", 20) or 20) * 1024 * 1024)


def max_mb_label() -> str:
    mb = float(getattr(settings, "EVIDENCE_MAX_MB", 20) or 20)
    return f"{mb:g}"


class Refused(ApplicationError):
    """A file refused by validation; `code` says why (empty, too_large, type, macro,
    encrypted, corrupt, virus)."""

    def __init__(self, message, *, code):
        super().__init__(message, extra={"errors": {"file": [message]}, "code": code})
        self.code = code


# ---------------------------------------------------------------- names

_FORBIDDEN = set('<>:"|?*')


def sanitize_filename(name, *, max_length=NAME_MAX) -> str:
    """A display name safe to show and to send back: no path parts, no control or
    format characters (e.g. right-to-left overrides), no characters Windows refuses,
    whitespace collapsed, Vietnamese letters kept (NFC), at most `max_length` characters.

    `../../x.pdf` → `x.pdf`; an empty result becomes `tai-lieu`.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for ch in text:
        if ch in "\t\n\r\f\v":
            kept.append(" ")
        elif unicodedata.category(ch)[0] == "C":
            continue
        else:
            kept.append("_" if ch in _FORBIDDEN else ch)
    text = " ".join("".join(kept).split()).strip(" .")
    if not text:
        return "tai-lieu"
    if len(text) > max_length:
        stem, ext = os.path.splitext(text)
        if len(ext) > 10 or len(ext) >= max_length:
            stem, ext = text, ""
        text = stem[: max_length - len(ext)].rstrip(" .") + ext
    return text or "tai-lieu"


def display_name(name, kind: Kind) -> str:
    """The sanitized name with an extension that tells the truth about the content:
    `bao-cao.docx` holding a PDF becomes `bao-cao.pdf`; an unknown suffix is kept and
    the right one appended (`QĐ 12.2024` → `QĐ 12.2024.pdf`)."""
    clean = sanitize_filename(name, max_length=NAME_MAX - len(kind.extension))
    stem, ext = os.path.splitext(clean)
    if ext.lower() in kind.extensions:
        return stem + ext.lower()
    if ext.lower() in KNOWN_EXTENSIONS:
        clean = stem or "tai-lieu"
    return clean + kind.extension


# ---------------------------------------------------------------- reading without loading


def as_file(file) -> File:
    """Django's File around whatever was given (UploadedFile, File, an open binary file)."""
    return file if isinstance(file, File) else File(file, name=getattr(file, "name", None) or "upload")


def file_size(file) -> int:
    """The size without reading the content: the upload's counted size, or seek/tell."""
    size = getattr(file, "size", None)
    if size is not None:
        return int(size)
    position = file.tell()
    file.seek(0, os.SEEK_END)
    size = file.tell()
    file.seek(position)
    return size


def sha256_of(file) -> tuple[str, int]:
    """SHA-256 hex digest and byte count, read in chunks."""
    digest, count = hashlib.sha256(), 0
    file.seek(0)
    while chunk := file.read(CHUNK):
        digest.update(chunk)
        count += len(chunk)
    file.seek(0)
    return digest.hexdigest(), count


def _read_at(file, offset, length) -> bytes:
    file.seek(offset)
    return file.read(length)


# ---------------------------------------------------------------- content


class _Corrupt(Exception):
    pass


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAXREGSECT = 0xFFFFFFFA


def ole_entry_names(file, size) -> set[str]:
    """Names of the storages and streams of an OLE2 compound file ([MS-CFB]): "WordDocument"
    marks a Word 97–2003 document, "Workbook" or "Book" an Excel 97–2003 workbook. Reads
    the header, the FAT sectors it needs and the directory chain, sector by sector."""
    header = _read_at(file, 0, 512)
    if len(header) < 512 or header[:8] != OLE_MAGIC:
        raise _Corrupt
    shift = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        raise _Corrupt
    sector = 1 << shift
    per_sector = sector // 4
    sectors = max(1, (size - sector) // sector + 1)
    fat_count, first_dir = struct.unpack_from("<II", header, 0x2C)
    first_difat, difat_count = struct.unpack_from("<II", header, 0x44)
    fat = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < _MAXREGSECT]
    next_difat, hops = first_difat, 0
    while len(fat) < fat_count and next_difat < _MAXREGSECT and hops <= difat_count:
        block = _read_at(file, (next_difat + 1) * sector, sector)
        if len(block) < sector:
            raise _Corrupt
        entries = struct.unpack(f"<{per_sector}I", block)
        fat.extend(s for s in entries[:-1] if s < _MAXREGSECT)
        next_difat, hops = entries[-1], hops + 1

    def next_sector(n):
        index, slot = divmod(n, per_sector)
        if index >= len(fat):
            raise _Corrupt
        raw = _read_at(file, (fat[index] + 1) * sector + slot * 4, 4)
        if len(raw) < 4:
            raise _Corrupt
        return struct.unpack("<I", raw)[0]

    names, seen, current = set(), set(), first_dir
    while current < _MAXREGSECT:
        if current in seen or len(seen) > sectors:
            raise _Corrupt
        seen.add(current)
        block = _read_at(file, (current + 1) * sector, sector)
        if len(block) < sector:
            raise _Corrupt
        for start in range(0, sector, 128):
            entry = block[start:start + 128]
            length, kind = struct.unpack_from("<HB", entry, 0x40)
            if kind in (1, 2, 5) and 2 <= length <= 64:
                names.add(entry[: length - 2].decode("utf-16-le", "replace"))
        current = next_sector(current)
    if not names:
        raise _Corrupt
    return names


_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
}
# Content types of parts that carry code: macro-enabled main parts and templates, VBA projects
# and their data, ActiveX controls. Lower case; matched anywhere in [Content_Types].xml.
_OOXML_CODE_MARKERS = ("macroenabled", "vnd.ms-office.vbaproject", "vnd.ms-word.vbadata", "vnd.ms-office.activex")
# Zip entries that carry code whatever [Content_Types].xml claims.
_OOXML_CODE_ENTRY = re.compile(r"(?:^|/)(?:vbaProject[^/]*\.bin|vbaData\.xml|activeX/[^/]*\.bin)$", re.IGNORECASE)
_ODF = {"application/vnd.oasis.opendocument.text": "odt", "application/vnd.oasis.opendocument.spreadsheet": "ods"}
# ODF macros live in Basic/ (StarBasic modules) and Scripts/ (Python, JavaScript, BeanShell).
_ODF_CODE_DIRS = ("basic/", "scripts/")
_TAG = re.compile(rb"<(?:\w+:)?(Override|Default)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_XML_MAX = 1024 * 1024


def _xml_entry(archive, name) -> bytes:
    """A small XML entry, or refused as corrupt when it is larger than any honest one."""
    if archive.getinfo(name).file_size > _XML_MAX:
        raise _Corrupt
    return archive.read(name)


def _tags(xml, pattern):
    """(tag name, {attribute: value}) for each tag `pattern` matches; namespace prefixes dropped."""
    for match in pattern.finditer(xml):
        attrs = {m.group(1).decode("ascii").rsplit(":", 1)[-1].lower(): (m.group(2) or m.group(3) or b"").decode(
            "utf-8", "replace") for m in _ATTR.finditer(match.group(2))}
        yield match.group(1).decode("ascii").lower(), attrs


_MANIFEST_ENTRY = re.compile(rb"<(?:\w+:)?(file-entry)\b([^>]*)>", re.IGNORECASE)


def _odf_kind(archive, names) -> str | None:
    mime = archive.read("mimetype").decode("ascii", "replace").strip()
    if mime not in _ODF or "content.xml" not in names:
        return None
    paths = {name.lower() for name in names}
    if "META-INF/manifest.xml" in names:
        paths |= {attrs.get("full-path", "").lstrip("/").lower()
                  for _tag, attrs in _tags(_xml_entry(archive, "META-INF/manifest.xml"), _MANIFEST_ENTRY)}
    if any(path.startswith(_ODF_CODE_DIRS) for path in paths):
        return "macro"
    return _ODF[mime]


def _ooxml_kind(archive, names) -> str | None:
    kind = None
    for tag, attrs in _tags(_xml_entry(archive, "[Content_Types].xml"), _TAG):
        content_type = attrs.get("contenttype", "").strip().lower()
        if any(marker in content_type for marker in _OOXML_CODE_MARKERS):
            return "macro"
        part = attrs.get("partname", "").lstrip("/")
        if tag == "override" and content_type in _OOXML_MAIN and part in names and kind is None:
            kind = _OOXML_MAIN[content_type]
    if any(_OOXML_CODE_ENTRY.search(name) for name in names):
        return "macro"
    return kind


def zip_kind(file) -> str | None:
    """docx/xlsx from the main part named in `[Content_Types].xml` (and present in the
    zip), odt/ods from the `mimetype` entry; None for any other zip. "macro" when any part
    carries code, wherever it is listed: a macro-enabled or VBA or ActiveX content type in
    any Override or Default of `[Content_Types].xml`, a vbaProject.bin or ActiveX .bin entry,
    an ODF `Basic/` or `Scripts/` entry (in the zip or its manifest). Only those small XML
    entries are decompressed (no zip bombs)."""
    try:
        # the underlying file object: Django's File is falsy without a name, which zipfile reads as closed
        archive = zipfile.ZipFile(getattr(file, "file", file))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _Corrupt from exc
    with archive:
        names = set(archive.namelist())
        try:
            if "mimetype" in names and archive.getinfo("mimetype").file_size <= 100:
                return _odf_kind(archive, names)
            if "[Content_Types].xml" in names:
                return _ooxml_kind(archive, names)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise _Corrupt from exc
    return None


def _image_ok(file, fmt) -> bool:
    file.seek(0)
    try:
        with Image.open(file, formats=[fmt, "MPO"] if fmt == "JPEG" else [fmt]) as image:
            image.verify()
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError, struct.error):
        return False
    finally:
        file.seek(0)
    return True


def detect_kind(file, *, name="", size=None) -> Kind:
    """The kind of an evidence file from its content, or `Refused`."""
    size = file_size(file) if size is None else size
    head = _read_at(file, 0, 8192)
    guess = filetype.guess(head)
    mime = guess.mime if guess else ""

    def refuse(code, message):
        file.seek(0)
        raise Refused(message, code=code)

    def corrupt():
        refuse("corrupt", _("Tệp “%(name)s” bị hỏng hoặc không đọc được.") % {"name": name})

    if mime == "application/pdf" and head.startswith(b"%PDF-"):
        # Readers look for %%EOF in the last kilobyte; a file without it is truncated or not a PDF.
        if b"%%EOF" not in _read_at(file, max(0, size - 1024), 1024):
            corrupt()
        file.seek(0)
        return KINDS["pdf"]
    if mime in ("image/png", "image/apng"):
        if not _image_ok(file, "PNG"):
            corrupt()
        return KINDS["png"]
    if mime == "image/jpeg":
        if not _image_ok(file, "JPEG"):
            corrupt()
        return KINDS["jpg"]
    if head.startswith(OLE_MAGIC):
        try:
            entries = ole_entry_names(file, size)
        except (_Corrupt, struct.error):
            corrupt()
        file.seek(0)
        if "WordDocument" in entries:
            return KINDS["doc"]
        if "Workbook" in entries or "Book" in entries:
            return KINDS["xls"]
        if "EncryptedPackage" in entries:
            refuse("encrypted",
                   _("Tệp “%(name)s” được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.") % {"name": name})
    elif head.startswith(b"PK\x03\x04"):
        try:
            code = zip_kind(file)
        except _Corrupt:
            corrupt()
        file.seek(0)
        if code == "macro":
            refuse("macro", _("Tệp “%(name)s” có chứa macro hoặc mã lệnh; hãy lưu lại thành tệp thông thường "
                              "(.docx, .xlsx, .odt, .ods không có macro) rồi tải lên lại.") % {"name": name})
        if code:
            return KINDS[code]
    message = _("Tệp “%(name)s” không thuộc các loại được nhận (%(accepted)s).") % {
        "name": name, "accepted": ACCEPTED_LABEL}
    if guess:
        message += " " + _("Nội dung thực của tệp là %(kind)s.") % {"kind": guess.extension.upper()}
    refuse("type", message + " " + _("Hệ thống kiểm tra nội dung tệp, không dựa vào tên tệp."))


# ---------------------------------------------------------------- the hook


def virus_scan(file, *, name="") -> None:
    """settings.EVIDENCE_VIRUS_SCAN: dotted path of `callable(file)` that raises to refuse
    (an ApplicationError's message is shown as is). Empty: off. A scanner that cannot run
    refuses too: an unscanned file is never stored while the scan is on."""
    path = getattr(settings, "EVIDENCE_VIRUS_SCAN", "")
    if not path:
        return
    scanner = import_string(path)
    file.seek(0)
    try:
        scanner(file)
    except ApplicationError as exc:
        raise Refused(exc.message, code="virus") from exc
    except Exception as exc:  # noqa: BLE001 - any failure of the scanner refuses the file
        logger.warning("evidence virus scan refused %r: %s", name, exc)
        raise Refused(_("Tệp “%(name)s” bị từ chối khi quét virus.") % {"name": name}, code="virus") from exc
    finally:
        file.seek(0)


# ---------------------------------------------------------------- all together


def check_file(file, *, name=None) -> CheckedFile:
    """Every check, cheapest first; raises `Refused` (an ApplicationError) with a Vietnamese
    message. Nothing is written anywhere."""
    file = as_file(file)
    raw_name = name if name is not None else (getattr(file, "name", "") or "")
    shown = sanitize_filename(raw_name)
    size = file_size(file)
    if size <= 0:
        raise Refused(_("Tệp “%(name)s” rỗng (0 byte).") % {"name": shown}, code="empty")
    if size > max_bytes():
        raise Refused(_("Tệp “%(name)s” (%(size)s) vượt quá giới hạn %(limit)s MB.") % {
            "name": shown, "size": filesizeformat(size), "limit": max_mb_label()}, code="too_large")
    kind = detect_kind(file, name=shown, size=size)
    digest, counted = sha256_of(file)
    if counted == 0:
        raise Refused(_("Tệp “%(name)s” rỗng (0 byte).") % {"name": shown}, code="empty")
    if counted > max_bytes():
        raise Refused(_("Tệp “%(name)s” vượt quá giới hạn %(limit)s MB.") % {"name": shown, "limit": max_mb_label()},
                      code="too_large")
    virus_scan(file, name=shown)
    return CheckedFile(kind=kind, name=display_name(raw_name, kind), size=counted, sha256=digest)
