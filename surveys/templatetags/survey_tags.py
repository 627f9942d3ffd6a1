"""Template helpers of the survey: the sealed link of an e-mail, QR codes, answer lookups."""
from django import template
from django.utils.safestring import mark_safe

from surveys.tokens import qr_svg as _qr_svg
from surveys.tokens import unseal

register = template.Library()


@register.filter
def unseal_link(sealed):
    """The personal link carried sealed in an outbox row (raises if it cannot be opened, so
    the outbox records the failure instead of sending a broken e-mail)."""
    return unseal(sealed)


@register.filter
def qr_svg(url, scale=4):
    return mark_safe(_qr_svg(str(url), scale=int(scale)))


@register.simple_tag
def answer_for(answers, question, agency=None):
    """The stored answer of one row: a list of option keys, a text, or None."""
    return answers.get((question.pk, agency.pk if agency else None)) if answers else None


@register.filter
def contains(values, value):
    return bool(values) and value in values
