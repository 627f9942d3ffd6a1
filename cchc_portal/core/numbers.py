"""The portal's one reading and writing of numbers typed or shown to people.

Pure Python (no Django): the rule engine, forms, the autosave endpoint, imports and the API
share it; static/js/portal.js (``Portal.parseNumber``) mirrors ``parse_decimal`` for the
browser.

Reading (``parse_decimal``, ``parse_integer``): ``4,5`` and ``4.5`` are the same number;
blanks around are ignored. Thousands grouping is read only where it cannot be mistaken:

- with blanks (``1 000``, ``12 500,5``) or several marks of one kind (``1.000.000``);
- with both marks, the last one being the decimal mark (``1.000,5``, ``1,000.5``);
- in a whole number (``parse_integer``), ``1.000`` is one thousand.

``1.000`` in a decimal field is refused (one thousand in Vietnamese, one in English), and so
is anything else that is not one number (``4,5,6``, ``4.5.6``, letters): never a character
dropped. Errors are ``NumberError`` with a Vietnamese message.

Writing (``vi_number``): ``0,5``, ``1.000``, ``80,03`` for Vietnamese sentences built outside
a request (the engine's reasons); templates use the ``points``/``number`` filters.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_BLANKS = re.compile(r"[\s\u00a0\u202f\u2009]+")
_PLAIN = re.compile(r"[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+")
_GROUPS = r"[0-9]{{1,3}}(?:{sep}[0-9]{{3}})+"


class NumberError(ValueError):
    """Text that is not one number; ``message`` is Vietnamese, shown to the user."""

    def __init__(self, message: str, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


def _grouped(text: str, sep: str) -> bool:
    return re.fullmatch(_GROUPS.format(sep=re.escape(sep)), text) is not None


def _read(text: str, *, integer: bool, grouping: bool = True) -> Decimal:
    shown = text
    text = text.strip()
    sign = ""
    if text[:1] in "+-−":
        sign, text = ("-" if text[0] in "-−" else ""), text[1:].lstrip()
    if not text:
        raise NumberError(f"'{shown.strip()}' không phải là số.")
    if not grouping:  # machine text (the API, stored inputs, spreadsheet cells): one mark, the decimal one
        if _PLAIN.fullmatch(text):
            whole, mark, fraction = text.replace(",", ".").partition(".")
            return Decimal(sign + (whole or "0") + mark + fraction)
        if re.fullmatch(r"[0-9.,]+", text):
            raise NumberError(_two_marks(shown))
        raise NumberError(f"'{shown.strip()}' không phải là số; chỉ dùng chữ số và dấu phẩy thập phân (ví dụ 4,5).")
    # Blanks inside: thousands grouping only (1 000 / 12 500,5).
    if _BLANKS.search(text):
        whole, mark, fraction = text, "", ""
        for sep in (",", "."):
            if sep in text:
                whole, mark, fraction = text.rpartition(sep)
                break
        pieces = _BLANKS.split(whole)
        if len(pieces) < 2 or not _grouped(" ".join(pieces), " ") or (mark and not fraction.isdigit()):
            raise NumberError(
                f"'{shown.strip()}' không phải là một số; khoảng trắng chỉ dùng để tách hàng nghìn (1 000)."
            )
        text = "".join(pieces) + ("." + fraction if mark else "")
        return Decimal(sign + text)
    if not re.fullmatch(r"[0-9.,]+", text):
        raise NumberError(f"'{shown.strip()}' không phải là số; chỉ dùng chữ số và dấu phẩy thập phân (ví dụ 4,5).")
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        whole, _, fraction = text.rpartition(decimal_mark)
        if text.count(decimal_mark) > 1 or not _grouped(whole, group_mark) or not fraction.isdigit():
            raise NumberError(_two_marks(shown))
        return Decimal(sign + whole.replace(group_mark, "") + "." + fraction)
    if dots > 1 or commas > 1:
        mark = "." if dots else ","
        if not _grouped(text, mark):
            raise NumberError(_two_marks(shown))
        return Decimal(sign + text.replace(mark, ""))
    if not _PLAIN.fullmatch(text):
        raise NumberError(f"'{shown.strip()}' không phải là số.")
    whole, mark, fraction = text.replace(",", ".").partition(".")
    if mark and len(fraction) == 3 and 1 <= len(whole) <= 3 and whole[0] != "0":
        if integer:
            return Decimal(sign + whole + fraction)  # 1.000 in a whole number: one thousand
        raise NumberError(
            f"'{shown.strip()}' không rõ là {whole}{fraction} hay {vi_number(Decimal(whole + '.' + fraction))}: "
            f"viết {whole}{fraction} nếu là số nguyên (không dấu tách hàng nghìn), "
            f"{vi_number(Decimal(whole + '.' + fraction))} nếu là số thập phân."
        )
    return Decimal(sign + (whole or "0") + mark + fraction)


def _two_marks(shown: str) -> str:
    return (
        f"'{shown.strip()}' có nhiều dấu phân cách thập phân; một số chỉ có một dấu phẩy thập phân "
        "(ví dụ 4,5)."
    )


def parse_decimal(text, *, places: int | None = None, grouping: bool = True) -> Decimal:
    """The number in ``text`` (str, int or Decimal) as a Decimal; ``places`` limits the decimals.

    ``grouping=False`` reads machine text (the API's ``"4.5"``, stored inputs, spreadsheet
    cells): one mark, always the decimal one, so ``"1.125"`` is 1.125, never a thousand.
    Raises ``NumberError`` (Vietnamese message) on anything that is not exactly one number.
    """
    if text is None:
        raise NumberError("Chưa nhập số.", code="required")
    if isinstance(text, bool):
        raise NumberError(f"'{text}' không phải là số.")
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, float):
        value = Decimal(repr(text))  # JSON numbers arrive as floats; their shortest repr is what was typed
    elif isinstance(text, str):
        if not text.strip():
            raise NumberError("Chưa nhập số.", code="required")
        try:
            value = _read(text, integer=False, grouping=grouping)
        except InvalidOperation:
            raise NumberError(f"'{text.strip()}' không phải là số.") from None
    else:
        raise NumberError(f"'{text}' không phải là số.")
    if not value.is_finite():
        raise NumberError(f"'{text}' không phải là số.")
    if places is not None and _places(value) > places:
        raise NumberError(
            f"'{str(text).strip()}' có quá {places} chữ số thập phân.", code="max_decimal_places"
        )
    return value


def parse_integer(text) -> int:
    """A whole number from ``text``; ``1.000`` and ``1 000`` are one thousand, ``4,0`` is 4."""
    if isinstance(text, str) and text.strip():
        try:
            value = _read(text, integer=True)
        except InvalidOperation:
            raise NumberError(f"'{text.strip()}' không phải là số.") from None
    else:
        value = parse_decimal(text)
    if value != value.to_integral_value():
        raise NumberError(f"'{str(text).strip()}' phải là số nguyên.", code="integer")
    return int(value)


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def plain(value) -> str:
    """Canonical text of a number, as stored and as the API writes it: ``"4.5"``, ``"1000"``."""
    value = Decimal(value)
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def vi_number(value, places: int | None = None) -> str:
    """A number in Vietnamese form: ``0,5``, ``1.000``, ``-2,25``; ``places`` fixes the decimals
    (half-up), otherwise trailing zeros are dropped."""
    value = Decimal(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = format(value, "f")
    else:
        text = plain(value)
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + fraction if fraction else "")


def input_text(value, *, decimal_mark: str = ",") -> str:
    """A stored number as an input shows it: no grouping, ``decimal_mark`` ("4,5" / "4.5").

    Text that is not a number is returned as it is (an input never loses what was typed)."""
    if value is None or value == "":
        return ""
    try:
        number = parse_decimal(value) if not isinstance(value, str) else Decimal(value.strip())
    except (NumberError, InvalidOperation):
        return str(value)
    if not number.is_finite():
        return str(value)
    return plain(number).replace(".", decimal_mark)
