"""Spreadsheets in the tests: built in memory for the imports (the header row, then the rows),
and read back from a download."""
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


def workbook(response) -> openpyxl.Workbook:
    """The workbook a download answers, streamed or not."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(BytesIO(data))
