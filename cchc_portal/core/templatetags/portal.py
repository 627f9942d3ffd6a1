from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

from cchc_portal.core.forms import number_value
from cchc_portal.core.numbers import NumberError, parse_decimal
from cchc_portal.core.utils import q2

register = template.Library()


@register.filter
def points(value):
    """A score for people: 2 decimals, Vietnamese separators in vi ("1.234,50")."""
    if value is None or value == "":
        return "–"
    try:
        return number_format(q2(Decimal(str(value))), 2, use_l10n=True, force_grouping=True)
    except (InvalidOperation, ValueError):
        return value


@register.filter
def number(value, places=None):
    """Any figure for people in the active language: "1.000", "0,5" in vi ("1,000", "0.5" in en);
    trailing zeros dropped unless ``places`` is given. Years and ids take ``unlocalize`` instead."""
    if value is None or value == "":
        return "–"
    try:
        number_ = parse_decimal(value, grouping=False)
    except NumberError:
        return value
    if places is None:
        number_ = number_.normalize() if number_ != 0 else Decimal(0)
        places = max(0, -number_.as_tuple().exponent)
    return number_format(number_, int(places), use_l10n=True, force_grouping=True)


@register.filter
def number_input(value):
    """A number as a number input shows it: "4,5" in vi, "4.5" in en, no grouping; typed text
    that is not a number is shown as typed."""
    return number_value(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


PDF_FONT_FILES = {  # (weight, style): the file under static/fonts/ (Liberation Serif, SIL OFL: LICENSE.txt)
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}


@register.simple_tag
def pdf_fonts():
    """The PDFs' CSS: Liberation Serif, the metric twin of Times New Roman that Nghị định 30/2020
    asks for, loaded from the portal's own files, never from the machine's, so every machine
    renders the same PDF. The root element carries it: pages' margin boxes inherit from it."""
    from django.conf import settings
    from django.utils.safestring import mark_safe

    folder = settings.BASE_DIR / "static" / "fonts"
    faces = "".join(
        f'@font-face {{ font-family: "CCHC Liberation Serif"; font-weight: {weight}; font-style: {style}; '
        f'src: url("{(folder / name).as_uri()}") format("truetype"); }}\n'
        for (weight, style), name in PDF_FONT_FILES.items())
    return mark_safe(faces + 'html { font-family: "CCHC Liberation Serif"; }\n')  # noqa: S308 - paths of our own files


MINUS = "\u2212"  # the minus sign, not a hyphen: "−4,50"


def signed_points(value, kind) -> str:
    """Points of a bonus ("+2,00") or penalty ("−4,50") item or branch, and the net of a
    branch mixing both ("−1,50"): a penalty's points are stored positive (the points taken
    off), so the sign comes from the kind. Other kinds, zero and missing values as `points`."""
    if value is None or value == "" or kind not in ("bonus", "penalty", "mixed"):
        return points(value)
    number = Decimal(str(value))
    if number == 0:
        return points(number)
    negative = (number < 0) != (kind == "penalty")
    return (MINUS if negative else "+") + points(abs(number))


@register.filter(name="signed")
def signed_filter(value, kind):
    return signed_points(value, kind)


def sign_class(value, kind) -> str:
    """The CSS class of signed points: `pts-minus` (red) for points taken off, `pts-plus` for
    points added, "" otherwise."""
    text = signed_points(value, kind)
    return "pts-minus" if text.startswith(MINUS) else "pts-plus" if text.startswith("+") else ""


@register.filter(name="sign_class")
def sign_class_filter(value, kind):
    return sign_class(value, kind)
