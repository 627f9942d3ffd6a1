"""Accent-insensitive search in the text of evidence documents.

The text is kept a second time lower-cased without diacritics (DocumentCheck.plain_text,
one character per character of the text, so a hit's position is the same in both). On
PostgreSQL the search is full-text (SearchVector/SearchQuery, "simple" configuration, on
the plain text: diacritics are removed in Python, so the `unaccent` extension is not
needed); elsewhere (SQLite) every word must occur in the plain text.
"""
import re
import unicodedata

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import mark_safe


def _base(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return base if len(base) == 1 else ch.lower()[:1] or " "


def plain(text: str) -> str:
    """Lower case without diacritics, one character for each character of `text`."""
    return "".join(_base(ch) for ch in text or "")


def words(q: str) -> list[str]:
    return [w for w in re.split(r"\W+", plain(q)) if w][:10]


def text_filter(qs: QuerySet, q: str, *, field="analysis__plain_text") -> QuerySet:
    """Documents whose text holds every word of `q` (accent-insensitive)."""
    terms = words(q)
    if not terms:
        return qs
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        return qs.annotate(_plain_vector=SearchVector(field, config="simple")).filter(
            _plain_vector=SearchQuery(" ".join(terms), config="simple", search_type="plain"))
    condition = Q()
    for term in terms:
        condition &= Q(**{f"{field}__contains": term})
    return qs.filter(condition)


def text_condition(q: str, *, field="analysis__plain_text") -> Q:
    """A Q matching every word of `q` in the plain text (for OR with other fields)."""
    condition = Q()
    for term in words(q):
        condition &= Q(**{f"{field}__contains": term})
    return condition


def excerpt(text: str, q: str, *, width=80) -> str:
    """A one-line excerpt of `text` around the first word of `q`, words of `q` in <mark>
    (HTML-escaped, safe)."""
    terms = words(q)
    if not text or not terms:
        return ""
    flat = plain(text)
    positions = [m for term in terms for m in [flat.find(term)] if m >= 0]
    if not positions:
        return ""
    start = max(0, min(positions) - width)
    end = min(len(text), min(positions) + width)
    piece, flat_piece = text[start:end], flat[start:end]
    spans = []
    for term in terms:
        for match in re.finditer(re.escape(term), flat_piece):
            spans.append((match.start(), match.end()))
    spans.sort()
    out, cursor = [], 0
    for a, b in spans:
        if a < cursor:
            continue
        out.append(escape(piece[cursor:a]))
        out.append(f"<mark>{escape(piece[a:b])}</mark>")
        cursor = b
    out.append(escape(piece[cursor:]))
    html = " ".join("".join(out).split())
    return mark_safe(("… " if start else "") + html + (" …" if end < len(text) else ""))  # noqa: S308 - escaped above
