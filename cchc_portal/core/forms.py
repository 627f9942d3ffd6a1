"""The portal's one number input: a text box that takes ``4,5`` and ``4.5`` alike.

``type=number`` inputs drop what the browser cannot read (``4,5`` became ``45`` or nothing,
depending on the browser's locale); these are ``type=text inputmode=decimal`` read by
``cchc_portal.core.numbers`` on the server and ``Portal.parseNumber`` (static/js/portal.js)
in the page, and show ``4,5`` in Vietnamese, ``4.5`` in English.
"""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format
from django.utils.html import escape

from cchc_portal.core.numbers import NumberError, input_text, parse_decimal, parse_integer


def decimal_mark() -> str:
    """The active language's decimal mark: "," in Vietnamese, "." in English."""
    return get_format("DECIMAL_SEPARATOR")


def number_value(value) -> str:
    """A stored number as a number input shows it in the active language ("4,5" / "4.5")."""
    return input_text(value, decimal_mark=decimal_mark())


def number_attrs(*, integer: bool = False) -> dict:
    """The attributes every number input carries (the page's script reads ``data-number``)."""
    attrs = {"type": "text", "inputmode": "numeric" if integer else "decimal", "autocomplete": "off",
             "data-number": "integer" if integer else "decimal"}
    return attrs


def number_input_html(*, name: str, value, integer: bool = False, **attrs) -> str:
    """The number input's markup for pages built in Python (the scoring page's tree)."""
    extra = {k.replace("_", "-"): v for k, v in attrs.items() if v is not None and v is not False}
    merged = {**number_attrs(integer=integer), "name": name, "value": number_value(value), **extra}
    parts = [f" {key}" if val is True else f' {key}="{escape(val)}"' for key, val in merged.items()]
    return "<input" + "".join(parts) + ">"  # keys are ours; every value is escaped


class NumberInput(forms.TextInput):
    """``<input type="text" inputmode="decimal" data-number>`` showing the language's decimal mark."""

    def __init__(self, attrs=None, *, integer: bool = False):
        super().__init__({**number_attrs(integer=integer), **(attrs or {})})

    def format_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value  # what was typed, shown back as typed (a refused "4,5,6" stays)
        return number_value(value)


class LocalizedDecimalField(forms.DecimalField):
    """A DecimalField read by the shared parser: "4,5", "4.5", "1 000,5"; anything else is refused
    with the parser's Vietnamese message, never trimmed."""

    widget = NumberInput

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_decimal(value)
        except NumberError as error:
            raise ValidationError(error.message, code="invalid") from None

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        for key in ("min", "max", "step"):  # only meaningful for type=number
            attrs.pop(key, None)
        return attrs


class LocalizedIntegerField(forms.IntegerField):
    """An IntegerField read by the shared parser: "1.000" and "1 000" are one thousand."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", NumberInput(integer=True))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_integer(value)
        except NumberError as error:
            raise ValidationError(error.message, code="invalid") from None

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        for key in ("min", "max", "step"):
            attrs.pop(key, None)
        return attrs
