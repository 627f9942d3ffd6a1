from decimal import Decimal

from django import template

from cchc_portal.core.templatetags.portal import points, signed_points
from scoring.reasons import reason_text as _reason_text

register = template.Library()


@register.filter
def reason_text(reason):
    """The engine's reason in the active language ({{ points.reason|reason_text }})."""
    return _reason_text(reason)


@register.filter
def signed_diff(value):
    """A difference of points with its sign: "+1,50", "−0,75", "0,00"; "–" when unknown."""
    return signed_points(value, "mixed")


@register.filter
def change_words(value):
    """A difference of points in an official text's words: "cao hơn 2,00 điểm", "thấp hơn
    1,50 điểm", "bằng"; "–" when unknown. Vietnamese: only official documents use it."""
    if value is None or value == "":
        return "–"
    number = Decimal(str(value))
    if number == 0:
        return "bằng"
    return f"{'cao hơn' if number > 0 else 'thấp hơn'} {points(abs(number))} điểm"
