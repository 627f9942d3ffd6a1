"""A proposal of a document's number, date, issuer and title from the text of its first page
(the layout of Vietnamese administrative documents, Nghị định 30/2020/NĐ-CP): the agency
lines and "Số: 12/KH-UBND" top left, the motto and "…, ngày 15 tháng 01 năm 2026" top right,
then the document type in capitals ("KẾ HOẠCH") and its subject line(s)."""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .search import plain


@dataclass
class Proposal:
    number: str = ""
    issued_on: date | None = None
    issuer: str = ""
    title: str = ""


def _nfc(text: str) -> str:
    # OCR reads "Đ" as the look-alike "Ð" (U+00D0, eth) and sometimes twice
    text = unicodedata.normalize("NFC", text).replace("\u00d0", "Đ").replace("\u0110\u0110", "Đ")
    return text.replace("\u00f0", "đ")


# "Số: 12/KH-UBND", "Số 12 /2026/QĐ-UBND", OCR's "S6:" / "Sô:"
_NUMBER = re.compile(
    r"\b[Ss][ốôoóồộ6][\s.]*[:;]?\s*"
    r"(\d{1,6}\s*/\s*(?:\d{4}\s*/\s*)?[A-ZĐ0-9][A-ZĐa-zđ0-9]*(?:\s*[-–]\s*[A-ZĐ0-9][A-ZĐa-zđ0-9]*){0,4})")
# "ngày 15 tháng 01 năm 2026" (OCR may drop or change a diacritic)
_DATE = re.compile(
    r"ng[aàáạ]y\s*(\d{1,2})\s*th[aáàạ]ng\s*(\d{1,2})\s*n[aăắằặ]m\s*(\d{4})", re.IGNORECASE)
_DATE_NUMERIC = re.compile(r"\bngày\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})", re.IGNORECASE)
_MOTTO = re.compile(r"C[OỘ]NG\s+H[OÒ]A|Độc\s+lập|ĐỘC\s+LẬP|Tự\s+do|Hạnh\s+phúc|HẠNH\s+PHÚC", re.IGNORECASE)
_DOC_TYPES = ("QUYẾT ĐỊNH", "KẾ HOẠCH", "BÁO CÁO", "CÔNG VĂN", "THÔNG BÁO", "TỜ TRÌNH", "CHỈ THỊ",
              "NGHỊ QUYẾT", "HƯỚNG DẪN", "CHƯƠNG TRÌNH", "QUY CHẾ", "QUY ĐỊNH", "BIÊN BẢN", "ĐỀ ÁN",
              "PHƯƠNG ÁN", "GIẤY MỜI", "CÔNG ĐIỆN", "THÔNG TƯ", "NGHỊ ĐỊNH")
_AGENCY_WORDS = ("ỦY BAN", "UỶ BAN", "UBND", "SỞ ", "BAN ", "PHÒNG ", "BỘ ", "CỤC ", "CHI CỤC", "TRUNG TÂM",
                 "HỘI ĐỒNG", "VĂN PHÒNG", "THANH TRA", "TỔNG CỤC", "TRƯỜNG", "BỆNH VIỆN", "ĐẢNG ỦY", "HUYỆN",
                 "TỈNH", "XÃ", "PHƯỜNG", "CÔNG AN", "KHO BẠC", "CHI NHÁNH")


# Parts of document symbols that only exist with "Đ" (OCR often loses the bar):
# Quyết định, Kế hoạch và Đầu tư, Giáo dục và Đào tạo, Hội đồng nhân dân, Lao động…
_SYMBOL_FIXES = {"QD": "QĐ", "KHDT": "KHĐT", "GDDT": "GDĐT", "HDND": "HĐND", "LDTBXH": "LĐTBXH",
                 "SKHDT": "SKHĐT", "SGDDT": "SGDĐT", "SLDTBXH": "SLĐTBXH", "DU": "ĐU"}


def _number(text: str) -> str:
    match = _NUMBER.search(text)
    if not match:
        return ""
    value = re.sub(r"\s+", "", match.group(1)).replace("–", "-")
    head, _, symbol = value.rpartition("/")
    symbol = "-".join(_SYMBOL_FIXES.get(part, part) for part in symbol.split("-"))
    return (f"{head}/{symbol}" if head else symbol)[:100]


def _date(text: str) -> date | None:
    for pattern in (_DATE, _DATE_NUMERIC):
        for match in pattern.finditer(text):
            day, month, year = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                continue
    return None


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _is_upper(line: str) -> bool:
    letters = [ch for ch in line if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) >= 0.85 * len(letters)


def _head(line: str) -> str:
    """The left column of a header line that also holds the motto (text layers and OCR put
    both columns on one line): whatever precedes "CỘNG HÒA…" or "Độc lập…"."""
    match = _MOTTO.search(line)
    return line[:match.start()].strip() if match else line


# without diacritics: OCR often reads "SỞ" as "SƠ", "PHÒNG" as "PHONG"
_AGENCY_STARTS = ("UY BAN", "UBND", "SO ", "BAN ", "PHONG ", "BO ", "CUC ", "CHI CUC", "TRUNG TAM", "HOI DONG",
                  "VAN PHONG", "THANH TRA", "TONG CUC", "TRUONG ", "BENH VIEN", "DANG UY", "CONG AN", "KHO BAC",
                  "CHI NHANH", "VIEN ", "DAI ", "BAO HIEM")


def _issuer(lines: list[str]) -> str:
    """The agency that issues: the upper-case header lines before "Số:", grouped into
    agencies (a line starting with "SỞ", "ỦY BAN", "PHÒNG"… starts one, other lines continue
    a name wrapped over two lines); the last agency issues, those above are its parents."""
    groups: list[list[str]] = []
    previous = ""
    for line in lines[:14]:
        if _NUMBER.search(line) or _DATE.search(line):
            break
        left = _head(line).strip(" -_–—:.ˆ^'`")
        after_motto = previous.rstrip().upper().endswith("VIỆT")
        previous = line
        if after_motto and (left == "NAM" or left.endswith(" NAM")):
            left = left[:-3].strip()  # the motto's "… VIỆT / NAM" wrapped onto this line
        if not left or not _is_upper(left) or len(left) < 2:
            continue
        if any(word in left for word in _DOC_TYPES) and not any(word in left for word in _AGENCY_WORDS):
            break
        starts = plain(left + " ").upper().startswith(_AGENCY_STARTS) and len(left.split()) >= 2
        if starts or not groups:
            groups.append([left])
        else:
            groups[-1].append(left)
    if not groups:
        return ""
    return " ".join(groups[-1])[:255]


def _title(lines: list[str]) -> str:
    """The document type in capitals and the subject lines under it ("KẾ HOẠCH" / "Cải cách
    hành chính năm 2026") up to the first blank-ish or body line."""
    for index, line in enumerate(lines[:40]):
        stripped = _head(line).strip()
        kind = next((t for t in _DOC_TYPES if stripped.upper().startswith(t) and _is_upper(stripped[:len(t)])), None)
        if kind is None or len(stripped) > len(kind) + 60 and not _is_upper(stripped):
            continue
        if _NUMBER.search(stripped):
            continue
        parts = [stripped]
        for follow in lines[index + 1:index + 4]:
            if (follow.startswith(("Căn cứ", "Kính gửi", "I.", "1.", "Điều", "Thực hiện", "Theo"))
                    or len(follow) > 160 or set(follow) <= set("-_–—* ")):
                break
            parts.append(follow.strip(" -_–—"))
        return " ".join(p for p in parts if p)[:500]
    return ""


def propose(first_page: str) -> Proposal:
    """The proposal read from the first page's text (empty fields when not found)."""
    text = _nfc(first_page or "")
    lines = _lines(text)
    return Proposal(number=_number(text), issued_on=_date(text), issuer=_issuer(lines), title=_title(lines))
