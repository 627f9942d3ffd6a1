from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

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
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


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
