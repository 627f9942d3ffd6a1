"""The criteria sheet: reading every row of a workbook with its errors, and writing a set back.

Sheet ``criteria`` (or the first sheet), one row per criterion, columns of ../shared/API.md:
``code, title, max_points, rule, rule_params, evidence_required, guidance,
not_applicable_to``, then two optional columns ``capped`` (a branch whose children's maxima
may add up to more than its own) and ``responsible_agency`` (agency code). Vietnamese
headers are accepted (``Mã``, ``Nội dung``, ``Điểm tối đa``...). Sheet ``settings``
(optional; columns ``key, value``) holds the set's ``bonus_cap`` and ``penalty_cap``.

This module only reads and writes cells (no database); ``scoring.services.criteria`` checks
agency codes and the tree, and writes.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

import openpyxl

from cchc_portal.core.excel import RowError, WorkbookWriter, read_sheet
from cchc_portal.core.numbers import vi_number
from scoring.rules.kinds import RULES, RuleParamsError, decimal_str, to_decimal
from scoring.rules.text import format_params, parse_params
from scoring.rules.validation import validate_params

COLUMNS = ["code", "title", "max_points", "rule", "rule_params", "evidence_required", "guidance", "not_applicable_to"]
EXTRA_COLUMNS = ["capped", "responsible_agency", "responsible"]
ALL_COLUMNS = COLUMNS + EXTRA_COLUMNS
ALIASES = {
    "code": ["mã", "mã tiêu chí", "mã số"],
    "title": ["nội dung", "tiêu chí", "tên tiêu chí", "nội dung tiêu chí"],
    "max_points": ["điểm tối đa", "điểm chuẩn", "điểm"],
    "rule": ["cách chấm", "quy tắc chấm", "quy tắc", "cách tính điểm"],
    "rule_params": ["tham số", "tham số chấm", "thang điểm", "tham số quy tắc"],
    "evidence_required": ["cần tài liệu kiểm chứng", "tài liệu kiểm chứng", "cần tlkc", "tlkc"],
    "guidance": ["hướng dẫn chấm", "hướng dẫn", "hướng dẫn chấm điểm"],
    "not_applicable_to": ["không áp dụng cho", "không áp dụng", "đơn vị không áp dụng"],
    "capped": ["giới hạn", "giới hạn điểm tối đa", "tổng con vượt điểm tối đa"],
    "responsible_agency": ["đơn vị tham mưu", "cơ quan tham mưu", "đơn vị phụ trách"],
    "responsible": ["đơn vị chủ trì, phối hợp", "chủ trì, phối hợp", "chủ trì và phối hợp"],
}
# The Vietnamese header an export writes under the codes' row (each one of ALIASES, so read back).
LABELS = {
    "code": "Mã", "title": "Nội dung", "max_points": "Điểm tối đa", "rule": "Cách chấm", "rule_params": "Tham số",
    "evidence_required": "Cần tài liệu kiểm chứng", "guidance": "Hướng dẫn chấm",
    "not_applicable_to": "Không áp dụng cho", "capped": "Tổng con vượt điểm tối đa",
    "responsible_agency": "Đơn vị tham mưu",
    "responsible": "Đơn vị chủ trì, phối hợp",
}
SETTINGS_LABELS = {"key": "Thiết lập", "value": "Giá trị"}
# Vietnamese names of the rule kinds, accepted in the rule column (the canonical names too).
RULE_ALIASES = {
    "tổng": "sum", "tổng hợp": "sum",
    "nhập điểm": "manual", "tự chấm": "manual",
    "chọn mức": "levels", "mức": "levels",
    "khoảng": "bands", "khoảng tỷ lệ": "bands", "theo khoảng": "bands",
    "tỷ lệ": "ratio", "tỉ lệ": "ratio",
    "trừ điểm": "deduction", "trừ theo vi phạm": "deduction",
    "khảo sát": "survey", "xhh": "survey", "điều tra xhh": "survey",
    "nhập khẩu": "imported", "số liệu": "imported", "số liệu nhập": "imported",
    "thưởng": "bonus", "điểm thưởng": "bonus",
    "điểm trừ": "penalty", "phạt": "penalty",
}
YES = {"x", "1", "có", "co", "yes", "y", "true", "đúng", "v", "✓", "✔"}
NO = {"", "0", "không", "khong", "no", "n", "false", "sai", "-"}

CRITERIA_SHEET = "criteria"
CRITERIA_SHEET_ALIASES = ("criteria", "bộ tiêu chí", "tiêu chí")
SETTINGS_SHEET = "settings"
SETTINGS_SHEET_ALIASES = ("settings", "thiết lập", "cài đặt")
HELP_SHEET = "huong_dan"
SETTING_KEYS = {
    "bonus_cap": ["trần điểm thưởng", "giới hạn điểm thưởng", "tối đa điểm thưởng"],
    "penalty_cap": ["trần điểm trừ", "giới hạn điểm trừ", "tối đa điểm trừ"],
}

CODE_RE = re.compile(r"[1-9][0-9]*(?:\.[1-9][0-9]*)*")
MAX_POINTS_LIMIT = Decimal("99999.99")
_LIST_SEPARATOR = re.compile(r"[,;\n\r]")


@dataclass
class CriterionRow:
    """One criterion as read from the sheet (values checked, but not against the database)."""

    row: int
    code: str
    title: str = ""
    max_points: Decimal | None = None
    rule: str = ""
    params: dict = field(default_factory=dict)
    rule_params: str = ""  # the text as typed
    evidence_required: bool = False
    guidance: str = ""
    not_applicable_to: list[str] = field(default_factory=list)
    capped: bool = False
    responsible_agency: str = ""
    cooperating: list[str] = field(default_factory=list)  # agencies helping the responsible one

    @property
    def parent_code(self) -> str:
        return self.code.rpartition(".")[0]

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1


@dataclass
class Workbook:
    rows: list[CriterionRow]
    settings: dict[str, Decimal | None] | None  # None: the file has no settings sheet
    errors: list[RowError]


def _key(text) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text or "")).strip().lower().replace("_", " ").split())


def code_key(code: str) -> tuple:
    """Sort key of a code: "1.2" < "1.10" < "2"."""
    try:
        return tuple(int(part) for part in code.split("."))
    except ValueError:
        return (10**9, code)


def parse_flag(text: str) -> bool | None:
    """x / 1 / có → True; empty / 0 / không → False; anything else None."""
    key = _key(text)
    if key in YES:
        return True
    if key in NO:
        return False
    return None


def parse_codes(text: str) -> list[str]:
    codes = []
    for part in _LIST_SEPARATOR.split(text or ""):
        code = part.strip()
        if code and code not in codes:
            codes.append(code)
    return codes


def parse_rule(text: str) -> str:
    key = _key(text)
    if key in RULES:
        return key
    return RULE_ALIASES.get(key, key)


def _sheet_names(data: bytes) -> list[str] | None:
    try:
        wb = openpyxl.load_workbook(BytesIO(data), read_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is the same user error
        return None
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _find(names: list[str], aliases) -> str | None:
    wanted = {_key(a) for a in aliases}
    return next((name for name in names if _key(name) in wanted), None)


def read_workbook(file) -> Workbook:
    """Every criterion row of the file and every error (row, column, message), at once."""
    if hasattr(file, "read"):
        data = file.read()
    else:
        with open(file, "rb") as fh:
            data = fh.read()
    names = _sheet_names(data)
    if names is None:
        return Workbook([], None, [RowError(0, "", "Không đọc được tệp Excel (.xlsx).")])
    settings_name = _find(names, SETTINGS_SHEET_ALIASES)
    criteria_name = _find(names, CRITERIA_SHEET_ALIASES) or next(
        (n for n in names if n not in (settings_name, HELP_SHEET)), names[0])
    raw, errors = read_sheet(BytesIO(data), ALL_COLUMNS, aliases=ALIASES, sheet=criteria_name,
                             required=["code", "title", "max_points", "rule"])
    errors = list(errors)
    rows = [_parse_row(number, values, errors) for number, values in raw]
    rows = [r for r in rows if r is not None]
    if not raw and not errors:
        errors.append(RowError(0, "", "Tệp không có tiêu chí nào."))
    _check_codes(rows, errors)
    settings = None
    if settings_name:
        settings = _read_settings(data, settings_name, errors)
    errors.sort(key=lambda e: (e.row, ALL_COLUMNS.index(e.column) if e.column in ALL_COLUMNS else 99))
    return Workbook(rows, settings, errors)


def _parse_row(number: int, values: dict, errors: list[RowError]) -> CriterionRow | None:
    def error(column, message):
        errors.append(RowError(number, column, message))

    code = values.get("code", "").strip().rstrip(".")
    if not code:
        error("code", "Thiếu mã tiêu chí.")
        return None
    row = CriterionRow(row=number, code=code)
    if len(code) > 20 or not CODE_RE.fullmatch(code):
        error("code", f"Mã '{code}' không hợp lệ; dùng các số cách nhau bằng dấu chấm, ví dụ 1, 1.2, 1.2.3.")
    row.title = values.get("title", "").strip()
    if not row.title:
        error("title", "Thiếu nội dung tiêu chí.")
    text = values.get("max_points", "")
    number_value = to_decimal(text)
    if text == "":
        error("max_points", "Thiếu điểm tối đa.")
    elif number_value is None:
        error("max_points", f"Điểm tối đa '{text}' không phải là số.")
    elif number_value < 0:
        error("max_points", f"Điểm tối đa {vi_number(number_value)} không được âm.")
    elif number_value != number_value.quantize(Decimal("0.01")):
        error("max_points", f"Điểm tối đa {vi_number(number_value)} có quá 2 chữ số thập phân.")
    elif number_value > MAX_POINTS_LIMIT:
        error("max_points", f"Điểm tối đa {vi_number(number_value)} quá lớn.")
    else:
        row.max_points = number_value
    row.rule = parse_rule(values.get("rule", ""))
    row.rule_params = values.get("rule_params", "").strip()
    if row.rule and row.rule not in RULES:
        error("rule", f"Cách chấm '{values.get('rule')}' không hợp lệ; dùng một trong: {', '.join(RULES)}.")
    elif row.rule:
        try:
            row.params = parse_params(row.rule, row.rule_params)
        except RuleParamsError as exc:
            error("rule_params", exc.message)
        else:
            if row.max_points is not None:
                for problem in validate_params(row.rule, row.params, row.max_points):
                    error("rule_params", problem)
    for column in ("evidence_required", "capped"):
        flag = parse_flag(values.get(column, ""))
        if flag is None:
            error(column, f"'{values.get(column)}' không hợp lệ; ghi x (có) hoặc để trống (không).")
        else:
            setattr(row, column, flag)
    row.guidance = values.get("guidance", "")
    row.not_applicable_to = parse_codes(values.get("not_applicable_to", ""))
    row.responsible_agency = values.get("responsible_agency", "").strip()
    responsible = parse_codes(values.get("responsible", ""))
    if responsible:  # lead first, then the co-operating agencies
        if row.responsible_agency and row.responsible_agency != responsible[0]:
            error("responsible", f"Đơn vị chủ trì '{responsible[0]}' khác cột responsible_agency "
                                 f"('{row.responsible_agency}').")
        row.responsible_agency = responsible[0]
        row.cooperating = [code for code in dict.fromkeys(responsible[1:]) if code != responsible[0]]
    return row


def _check_codes(rows: list[CriterionRow], errors: list[RowError]) -> None:
    """Duplicates, and the rule of rows left blank: a row with children is a branch (sum)."""
    seen: dict[str, int] = {}
    parents = {r.parent_code for r in rows if r.parent_code}
    for r in rows:
        if r.code in seen:
            errors.append(RowError(r.row, "code", f"Mã '{r.code}' trùng với dòng {seen[r.code]}."))
        else:
            seen[r.code] = r.row
        if not r.rule:
            if r.code in parents:
                r.rule = "sum"
            else:
                errors.append(RowError(r.row, "rule", "Thiếu cách chấm của tiêu chí không có tiêu chí con."))


def _read_settings(data: bytes, sheet: str, errors: list[RowError]) -> dict[str, Decimal | None]:
    raw, sheet_errors = read_sheet(BytesIO(data), ["key", "value"], sheet=sheet, required=["key", "value"],
                                   aliases={"key": ["tham số", "khóa", "mục", "thiết lập"], "value": ["giá trị"]})
    where = f"trang '{sheet}'"
    errors += [RowError(e.row, e.column or where, e.message) for e in sheet_errors]
    lookup = {}
    for name, aliases in SETTING_KEYS.items():
        for alias in [name, *aliases]:
            lookup[_key(alias)] = name
    settings: dict[str, Decimal | None] = {}
    for number, values in raw:
        name = lookup.get(_key(values.get("key")))
        if name is None:
            errors.append(RowError(number, f"{sheet}.key", f"Thiết lập '{values.get('key')}' không có; dùng "
                                                           f"{', '.join(SETTING_KEYS)}."))
            continue
        text = values.get("value", "")
        value = to_decimal(text) if text else None
        if text and (value is None or value < 0 or value != value.quantize(Decimal("0.01"))):
            errors.append(RowError(number, f"{sheet}.value", f"Giá trị '{text}' phải là số không âm, tối đa "
                                                             "2 chữ số thập phân (để trống: không giới hạn)."))
            continue
        settings[name] = value
    return settings


# ---------------------------------------------------------------------------------------------
# writing

HELP_ROWS = [
    ("code", "Mã tiêu chí: 1, 1.2, 1.2.3 (cây tiêu chí theo dấu chấm, tối đa 4 cấp). Định dạng ô là Văn bản."),
    ("title", "Nội dung tiêu chí."),
    ("max_points", "Điểm tối đa (tối đa 2 chữ số thập phân)."),
    ("rule", "sum (tiêu chí có tiêu chí con); manual, levels, bands, ratio, deduction, survey, imported, bonus, "
             "penalty (tiêu chí được chấm)."),
    ("rule_params", "manual/bonus/penalty/imported: step=0.25 · levels: Đúng hạn=1; Trễ hạn=0.5; Không ban hành=0 · "
                    "bands: >90:2; 70-90:1; <70:0 · ratio: target=100 · deduction: per=0.5 · survey, sum: để trống. "
                    "Số thập phân viết 0,5 hoặc 0.5. bands, ratio: tử số lớn hơn mẫu số (vượt kế hoạch, ví dụ 10/8) "
                    "được tính như 100% (không quá điểm tối đa); thêm over=refuse để không nhận tử số lớn hơn mẫu "
                    "số (tỷ lệ không thể vượt 100%, ví dụ hồ sơ giải quyết đúng hạn), ví dụ: over=refuse hoặc "
                    "=100:2; 80-<100:1; <80:0; over=refuse."),
    ("evidence_required", "x: cần tài liệu kiểm chứng (không có tài liệu thì 0 điểm); để trống: không."),
    ("guidance", "Hướng dẫn chấm."),
    ("not_applicable_to", "Mã các đơn vị không áp dụng, cách nhau bằng dấu phẩy."),
    ("capped", "x: tổng điểm tối đa các tiêu chí con được vượt điểm tối đa (điểm được giới hạn)."),
    ("responsible_agency", "Mã đơn vị tham mưu chấm tiêu chí (khi tỉnh tự đánh giá)."),
    ("responsible", "Khi tỉnh tự đánh giá: mã đơn vị chủ trì rồi các đơn vị phối hợp, cách nhau bằng dấu phẩy "
                    "(ví dụ: SNV, CTK). Tiêu chí cha giao cho cả các tiêu chí con chưa được giao."),
    ("settings", "Trang settings: bonus_cap (trần điểm thưởng), penalty_cap (trần điểm trừ); trống: không giới hạn."),
]
_WIDTHS = {"code": 9, "title": 60, "max_points": 11, "rule": 11, "rule_params": 36, "evidence_required": 10,
           "guidance": 50, "not_applicable_to": 18, "capped": 8, "responsible_agency": 14,
           "responsible": 18}


def number_cell(value: Decimal | None):
    """A number as Excel should hold it: 10 (not 10.00), 2.5."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else Decimal(decimal_str(value))


def excel_params_text(rule: str, params: dict) -> str:
    """The canonical text form, except a leading "=a" band written "a" (the same band, see
    scoring.rules): Excel takes a cell typed "=100:2; ..." for a formula."""
    text = format_params(rule, params)
    return text[1:] if text.startswith("=") else text


def row_values(row: CriterionRow) -> list:
    """The cells of one criterion, in ALL_COLUMNS order."""
    return [
        row.code,
        row.title,
        number_cell(row.max_points),
        row.rule,
        excel_params_text(row.rule, row.params),
        "x" if row.evidence_required else "",
        row.guidance,
        ", ".join(row.not_applicable_to),
        "x" if row.capped else "",
        row.responsible_agency,
        ", ".join([row.responsible_agency, *row.cooperating]) if row.cooperating else "",
    ]


def write_workbook(rows: list[CriterionRow], settings: dict[str, Decimal | None]) -> bytes:
    """The criteria sheet, the settings sheet and a short help sheet, as .xlsx bytes."""
    book = WorkbookWriter()
    # row 1: the column codes of ../shared/API.md (kept for scripts); row 2: their Vietnamese names
    ws = book.sheet(CRITERIA_SHEET, ALL_COLUMNS, widths=[_WIDTHS[name] for name in ALL_COLUMNS], wrap=True,
                    labels=[LABELS[name] for name in ALL_COLUMNS],
                    formats={0: "@", 2: "0.00"})  # codes are text: 1.10 must not become 1.1
    for row in sorted(rows, key=lambda r: code_key(r.code)):
        ws.append(row_values(row))
    st = book.sheet(SETTINGS_SHEET, ["key", "value"], widths=[16, 10], labels=list(SETTINGS_LABELS.values()),
                    formats={1: "0.00"})
    for name in SETTING_KEYS:
        st.append([name, number_cell(settings.get(name))])
    hp = book.sheet(HELP_SHEET, ["cột", "ý nghĩa"], widths=[20, 110])
    for name, meaning in HELP_ROWS:
        hp.append([name, meaning])
    return book.to_bytes()

