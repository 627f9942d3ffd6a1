"""One line of a document's text where it speaks of a criterion: the appraisal page shows,
under each document of an item, ~160 characters around the best match of the criterion's
keywords (its title's words minus Vietnamese function words, whole words only), the words in
<mark>, the rest escaped. Nothing when no keyword occurs. A word written with diacritics in
the document must match the title's spelling ("cổng" is not "công"); a word written without
them (an OCR or a plain ASCII text) matches any ("cong" is "công").

Matching runs on DocumentCheck.plain_text (the text lower-cased without diacritics, one
character per character of the text, evidence.search.plain), so positions found there cut
the text itself. Only the first EXCERPT_SCAN_CHARS characters of each document are read.
"""
import re
from collections.abc import Iterable
from itertools import islice

from django.db.models import F
from django.db.models.functions import Substr
from django.utils.safestring import SafeString

from .models import DocumentCheck
from .search import highlight, plain, words

EXCERPT_WIDTH = 160
EXCERPT_SCAN_CHARS = 100_000  # bounds the page's memory: a document's first pages say what it is
MAX_HITS = 2_000  # bounds the time: the best window is looked for among the first hits

# Syllables that say nothing about a criterion: function words, and the words every CCHC
# criterion title shares ("thực hiện", "đúng quy định", "theo", "năm"). Written without
# diacritics, as keywords are compared.
STOPWORDS = frozenset(plain("""
và của các có được trong cho với theo từ đến về là những một thì này đó khi trên tại do bởi để
hoặc hay như nhưng mà không đã sẽ đang việc số tỷ lệ đối đúng đủ đầy vào ra lại còn nếu cũng nào
bao gồm sau trước giữa qua so nhằm phải hơn rất nhiều ít mỗi mọi tất cả thuộc gì ai nơi bị
thực hiện quy định năm kỳ trong đơn vị cơ quan
""").split())


def keywords(title: str) -> list[str]:
    """The criterion's title words without diacritics, lower-cased, minus stopwords and
    one-letter or numeric words, each once, in order."""
    out = []
    for word in words(title, limit=None):
        if len(word) > 1 and not word.isdigit() and word not in STOPWORDS and word not in out:
            out.append(word)
    return out


def spellings(title: str) -> dict[str, set[str]]:
    """Each keyword of `title` (without diacritics) → its spellings in the title, lower-cased."""
    out: dict[str, set[str]] = {}
    for word in (w for w in re.split(r"\W+", title.lower()) if w):
        out.setdefault(plain(word), set()).add(word)
    return out


def _spelt_as(found: str, term: str, forms: dict[str, set[str]] | None) -> bool:
    found = found.lower()
    return forms is None or found == term or found in forms.get(term, ())


def _pattern(terms: list[str]) -> re.Pattern:
    longest_first = sorted(terms, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, longest_first)) + r")(?!\w)")


def best_excerpt(text: str, flat: str, terms: list[str], *, forms: dict[str, set[str]] | None = None,
                 width=EXCERPT_WIDTH) -> SafeString | str:
    """`width` characters of `text` around the run of hits in `flat` (its plain form) that holds
    the most distinct `terms` within `width` (then the tightest; the earliest wins ties),
    centred on it, the terms in <mark>. With `forms` (spellings()), a hit written with
    diacritics counts only when spelt as in the title."""
    if not text or not terms or len(flat) != len(text):
        return ""
    found = ((m.start(), m.end(), m.group()) for m in _pattern(terms).finditer(flat))
    hits = list(islice(((a, b, term) for a, b, term in found if _spelt_as(text[a:b], term, forms)), MAX_HITS))
    if not hits:
        return ""
    # the run of hits that fits in `width` with the most distinct terms, then the tightest
    best, best_score = (0, 0), (0, 0)
    for i, (start, _end, _term) in enumerate(hits):
        seen = set()
        for j in range(i, len(hits)):
            if hits[j][1] - start > width:
                break
            seen.add(hits[j][2])
            score = (len(seen), start - hits[j][1])
            if score > best_score:
                best, best_score = (i, j), score
    first, last = hits[best[0]][0], hits[best[1]][1]
    start = max(0, first - (width - (last - first)) // 2)
    end = min(len(text), start + width)
    start = max(0, end - width)
    # whole words at the edges: move inward to the next space when cut mid-word
    if start > 0 and not text[start - 1].isspace():
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    if end < len(text) and not text[end].isspace():
        space = text.rfind(" ", last, end)
        end = space if space >= 0 else end
    return highlight(text, [(a, b) for a, b, _term in hits], start=start, end=end)


def attach_excerpts(pairs: Iterable[tuple[object, str]]) -> None:
    """For each (document, topic) set `document.evidence_excerpt`: the excerpt of its text
    around `topic`'s keywords ("" when none occurs). One query for all the documents."""
    pairs = list(pairs)
    for document, _topic in pairs:
        document.evidence_excerpt = ""
    wanted = {document.pk for document, topic in pairs if keywords(topic)}
    if not wanted:
        return
    texts = {row[0]: row[1:] for row in DocumentCheck.objects.filter(
        document_id__in=wanted, status=DocumentCheck.Status.DONE).annotate(
        head=Substr(F("document__text"), 1, EXCERPT_SCAN_CHARS),
        plain_head=Substr(F("plain_text"), 1, EXCERPT_SCAN_CHARS)).values_list("document_id", "head", "plain_head")}
    terms_of: dict[str, tuple[list[str], dict[str, set[str]]]] = {}
    for document, topic in pairs:
        if document.pk not in texts:
            continue
        terms, forms = terms_of.setdefault(topic, (keywords(topic), spellings(topic)))
        text, flat = texts[document.pk]
        document.evidence_excerpt = best_excerpt(text or "", flat or "", terms, forms=forms)
