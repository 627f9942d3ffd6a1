"""The engine's reasons ("mức: Đúng hạn", "tỷ lệ 9/10", "chưa chấm") in the reader's language.

The engine writes its reasons in Vietnamese, and they are stored (Item.self_reason) and
returned by the API as they are; pages translate them when they show them. Vietnamese
readers get the text untouched.
"""
import re

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from . import engine

# The engine's fixed reasons (scoring/engine.py), marked for the catalogue.
FIXED = {
    engine.NOT_APPLICABLE: gettext_noop("không áp dụng"),
    engine.NOT_SCORED: gettext_noop("chưa chấm"),
    engine.NO_EVIDENCE: gettext_noop("0: không có tài liệu kiểm chứng"),
    engine.SURVEY_PENDING: gettext_noop("chưa có kết quả khảo sát"),
    engine.IMPORT_PENDING: gettext_noop("chưa có số liệu nhập"),
    "kết quả khảo sát": gettext_noop("kết quả khảo sát"),
    f"{engine.NOT_APPLICABLE} (mọi tiêu chí con không áp dụng)":
        gettext_noop("không áp dụng (mọi tiêu chí con không áp dụng)"),
}

# The engine's reasons with values: the pattern of the Vietnamese text and its msgid.
PATTERNS = [
    (re.compile(r"mức: (?P<label>.*)", re.S), gettext_noop("mức: %(label)s")),
    (re.compile(r"trừ (?P<per>\S+) × (?P<count>\S+) lần"), gettext_noop("trừ %(per)s × %(count)s lần")),
    (re.compile(r"tử số (?P<numerator>\S+); mẫu số (?P<denominator>\S+)"),
     gettext_noop("tử số %(numerator)s; mẫu số %(denominator)s")),
    (re.compile(r"tử số (?P<numerator>\S+); mẫu số (?P<denominator>\S+), vượt 100% nên tính 100%"),
     gettext_noop("tử số %(numerator)s; mẫu số %(denominator)s, vượt 100%% nên tính 100%%")),
    (re.compile(r"tử số (?P<numerator>\S+); mẫu số (?P<denominator>\S+): tỷ lệ (?P<percent>\S+)% \((?P<range>.*)\)"),
     gettext_noop("tử số %(numerator)s; mẫu số %(denominator)s: tỷ lệ %(percent)s%% (%(range)s)")),
    (re.compile(r"tử số (?P<numerator>\S+); mẫu số (?P<denominator>\S+): tỷ lệ (?P<percent>\S+)%, vượt 100% nên "
                r"tính 100% \((?P<range>.*)\)"),
     gettext_noop("tử số %(numerator)s; mẫu số %(denominator)s: tỷ lệ %(percent)s%%, vượt 100%% nên tính 100%% "
                  "(%(range)s)")),
    # the forms stored before the numerator and denominator were written out (issue #13)
    (re.compile(r"tỷ lệ (?P<fraction>\S+/\S+)"), gettext_noop("tỷ lệ %(fraction)s")),
    (re.compile(r"tỷ lệ (?P<percent>\S+)% \((?P<range>.*)\)"), gettext_noop("tỷ lệ %(percent)s%% (%(range)s)")),
    (re.compile(r"thưởng (?P<bonus>\S+), trừ (?P<penalty>\S+)"), gettext_noop("thưởng %(bonus)s, trừ %(penalty)s")),
    (re.compile(r"tổng (?P<total>\S+) vượt tối đa, tính (?P<max>\S+)"),
     gettext_noop("tổng %(total)s vượt tối đa, tính %(max)s")),
    (re.compile(r"số liệu nhập: (?P<value>\S+)"), gettext_noop("số liệu nhập: %(value)s")),
]


_VI_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+")


def _untranslated_numbers(values: dict) -> dict:
    """The engine writes numbers the Vietnamese way (0,5; 1.000): other readers get 0.5; 1000."""
    return {key: value if key in ("label", "range") or not _VI_NUMBER.fullmatch(value or "")
            else value.replace(".", "").replace(",", ".") for key, value in values.items()}


def reason_text(reason: str) -> str:
    """`reason` as the active language says it; an unknown text comes back unchanged."""
    if not reason or (get_language() or "vi").startswith("vi"):
        return reason
    if reason in FIXED:
        return _(FIXED[reason])
    for pattern, msgid in PATTERNS:
        match = pattern.fullmatch(reason)
        if match:
            return _(msgid) % _untranslated_numbers(match.groupdict())
    return reason
