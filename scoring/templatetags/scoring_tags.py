from django import template

from scoring.reasons import reason_text as _reason_text

register = template.Library()


@register.filter
def reason_text(reason):
    """The engine's reason in the active language ({{ points.reason|reason_text }})."""
    return _reason_text(reason)
