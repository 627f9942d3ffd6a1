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
