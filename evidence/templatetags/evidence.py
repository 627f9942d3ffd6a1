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


@register.simple_tag
def evidence_checks(documents):
    """`{% evidence_checks page.object_list as checks %}`: for each document's pk, what its
    background check found (`checks|evidence_check:d.pk` in the loop): the signature badge,
    the out-of-period flag, the check itself. Two queries for the whole page."""
    from evidence.checks import document_checks

    return document_checks(list(documents))


@register.filter
def evidence_check(checks, pk):
    return (checks or {}).get(pk)


@register.simple_tag
def evidence_ocr_on():
    from evidence.extract import ocr_available

    return ocr_available()


@register.simple_tag
def evidence_excerpt(text, q):
    """One line of the document's text around the search words, highlighted."""
    from evidence.search import excerpt

    return excerpt(text, q)
