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
