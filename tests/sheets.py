"""Spreadsheets built in memory for the import tests: the header row, then the rows."""
from io import BytesIO

import openpyxl


def xlsx(rows, header, *, name=None) -> BytesIO:
    """An .xlsx file, rewound for reading; `name` gives it a file name as an upload has."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    if name:
        out.name = name
    return out
