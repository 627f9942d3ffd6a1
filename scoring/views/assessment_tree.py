"""The scoring page's tree as HTML, written in Python (`TreeHtml`).

Why not a template: 150 rows of inputs go through ~10,000 template nodes. Measured with
benchmarks/bench_scoring_page.py (same 15 queries): a Django template of this markup took
7-9 × a bare table, this class 2.7-2.8 × (goal: 3 ×). Every value is escaped here.
"""
from django.middleware.csrf import get_token
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cchc_portal.core.forms import number_input_html
from cchc_portal.core.templatetags.portal import points, sign_class, signed_points
from evidence.checks import check_data
from scoring.reasons import reason_text
from scoring.selectors.progress import PROVINCE_RULES


def _points_formatter():
    """The `points` template filter ("1.234,50" in Vietnamese), once per distinct value."""
    cache = {}

    def fmt(value):
        if value not in cache:
            cache[value] = points(value)
        return cache[value]

    return fmt


class TreeHtml:
    """The scoring page's tree built in Python rather than by the template engine: 150 rows of
    inputs went through ~10,000 template nodes and took 10 × a plain table; this keeps the
    page within 3 × of one (benchmarks/bench_scoring_page.py). Same markup as a template."""

    def __init__(self, *, request, item_base, guidance=None, checks=None):
        self.base = escape(item_base)
        self.checks = checks or {}  # {document pk: CheckInfo}: the badges under each document
        self.guidance = guidance or {}  # {criterion code: the campaign library's documents}
        self.csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
        marker = "987654321"
        self.download = reverse("evidence:download", args=[int(marker)]).split(marker)
        self.guidance_file = reverse("evidence:guidance_file", args=[int(marker)]).split(marker)
        self.fmt = _points_formatter()
        self.t = {key: escape(text) for key, text in {
            "na": _("không áp dụng"), "na_agency": _("Không áp dụng cho đơn vị"),
            "survey": _("Lấy từ kết quả điều tra XHH"), "imported": _("Số liệu nhập"),
            "level": _("Mức đạt"), "choose": _("— chọn mức —"), "num": _("Số đạt"), "den": _("Tổng số"),
            "count": _("Số lần vi phạm"), "score": _("Điểm tự chấm"),
            "zero": _("Sẽ được 0 điểm: chưa có tài liệu kiểm chứng"),
            "expl": _("Giải trình"), "remove": _("Bỏ tài liệu"), "attach": _("Đính kèm"), "upload": _("Tải lên"),
            "save": _("Lưu"), "history": _("Lịch sử"), "guide": _("Hướng dẫn chấm"), "ev": _("cần TLKC"),
            "library": _("Tài liệu hướng dẫn"),
            "code": _("Mã"), "criterion": _("Tiêu chí"), "max": _("Tối đa"), "self": _("Tự chấm"),
            "points": _("Điểm"), "docs": _("Tài liệu kiểm chứng"), "state": _("Trạng thái lưu"),
            "bonus": _("Điểm thưởng"), "penalty": _("Điểm trừ"),
            "score_bonus": _("Số điểm thưởng"), "score_penalty": _("Số điểm bị trừ"),
            "saved": _("đã lưu"),
        }.items()}
        self.today = timezone.localdate()

    def render(self, rows, result=None) -> str:
        outside = {}
        if result is not None:
            outside = {row.code: result.outside(row.code) for row in rows if row.depth == 1 and not row.is_leaf}
        out, open_field = [], False
        for row in rows:
            if row.depth == 1:
                if open_field:
                    out.append("</tbody></table></div></details>")
                out.append(self.field(row, outside))
                open_field = True
            if row.is_leaf:
                if row.item is not None:
                    out.append(self.leaf(row))
            elif row.depth > 1:
                out.append(self.branch(row))
        if open_field:
            out.append("</tbody></table></div></details>")
        return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped

    def library(self, docs) -> str:
        """The checkboxes of the "attach from the library" dialog (hundreds of documents)."""
        return mark_safe("".join(  # noqa: S308 - escaped
            f'<label><input type="checkbox" name="documents" value="{d.pk}"> {escape(d.label)}</label>'
            for d in docs))

    def signed(self, value, kind, attrs="") -> str:
        """Points with the sign of their kind ("−4,50" in red for a penalty, "+2,00" for a bonus)."""
        cls = sign_class(value, kind)
        cls_attr = f' class="{cls}"' if cls else ""
        return f"<span{attrs}{cls_attr}>{escape(signed_points(value, kind))}</span>"

    def outside(self, row, outside) -> str:
        """What the bonus and penalty items under a field add and take off (before the caps)."""
        if row.kind != "base" or row.not_applicable:
            return ""
        bonus, penalty = outside.get(row.code, (0, 0))
        code, t = escape(row.code), self.t
        return (f'\n    <span class="sa-field-out" data-out="{code}"{"" if bonus or penalty else " hidden"}>'
                f'<span data-out-bonus{"" if bonus else " hidden"}>{t["bonus"]} '
                f'{self.signed(bonus, "bonus", " data-out-value")}</span> '
                f'<span data-out-penalty{"" if penalty else " hidden"}>{t["penalty"]} '
                f'{self.signed(penalty, "penalty", " data-out-value")}</span></span>')

    # one <colgroup> for every field's table, so that the columns line up from field to field
    COLS = ("code", "title", "max", "input", "pts", "expl", "ev", "state")

    def field(self, row, outside=None) -> str:
        t, code = self.t, escape(row.code)
        if row.not_applicable:
            pts = t["na"]
        else:
            node = f' data-node="{code}"'
            pts = f"{self.signed(row.points.value, row.kind, node)} / {self.fmt(row.points.max)}"
        head = "".join(f'<th scope="col"{cls}>{t[k]}</th>' for k, cls in (
            ("code", ""), ("criterion", ""), ("max", ' class="num"'), ("self", ""), ("points", ' class="num"'),
            ("expl", ""), ("docs", ""), ("state", ' class="sa-state-h"')))
        cols = "".join(f'<col class="c-{c}">' for c in self.COLS)
        return (f'<details class="sa-field" open data-field="{code}">\n  <summary><span class="sa-code">{code}.</span> '
                f'{escape(row.criterion.title)}\n    <span class="sa-field-pts">{pts}{self.outside(row, outside or {})}'
                f'</span></summary>\n'
                f'  <div class="table-wrap"><table class="sa-table">\n  <colgroup>{cols}</colgroup>\n'
                f'  <thead><tr>{head}</tr></thead>\n  <tbody>')

    def branch(self, row) -> str:
        code = escape(row.code)
        if row.not_applicable:
            pts = self.t["na"]
        else:
            node = f' data-node="{code}"'
            pts = f"<strong>{self.signed(row.points.value, row.kind, node)}</strong> / {self.fmt(row.points.max)}"
        na = " na" if row.not_applicable else ""
        return (f'<tr class="sa-branch{na}" data-code="{code}"><td class="sa-code">{code}</td><td colspan="3"><strong>'
                f'{escape(row.criterion.title)}</strong></td>\n  <td class="num">{pts}</td><td colspan="3"></td></tr>')

    def input(self, row, pk, form, off) -> str:
        t, c, item, raw = self.t, row.criterion, row.item, row.item.input or {}
        code = escape(row.code)
        if row.not_applicable:
            return f'<span class="muted">{t["na_agency"]}</span>'
        if c.rule == "survey":
            return f'<span class="muted">{t["survey"]}</span>'
        if c.rule == "imported" and item.external_points is not None:
            return f'<span class="muted">{t["imported"]}: {self.fmt(item.external_points)}</span>'
        if c.rule == "levels":
            chosen = raw.get("level")
            options = "".join(
                f'\n      <option value="{escape(level.label)}"{" selected" if level.label == chosen else ""}>'
                f"{escape(level.label)} ({self.fmt(level.points)})</option>" for level in row.levels)
            return (f'<label class="sr-only" for="i{pk}-level">{t["level"]} {code}</label>\n'
                    f'    <select id="i{pk}-level" name="level" {form}{off}>\n'
                    f'      <option value="">{t["choose"]}</option>{options}\n    </select>')
        if c.rule in ("bands", "ratio"):
            def number(name):
                return number_input_html(name=name, value=raw.get(name, ""), form=f"f{pk}", disabled=not row.editable)
            bands = f'\n    <small class="muted sa-bands">{escape(row.bands_text)}</small>' if row.bands_text else ""
            return (f'<span class="sa-frac">\n    <label>{t["num"]} {number("numerator")}</label>\n'
                    f'    <label>{t["den"]} {number("denominator")}</label>\n'
                    f'    <output class="sa-pct" data-pct aria-live="polite"></output></span>{bands}')
        if c.rule == "deduction":
            count = number_input_html(name="count", value=raw.get("count", ""), integer=True, form=f"f{pk}",
                                      disabled=not row.editable)
            return f'<label>{t["count"]} {count}</label>'
        score = number_input_html(name="score", value=raw.get("score", ""), id=f"i{pk}-score", form=f"f{pk}",
                                  data_step=row.step or "0.01", data_max=c.max_points, disabled=not row.editable)
        label = f'<label class="sr-only" for="i{pk}-score">{t["score"]} {code}</label>'
        if c.rule in ("bonus", "penalty"):  # said on screen: what is typed is added or taken off
            label = (f'<label class="sa-kind-label" for="i{pk}-score">{t["score_" + c.rule]}'
                     f'<span class="sr-only"> {code}</span></label>')
        return f'{label}\n    {score}'

    @staticmethod
    def points_class(row) -> str:
        cls = sign_class(row.points.value, row.kind)
        return f' class="{cls}"' if cls else ""

    def saved_at(self, item) -> str:
        """ "đã lưu 14:05" (today) or "đã lưu 14:05 02/12" for an item the agency has saved."""
        if item.version <= 1 or item.updated_at is None:
            return ""
        when = timezone.localtime(item.updated_at)
        text = when.strftime("%H:%M") if when.date() == self.today else when.strftime("%H:%M %d/%m")
        return f'{self.t["saved"]} {text}'

    def guide(self, c, code) -> str:
        """The item's guidance block: the criterion's text and the library's documents on it."""
        library = self.guidance.get(code, ())
        if not c.guidance and not library:
            return ""
        links = "".join(
            f'<li><a href="{escape(d.url)}" target="_blank" rel="noopener noreferrer">{escape(str(d))}</a></li>'
            if d.url else
            f'<li><a href="{self.guidance_file[0]}{d.pk}{self.guidance_file[1]}" download>{escape(str(d))}</a></li>'
            for d in library)
        docs = (f'<p class="sa-guide-docs">{self.t["library"]}:</p><ul class="sa-guide-docs">{links}</ul>'
                if links else "")
        return (f'\n    <details class="sa-guide"><summary>{self.t["guide"]}</summary>'
                f'{linebreaksbr(c.guidance, True)}{docs}</details>')

    def check(self, pk) -> str:
        """The document's badges as evidence/_check.html draws them (static/js/scoring.js draws
        the same from the JSON): signature, out-of-period flag, the check's state; polled
        (static/js/evidence-check.js) while the check runs."""
        data = check_data(self.checks.get(pk))
        badges = "".join(f'<span class="ev-badge ev-badge-{b["css"]}">{escape(b["text"])}</span> '
                         for b in data["badges"])
        state = (f'<small class="{"ev-bad" if data["status"] == "failed" else "muted"}">{escape(data["state"])}</small>'
                 if data["state"] else "")
        if not (badges or state):
            return ""
        poll = f' data-check-poll="{escape(data["html_url"])}"' if data["active"] else ""
        return f'<div class="ev-check"{poll}>{badges}{state}</div>'

    def leaf(self, row) -> str:
        t, c, item = self.t, row.criterion, row.item
        pk, code = item.pk, escape(row.code)
        form, off = f'form="f{pk}"', "" if row.editable else " disabled"
        url = f"{self.base}{code}/"
        attrs = (f' data-scored="{1 if row.scored else 0}" data-docs="{len(row.documents)}"'
                 + (' data-ev="1"' if c.evidence_required else "") + (' data-editable="1"' if row.editable else "")
                 + (' data-province="1"' if c.rule in PROVINCE_RULES else ""))
        tag = f' <span class="tag">{t["ev"]}</span>' if c.evidence_required else ""
        if c.rule in ("bonus", "penalty"):
            tag = f' <span class="tag tag-{c.rule}">{t[c.rule]}</span>{tag}'
        guide = self.guide(c, row.code)
        docs = []
        for d in row.documents:
            name = escape(str(d))
            remove = (f'<form method="post" class="sa-inline" action="{url}documents/{d.pk}/remove/">{self.csrf}'
                      f'<button type="submit" class="sa-x" aria-label="{t["remove"]} {name}">×</button></form>'
                      if row.editable else "")
            docs.append(f'\n    <li><a href="{self.download[0]}{d.pk}{self.download[1]}">{name}</a>{remove}'
                        f'{self.check(d.pk)}</li>')
        actions = (f'\n    <a class="btn-small" href="{url}documents/" data-attach>{t["attach"]}</a>'
                   f'\n    <a class="btn-small" href="{url}documents/#upload" data-upload>{t["upload"]}</a>'
                   if row.editable else "")
        # autosave (static/js/scoring.js) saves; without script each row keeps a button of its own
        save = (f'<noscript><button type="submit" class="btn btn-small sa-save">{t["save"]}</button></noscript>'
                if row.editable else "")
        if row.editable:
            expl = (f'<label class="sr-only" for="e{pk}">{t["expl"]} {code}</label>\n'
                    f'    <textarea id="e{pk}" name="explanation" rows="2" {form}>{escape(item.explanation)}'
                    f"</textarea>")
        else:  # read as text: no Tab stop, and it shows whole
            expl = f'<div class="sa-expl-text">{linebreaksbr(item.explanation, True)}</div>' if item.explanation else ""
        zero = "" if row.zero_without_evidence else " hidden"
        return (
            f'<tr id="item-{code}" class="leaf{" na" if row.not_applicable else ""}" data-code="{code}" '
            f'data-item="{pk}" data-rule="{escape(c.rule)}"\n    data-version="{item.version}"{attrs}>\n'
            f'  <td class="sa-code">{code}</td>\n'
            f'  <td class="sa-title"><span data-title>{escape(c.title)}</span>{tag}{guide}</td>\n'
            f'  <td class="num sa-max" data-label="{t["max"]}">{self.fmt(c.max_points)}</td>\n'
            f'  <td class="sa-input">{self.input(row, pk, form, off)}</td>\n'
            f'  <td class="num sa-pts"><output data-points{self.points_class(row)}>'
            f'{escape(signed_points(row.points.value, row.kind))}</output>\n'
            f'    <small class="sa-reason" data-reason>{escape(reason_text(row.points.reason))}</small>\n'
            f'    <small class="sa-zero" data-zero{zero}>{t["zero"]}</small></td>\n'
            f'  <td class="sa-expl">{expl}</td>\n'
            f'  <td class="sa-ev"><ul class="sa-docs" data-docs-list>{"".join(docs)}</ul>{actions}</td>\n'
            f'  <td class="sa-state"><form id="f{pk}" method="post" action="{url}save/">{self.csrf}\n'
            f'      <input type="hidden" name="version" value="{item.version}">{save}</form>\n'
            f'    <span class="sa-saved" data-state aria-live="polite">{self.saved_at(item)}</span>\n'
            f'    <a href="{url}history/" data-history>{t["history"]}</a></td>\n</tr>'
        )
