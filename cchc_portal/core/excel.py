"""Reading and writing the portal's Excel files: header mapping, row numbers, row errors;
one writer (`WorkbookWriter`) that every export uses, so user text never becomes a formula.

Every import works the same way: read all rows, collect every error as
`RowError(row, column, message)`, and write nothing unless there are none.
"""
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .exceptions import ApplicationError


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's own row number (header is row 1)
    column: str
    message: str

    def __str__(self):
        where = f"dòng {self.row}" if self.row else "tệp"
        return f"{where}, cột {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What an import did, or would do in a dry run."""

    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors

    def as_dict(self):
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in self.errors],
        }


class ImportFailed(ApplicationError):
    """Raised inside the import's transaction so nothing half-imported stays."""

    def __init__(self, report: ImportReport):
        super().__init__(f"Tệp có {len(report.errors)} lỗi; chưa nhập dữ liệu nào.", extra=report.as_dict())
        self.report = report


def _norm(text) -> str:
    return " ".join(str(text or "").strip().lower().replace("_", " ").split())


def cell_text(value) -> str:
    """A cell as text: numbers without a trailing .0 (codes like 1.1 stay as typed)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheet(file, columns, *, aliases=None, sheet=None, required=()):
    """Rows of a sheet as dicts keyed by canonical column names, with their row numbers.

    `columns`: canonical names; `aliases`: {canonical: [other headers, e.g. Vietnamese]}.
    Returns (rows, errors): rows is a list of (row_number, {column: text}); empty rows are
    skipped. A missing required column or an unreadable file is an error, not a crash.
    """
    try:
        wb = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is the same user error
        return [], [RowError(0, "", "Không đọc được tệp Excel (.xlsx).")]
    try:
        if sheet is not None:
            if sheet not in wb.sheetnames:
                return [], [RowError(0, "", f"Tệp không có trang tính “{sheet}”.")]
            ws = wb[sheet]
        else:
            ws = wb.worksheets[0]
        lookup = {}
        for name in columns:
            lookup[_norm(name)] = name
            for alias in (aliases or {}).get(name, []):
                lookup[_norm(alias)] = name
        rows_iter = ws.iter_rows(values_only=True)
        header = next(rows_iter, None)
        if not header:
            return [], [RowError(1, "", "Tệp trống: thiếu dòng tiêu đề.")]
        index = {}
        for i, h in enumerate(header):
            key = lookup.get(_norm(h))
            if key and key not in index:
                index[key] = i
        errors = [RowError(1, c, "Thiếu cột bắt buộc.") for c in required if c not in index]
        if errors:
            return [], errors
        rows = []
        for number, values in enumerate(rows_iter, start=2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            if number == 2 and _is_label_row(values, index, lookup):
                continue  # a second header row: the columns' other names (the portal's own exports)
            rows.append(
                (number, {c: cell_text(values[i]) if i < len(values) else "" for c, i in index.items()})
            )
        return rows, []
    finally:
        wb.close()


def _is_label_row(values, index, lookup) -> bool:
    """A row whose every filled cell names the column it stands in (a second header row,
    e.g. "Mã" under "code"), with at least two such cells."""
    named = 0
    for column, i in index.items():
        value = values[i] if i < len(values) else None
        if value is None or str(value).strip() == "":
            continue
        if lookup.get(_norm(value)) != column:
            return False
        named += 1
    return named >= 2


# ---------------------------------------------------------------- writing

POINTS_FORMAT = "#,##0.00"  # Excel shows 1.234,50 under a Vietnamese locale
COUNT_FORMAT = "#,##0"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
WRAP = Alignment(wrap_text=True, vertical="top")
_THIN = Side(style="thin", color="999999")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
# A spreadsheet reads text starting with these as a formula once someone edits the cell.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Formatted:
    """A value written with a number format of its own (e.g. signed bonus and penalty points)."""
    value: object
    number_format: str


class SheetWriter:
    """One sheet: optional title lines, a bold header that stays in view and filters, then
    rows. `append` writes user text as text (never a formula), Decimal as a number shown
    with two decimals, int as a whole number, dates as dates (dd/mm/yyyy hh:mm)."""

    def __init__(self, book, title, header, *, widths=None, preamble=(), wrap=False, border=False, formats=None,
                 labels=None):
        self.book = book
        self.formats = formats or {}  # {column index: number format} of the body, e.g. {0: "@"} for codes
        self.ws = book.wb.create_sheet(title=_sheet_title(title))
        self.columns = len(header)
        self.wrap, self.border = wrap, border
        self.rows = 0
        for i, width in enumerate(widths or [max(10, min(60, len(str(h)) + 4)) for h in header], start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        lines = list(preamble)
        # `labels`: a second header row under the column codes (e.g. the Vietnamese names under
        # the API's English codes); `read_sheet` knows it and skips it
        self.header_row = len(lines) + (2 if labels else 1)
        self.ws.freeze_panes = f"A{self.header_row + 1}"  # set before any row (write-only sheets)
        for line in lines:
            self._add([line] if isinstance(line, str) else line, font=Font(bold=True, size=13) if line else None,
                      style=False)
        for row in (header, labels) if labels else (header,):
            self._add(row, font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP, border=BORDER if border else None,
                      style=False)

    def append(self, values=(), *, bold=False):
        if bold or self.wrap or self.border or self.formats:
            self._add(values, font=HEADER_FONT if bold else None)
            return
        # The plain row of a big export: a styled cell only where one is needed (numbers,
        # dates, text that could be read as a formula); plain text goes as it is (4M cells).
        row = []
        for value in values:
            if isinstance(value, Promise):
                value = str(value)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if not value.startswith(_FORMULA_START) and value not in ERROR_CODES:
                    row.append(value or None)
                    continue
            elif value is None:
                row.append(None)
                continue
            cell = WriteOnlyCell(self.ws)
            _set(cell, value)
            row.append(cell)
        self.ws.append(row)
        self.rows += 1

    def _add(self, values, *, font=None, fill=None, alignment=None, border=None, style=True):
        cells = []
        for i, value in enumerate(values):
            cell = WriteOnlyCell(self.ws)
            _set(cell, value)
            if style and i in self.formats:
                cell.number_format = self.formats[i]
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            if style and self.wrap:
                cell.alignment = WRAP
            elif alignment is not None:
                cell.alignment = alignment
            if border is not None or (style and self.border):
                cell.border = BORDER
            cells.append(cell)
        self.ws.append(cells)
        self.rows += 1

    def close(self):
        if self.columns:
            self.ws.auto_filter.ref = f"A{self.header_row}:{get_column_letter(self.columns)}{self.rows}"


class WorkbookWriter:
    """The one way the portal writes a workbook: `sheet(...)` per sheet, then `save(file)`,
    `to_bytes()` or `to_temp_file()`. Write-only: rows go out as they come (the largest
    export has 400,000 rows)."""

    def __init__(self):
        self.wb = openpyxl.Workbook(write_only=True)
        self.sheets: list[SheetWriter] = []

    def sheet(self, title, header, **kwargs) -> SheetWriter:
        sheet = SheetWriter(self, title, header, **kwargs)
        self.sheets.append(sheet)
        return sheet

    def save(self, file):
        for sheet in self.sheets:
            sheet.close()
        if not self.sheets:
            self.wb.create_sheet("Sheet")
        self.wb.save(file)

    def to_bytes(self) -> bytes:
        out = BytesIO()
        self.save(out)
        return out.getvalue()

    def to_temp_file(self):
        """The workbook in an anonymous temporary file, rewound (FileResponse closes it)."""
        handle = tempfile.TemporaryFile(suffix=".xlsx")
        self.save(handle)
        handle.seek(0)
        return handle


def _sheet_title(title) -> str:
    title = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title)).strip()[:31]
    return title or "Sheet"


def _set(cell, value):
    if isinstance(value, Formatted):
        _set(cell, value.value)
        cell.number_format = value.number_format
        return
    if isinstance(value, Promise):  # a lazy translation
        value = str(value)
    if value is None or value == "":
        return
    if isinstance(value, bool):
        cell.value = "x" if value else ""
        cell.data_type = "s"
    elif isinstance(value, Decimal | float):
        cell.value = value  # Decimal stays Decimal: written as a number, no float on the way
        cell.number_format = POINTS_FORMAT
    elif isinstance(value, int):
        cell.value = value
        cell.number_format = COUNT_FORMAT
    elif isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        cell.value = value.replace(tzinfo=None)
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        cell.value = text
        cell.data_type = "s"  # text, never a formula or an error code ("#N/A")
        if text.startswith(_FORMULA_START):
            cell.quotePrefix = True


def write_workbook(sheets) -> bytes:
    """`sheets`: [(title, header, rows)] → .xlsx bytes with a bold frozen header."""
    book = WorkbookWriter()
    for title, header, rows in sheets:
        sheet = book.sheet(title, header)
        for row in rows:
            sheet.append(row)
    return book.to_bytes()
