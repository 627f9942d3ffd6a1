"""`{% load evidence %}`: the upload limits the widget shows, and whether a document
can be previewed inline."""
from django import template

from evidence.validation import ACCEPT_ATTR, ACCEPTED_LABEL, INLINE_CONTENT_TYPES, max_mb_label

register = template.Library()


@register.simple_tag
def evidence_max_mb():
    return max_mb_label()


@register.simple_tag
def evidence_accept():
    return ACCEPT_ATTR


@register.simple_tag
def evidence_kinds():
    return ACCEPTED_LABEL


@register.filter
def evidence_previewable(document):
    return getattr(document, "content_type", "") in INLINE_CONTENT_TYPES
