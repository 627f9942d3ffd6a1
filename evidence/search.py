"""Accent-insensitive search in the text of evidence documents.

On PostgreSQL: full-text search with the `vn_unaccent` text search configuration (migration
evidence 0006: the "simple" configuration with the `unaccent` dictionary first, so "Quyết
định", "quyet dinh" and "QUYẾT ĐỊNH" are the same words and "đ" is "d") on
Document.text_vector, to_tsvector('vn_unaccent', text) stored by PostgreSQL and GIN-indexed;
the query goes through plainto_tsquery with the same configuration, so it may be typed with or
without diacritics. Whole words: every word of the query must be a word of the text.

Elsewhere (SQLite, the demo and the quick tests): every word of the query, folded in Python
(`plain`), must occur in DocumentCheck.plain_text, the text folded the same way when it was
read; substrings match too ("thu" finds "thực"). The highlighter folds in Python on both.
"""
import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SEARCH_CONFIG = "vn_unaccent"  # created by migration evidence 0006 (PostgreSQL only)
TEXT_INDEX = "evidence_document_text_fts"  # GIN on Document.text_vector, same migration
QUERY_MAX_CHARS = 200


def _base(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return base if len(base) == 1 else ch.lower()[:1] or " "


# A constant table for ASCII and the Latin letters (Vietnamese among them): str.translate folds
# a page in C; the few other characters go through _base one by one.
_FOLD = {cp: _base(chr(cp)) for first, last in ((0x41, 0x5B), (0xC0, 0x250), (0x1E00, 0x1F00))
         for cp in range(first, last)}
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def plain(text: str) -> str:
    """Lower case without diacritics, one character for each character of `text`."""
    return _NOT_ASCII.sub(lambda m: _base(m.group()), (text or "").translate(_FOLD))


def words(q: str, *, limit: int | None = 10) -> list[str]:
    """The words of `q` without diacritics, lower-cased: the first `limit` (None: all)."""
    return [w for w in re.split(r"\W+", plain(q)) if w][:limit]


class TextVector(SearchVector):
    """to_tsvector('vn_unaccent', text): Document.text_vector, a stored generated column with a
    GIN index on PostgreSQL; NULL elsewhere (SQLite has no full-text search of its own)."""

    def __init__(self):
        super().__init__("text", config=SEARCH_CONFIG)

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


def search_query(q: str):
    """plainto_tsquery('vn_unaccent', q): every word, diacritics removed by PostgreSQL."""
    return SearchQuery(q.strip()[:QUERY_MAX_CHARS], config=SEARCH_CONFIG, search_type="plain")


def text_filter(qs: QuerySet, q: str, *, field="analysis__plain_text") -> QuerySet:
    """Documents whose text holds every word of `q` (accent-insensitive). On PostgreSQL `qs`
    holds Documents and their indexed `text_vector` is searched; elsewhere `field`, the plain text."""
    terms = words(q)
    if not terms:
        return qs
    if connection.vendor == "postgresql":
        return qs.filter(text_vector=search_query(q))
    return qs.filter(text_condition(q, field=field))


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
    spans = sorted((start + match.start(), start + match.end()) for term in terms
                   for match in re.finditer(re.escape(term), flat[start:end]))
    return highlight(text, spans, start=start, end=end)


def highlight(text: str, spans, *, start: int, end: int) -> SafeString:
    """text[start:end] on one line, HTML-escaped, each of `spans` ((a, b) positions in `text`,
    sorted) that lies inside it and overlaps no earlier one in <mark>, "…" where it is cut."""
    out, cursor = [], start
    for a, b in spans:
        if a < cursor or b > end:
            continue
        out.append(escape(text[cursor:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        cursor = b
    out.append(escape(text[cursor:end]))
    html = " ".join("".join(out).split())
    return mark_safe(("… " if start else "") + html + (" …" if end < len(text) else ""))  # noqa: S308 - escaped above
