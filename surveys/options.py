"""Answer options of a question: stored as JSON, written as text in the Excel sheet.

Stored: `[{"key": "A", "label": "Tốt", "weight": "100"}, ..., {"key": "E", "label": "Không biết",
"weight": null}]`; a weight is a percentage (0–100, a string so no float is involved) and
`null` means "don't know", left out of the average.

Text form (column `options`), items separated by `;` or a line break:

- rating: `KEY=WEIGHT` or `KEY=WEIGHT|Label`; WEIGHT is 0–100 or `-` for "don't know",
  e.g. `A=100; B=60; C=20; D=0; E=-` or `A=100|Rất kịp thời; B=60|Kịp thời; ...`.
  Empty: the default A=100 B=60 C=20 D=0 E=- with the default labels.
- single, multiple: `KEY=Label` or just `Label` (keys A, B, C… are then given in order).
- text: empty.
"""
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

DONT_KNOW = "-"
DEFAULT_LABELS = {"A": "Tốt", "B": "Khá", "C": "Trung bình", "D": "Kém", "E": "Không biết"}
DEFAULT_RATING = [
    {"key": "A", "label": "Tốt", "weight": "100"},
    {"key": "B", "label": "Khá", "weight": "60"},
    {"key": "C", "label": "Trung bình", "weight": "20"},
    {"key": "D", "label": "Kém", "weight": "0"},
    {"key": "E", "label": "Không biết", "weight": None},
]
KEY_RE = re.compile(r"^[A-Za-z0-9]{1,5}$")
CHOICE_KINDS = ("rating", "single", "multiple")


class OptionsError(ValueError):
    pass


def _items(text: str) -> list[str]:
    return [i.strip() for i in re.split(r"[;\n]", text or "") if i.strip()]


def _weight(text: str) -> str | None:
    text = text.strip().replace(",", ".").rstrip("%").strip()
    if text == DONT_KNOW:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise OptionsError(_("Trọng số “%(text)s” không phải là số (0–100) hoặc “-”.") % {"text": text}) from exc
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise OptionsError(_("Trọng số “%(text)s” phải từ 0 đến 100.") % {"text": text})
    return format(value.normalize(), "f")


def parse_options(kind: str, text: str) -> list[dict]:
    items = _items(text)
    if kind == "text":
        if items:
            raise OptionsError(_("Câu hỏi trả lời ngắn không có phương án."))
        return []
    if kind not in CHOICE_KINDS:
        raise OptionsError(_("Loại câu hỏi “%(kind)s” không tồn tại.") % {"kind": kind})
    if kind == "rating" and not items:
        return [dict(o) for o in DEFAULT_RATING]
    options = []
    for n, item in enumerate(items):
        if kind == "rating":
            if "=" not in item:
                raise OptionsError(_("Phương án “%(item)s” phải có dạng A=100 hoặc E=-.") % {"item": item})
            key, _sep, rest = item.partition("=")
            weight_text, _sep, label = rest.partition("|")
            key = key.strip().upper()
            options.append({"key": key, "label": " ".join(label.split()) or DEFAULT_LABELS.get(key, key),
                            "weight": _weight(weight_text)})
        else:
            key, sep, label = item.partition("=")
            if not sep:
                key, label = chr(ord("A") + n) if n < 26 else str(n + 1), item
            options.append({"key": key.strip().upper(), "label": " ".join(label.split()), "weight": None})
    keys = [o["key"] for o in options]
    for o in options:
        if not KEY_RE.match(o["key"]):
            raise OptionsError(_("Mã phương án “%(key)s” chỉ gồm chữ và số (tối đa 5 ký tự).") % {"key": o['key']})
        if not o["label"]:
            raise OptionsError(_("Phương án “%(key)s” thiếu nội dung.") % {"key": o['key']})
    if len(set(keys)) != len(keys):
        raise OptionsError(_("Mã phương án bị trùng."))
    if len(options) < 2:
        raise OptionsError(_("Cần ít nhất hai phương án."))
    if kind == "rating" and all(o["weight"] is None for o in options):
        raise OptionsError(_("Cần ít nhất một phương án có trọng số."))
    return options


def format_options(kind: str, options: list[dict]) -> str:
    if kind == "text":
        return ""
    parts = []
    for o in options:
        if kind == "rating":
            weight = DONT_KNOW if o.get("weight") is None else o["weight"]
            label = "" if o.get("label") == DEFAULT_LABELS.get(o["key"]) else f"|{o['label']}"
            parts.append(f"{o['key']}={weight}{label}")
        else:
            parts.append(f"{o['key']}={o['label']}")
    return "; ".join(parts)


def weights(options: list[dict]) -> dict[str, Decimal | None]:
    """Option key → weight in percent (None: "don't know")."""
    return {o["key"]: (None if o.get("weight") is None else Decimal(str(o["weight"]))) for o in options}
