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
    (re.compile(r"tỷ lệ (?P<fraction>\S+/\S+)"), gettext_noop("tỷ lệ %(fraction)s")),
    (re.compile(r"tỷ lệ (?P<percent>\S+)% \((?P<range>.*)\)"), gettext_noop("tỷ lệ %(percent)s%% (%(range)s)")),
    (re.compile(r"thưởng (?P<bonus>\S+), trừ (?P<penalty>\S+)"), gettext_noop("thưởng %(bonus)s, trừ %(penalty)s")),
    (re.compile(r"tổng (?P<total>\S+) vượt tối đa, tính (?P<max>\S+)"),
     gettext_noop("tổng %(total)s vượt tối đa, tính %(max)s")),
    (re.compile(r"số liệu nhập: (?P<value>\S+)"), gettext_noop("số liệu nhập: %(value)s")),
]


def reason_text(reason: str) -> str:
    """`reason` as the active language says it; an unknown text comes back unchanged."""
    if not reason or (get_language() or "vi").startswith("vi"):
        return reason
    if reason in FIXED:
        return _(FIXED[reason])
    for pattern, msgid in PATTERNS:
        match = pattern.fullmatch(reason)
        if match:
            return _(msgid) % match.groupdict()
    return reason
