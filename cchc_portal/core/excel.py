"""Reading and writing the portal's Excel files: header mapping, row numbers, row errors.

Every import works the same way: read all rows, collect every error as
`RowError(row, column, message)`, and write nothing unless there are none.
"""
from dataclasses import dataclass, field
from io import BytesIO

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
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
            rows.append(
                (number, {c: cell_text(values[i]) if i < len(values) else "" for c, i in index.items()})
            )
        return rows, []
    finally:
        wb.close()


def write_workbook(sheets) -> bytes:
    """`sheets`: [(title, header, rows)] → .xlsx bytes with a bold frozen header."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title=title[:31])
        ws.append(list(header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE7F3")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            ws.append(list(row))
        ws.freeze_panes = "A2"
        for i, h in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, min(60, len(str(h)) + 4))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
