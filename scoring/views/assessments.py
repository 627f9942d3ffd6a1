"""Pages of the self-assessment: the list, the scoring page (agency staff write, the leader
approves or returns, the Sở reads), item saves (autosave posts here), history, evidence
links, the report, and opening a campaign.

Views only check who may see what (through `assessment_get_for_user`, 404 otherwise), call
a service and answer: JSON to the page's script (`Accept: application/json`), a redirect
with a message to a plain form post.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.models import Role
from campaigns.selectors import campaign_get_for_user, user_is_officer
from cchc_portal.core.exceptions import ApplicationError, DeadlineError
from cchc_portal.core.forms import number_input_html
from cchc_portal.core.templatetags.portal import points, sign_class, signed_points
from cchc_portal.core.utils import points_str
from evidence.forms import DocumentMetadataForm
from evidence.views import document_json
from scoring import exports
from scoring.forms_assessments import ItemSaveForm, LinkDocumentsForm, item_input_from_form
from scoring.models import Assessment, Item
from scoring.reasons import reason_text
from scoring.selectors.assessments import (
    agency_roles_for,
    assessment_get_for_user,
    assessment_indexes,
    assessment_list_for_user,
    assessment_next_steps,
    assessment_page_data,
    assessment_score,
    item_history,
    user_may_download_report,
)
from scoring.selectors.progress import (
    PROVINCE_RULES,
    STAGES,
    assessment_progress,
    stage_label,
    stages_of,
    with_stage,
)
from scoring.services import assessments as services


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _error_json(exc: ApplicationError) -> JsonResponse:
    body = {"detail": exc.message, "errors": exc.extra.get("errors", {})}
    body.update({k: v for k, v in exc.extra.items() if k != "errors"})
    body["deadline"] = isinstance(exc, DeadlineError)
    return JsonResponse(body, status=exc.status)


def _page_url(assessment) -> str:
    return reverse("scoring:assessment_page", args=[assessment.pk])


def _tree_json(result) -> dict:
    return {
        "total": points_str(result.total),
        "applicable_max": points_str(result.applicable_max),
        "index": None if result.index is None else str(result.index),
        "bonus": points_str(result.bonus), "penalty": points_str(result.penalty),
        "nodes": {code: points_str(p.value) for code, p in result.points.items()},
        "reasons": {code: reason_text(p.reason) for code, p in result.points.items()},
    }


def _document_json(doc) -> dict:
    return {"id": doc.pk, "name": doc.original_name, "number": doc.number, "url": document_url(doc)}


def document_url(doc) -> str:
    return reverse("evidence:download", args=[doc.pk])


def _item_json(item) -> dict:
    docs = list(item.documents.order_by("id"))
    return {
        "code": item.criterion.code, "version": item.version, "input": item.input,
        "explanation": item.explanation, "self_points": points_str(item.self_points),
        "reason": reason_text(item.self_reason), "documents": [_document_json(d) for d in docs],
        "saved_at": timezone.localtime(item.updated_at).strftime("%H:%M") if item.updated_at else "",
        **_tree_json(item.tree_result),
    }


def _standing_json(assessment) -> dict:
    """Where the assessment stands after a save, counted as every page counts it: the page's
    "x/y đã chấm" and its stage (a first scored item moves it from "Chưa bắt đầu")."""
    progress = assessment_progress(assessment=assessment)
    stage = stages_of([assessment]).get(assessment.pk, assessment.status)
    return {"progress": {"done": progress.done, "total": progress.total}, "stage": stage,
            "stage_label": stage_label(stage)}


# ---------------------------------------------------------------- the tree as HTML


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

    def __init__(self, *, request, item_base):
        self.base = escape(item_base)
        self.csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
        marker = "987654321"
        self.download = reverse("evidence:download", args=[int(marker)]).split(marker)
        self.fmt = _points_formatter()
        self.t = {key: escape(text) for key, text in {
            "na": _("không áp dụng"), "na_agency": _("Không áp dụng cho đơn vị"),
            "survey": _("Lấy từ kết quả điều tra XHH"), "imported": _("Số liệu nhập"),
            "level": _("Mức đạt"), "choose": _("— chọn mức —"), "num": _("Số đạt"), "den": _("Tổng số"),
            "count": _("Số lần vi phạm"), "score": _("Điểm tự chấm"),
            "zero": _("Sẽ được 0 điểm: chưa có tài liệu kiểm chứng"),
            "expl": _("Giải trình"), "remove": _("Bỏ tài liệu"), "attach": _("Đính kèm"), "upload": _("Tải lên"),
            "save": _("Lưu"), "history": _("Lịch sử"), "guide": _("Hướng dẫn chấm"), "ev": _("cần TLKC"),
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
        guide = (f'\n    <details class="sa-guide"><summary>{t["guide"]}</summary>{linebreaksbr(c.guidance, True)}'
                 f"</details>" if c.guidance else "")
        docs = []
        for d in row.documents:
            name = escape(str(d))
            remove = (f'<form method="post" class="sa-inline" action="{url}documents/{d.pk}/remove/">{self.csrf}'
                      f'<button type="submit" class="sa-x" aria-label="{t["remove"]} {name}">×</button></form>'
                      if row.editable else "")
            docs.append(f'\n    <li><a href="{self.download[0]}{d.pk}{self.download[1]}">{name}</a>{remove}</li>')
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


# ---------------------------------------------------------------- list and page


def _tree_blob(data) -> dict:
    """The tree for the page's script: it estimates points as you type with the same rules
    (the server's answer to each save then confirms them)."""
    criteria_set = data.assessment.criteria_set
    nodes = []
    for row in data.rows:
        c, item = row.criterion, row.item
        nodes.append({
            "code": c.code, "max": str(c.max_points), "amax": str(row.points.max), "rule": c.rule,
            "params": c.params or {}, "ev": c.evidence_required, "na": row.not_applicable,
            "value": str(row.points.value),
            "ext": None if item is None or item.external_points is None else str(item.external_points),
        })
    return {
        "nodes": nodes,
        "bonus_cap": None if criteria_set.bonus_cap is None else str(criteria_set.bonus_cap),
        "penalty_cap": None if criteria_set.penalty_cap is None else str(criteria_set.penalty_cap),
        "has_bonus": any(n["rule"] == "bonus" and not n["na"] for n in nodes),
        "has_penalty": any(n["rule"] == "penalty" and not n["na"] for n in nodes),
    }


@login_required
def assessment_list(request):
    qs = assessment_list_for_user(user=request.user)
    campaign = None
    if request.GET.get("campaign"):
        campaign = campaign_get_for_user(user=request.user, pk=request.GET["campaign"])
        qs = qs.filter(campaign=campaign)
    qs = with_stage(qs)  # the board's and the home page's vocabulary ("Chưa bắt đầu" included)
    status = request.GET.get("status", "")
    if status in STAGES:
        qs = qs.filter(stage=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    indexes = assessment_indexes(page.object_list)
    rows = [(a, *indexes.get(a.pk, (None, None))) for a in page.object_list]
    for a, *_rest in rows:
        a.stage_label = stage_label(a.stage)
    return render(request, "scoring/assessment/list.html", {
        "page": page, "rows": rows, "campaign": campaign, "status": status,
        "statuses": [(stage, stage_label(stage)) for stage in STAGES],
    })


@login_required
def assessment_page(request, pk):
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    roles = agency_roles_for(user=request.user, agency=assessment.agency)
    data = assessment_page_data(assessment=assessment)
    is_staff, is_leader = Role.STAFF in roles, Role.LEADER in roles
    html = TreeHtml(request=request, item_base=_page_url(assessment) + "items/")
    can_decide = (is_leader and assessment.status == Assessment.Status.WITH_LEADER
                  and (data.scope.closes_at is None or timezone.now() < data.scope.closes_at))
    approve_confirm = _("Duyệt và gửi bản tự đánh giá đến Sở Nội vụ? Sau khi gửi, đơn vị không sửa được nữa.")
    if can_decide and data.unscored:
        approve_confirm = f"{unscored_text(data.unscored)}\n\n{approve_confirm}"
    stage = stages_of([assessment]).get(assessment.pk, assessment.status)
    return render(request, "scoring/assessment/page.html", {
        "assessment": assessment, "data": data, "stage": stage, "stage_label": stage_label(stage),
        "rows": data.rows, "result": data.result, "scope": data.scope,
        "item_base": _page_url(assessment) + "items/", "tree": _tree_blob(data),
        "tree_html": html.render(data.rows, data.result), "library_html": html.library(data.library),
        "is_staff": is_staff, "is_leader": is_leader,
        "can_edit": is_staff and data.scope.any,
        "can_send": is_staff and assessment.status == Assessment.Status.DRAFT and data.scope.all_items,
        "can_decide": can_decide, "approve_confirm": approve_confirm,
        "next_steps": assessment_next_steps(assessment=assessment, open_requests=data.open_requests),
        "can_report": user_may_download_report(user=request.user, assessment=assessment, roles=roles),
        "Status": Assessment.Status,
    })


def unscored_text(rows, *, limit=20) -> str:
    """ "Còn 2 tiêu chí chưa chấm: 1.2 Báo cáo…; 3.1 …" for the leader about to approve."""
    names = [f"{row.code} {row.criterion.title}" for row in rows[:limit]]
    more = len(rows) - limit
    if more > 0:
        names.append(_("và %(n)s tiêu chí khác") % {"n": more})
    return _("Còn %(n)s tiêu chí chưa chấm: %(items)s.") % {"n": len(rows), "items": "; ".join(names)}


# ---------------------------------------------------------------- items


def _item_or_404(assessment, code) -> Item:
    return get_object_or_404(Item.objects.select_related("criterion"), assessment=assessment, criterion__code=code)


@login_required
@require_POST
def item_save(request, pk, code):
    """Autosave and the plain "Lưu" button post here: one item's input and explanation."""
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    item = _item_or_404(assessment, code)
    form = ItemSaveForm(request.POST)
    try:
        if not form.is_valid():
            first = next(iter(form.errors.values()))[0]
            raise ApplicationError(first, extra={"errors": form.errors})
        raw = item_input_from_form(rule=item.criterion.rule, data=request.POST)
        saved = services.item_update(
            assessment=assessment, code=code, input=raw, explanation=form.cleaned_data["explanation"],
            version=form.cleaned_data["version"], user=request.user,
        )
    except ApplicationError as exc:
        if _wants_json(request):
            return _error_json(exc)
        messages.error(request, exc.message)
        return redirect(_page_url(assessment) + f"#item-{code}")
    if _wants_json(request):
        return JsonResponse({**_item_json(saved), **_standing_json(assessment)})
    messages.success(request, _("Đã lưu tiêu chí %(code)s.") % {"code": code})
    return redirect(_page_url(assessment) + f"#item-{code}")


@login_required
def item_history_view(request, pk, code):
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    item = _item_or_404(assessment, code)
    context = {"assessment": assessment, "item": item, "entries": item_history(item=item)}
    if request.GET.get("partial") or request.headers.get("HX-Request"):
        return render(request, "scoring/assessment/_history.html", context)
    return render(request, "scoring/assessment/history.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def item_documents(request, pk, code):
    """Attach documents of the agency's library to an item (the page's dialog posts here;
    without script this is a page of its own)."""
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    item = _item_or_404(assessment, code)
    library = list(assessment.agency.documents.filter(campaign=assessment.campaign).order_by("-uploaded_at", "-id"))
    form = LinkDocumentsForm(request.POST or None, library=library)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ApplicationError(_("Chưa chọn tài liệu."), extra={"errors": form.errors})
            saved = services.item_link_documents(assessment=assessment, codes=[code],
                                                 documents=form.cleaned_data["documents"], user=request.user)
        except ApplicationError as exc:
            if _wants_json(request):
                return _error_json(exc)
            messages.error(request, exc.message)
        else:
            if _wants_json(request):
                return JsonResponse(_item_json(saved[0]))
            messages.success(request, _("Đã gắn tài liệu cho tiêu chí %(code)s.") % {"code": code})
            return redirect(_page_url(assessment) + f"#item-{code}")
    return render(request, "scoring/assessment/documents.html", {
        "assessment": assessment, "item": item, "form": form, "library": library,
        "linked": set(item.documents.values_list("pk", flat=True)),
    })


@login_required
@require_POST
def item_upload(request, pk, code):
    """The evidence widget (evidence/_upload.html) posts here: files stored in the agency's
    library through `evidence.services.document_upload` and linked to this item. Answers like
    the widget's own endpoint (`{"files": [...], "detail", "errors"}`), each file carrying
    the item after the link (`item`)."""
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    _item_or_404(assessment, code)
    files = request.FILES.getlist("file")
    form = DocumentMetadataForm(request.POST)
    back = _page_url(assessment) + f"#item-{code}"
    try:
        if not form.is_valid():
            errors = form.errors_dict()
            raise ApplicationError(next(iter(errors.values()))[0], extra={"errors": errors})
        results = services.assessment_evidence_upload(assessment=assessment, files=files, codes=[code],
                                                      user=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        if _wants_json(request):
            failed = [{"id": None, "name": f.name, "size": f.size, "created": False, "error": exc.message}
                      for f in files]
            return JsonResponse({"files": failed, "detail": exc.message, "errors": exc.extra.get("errors", {})},
                                status=exc.status)
        messages.error(request, exc.message)
        return redirect(back)
    item = _item_or_404(assessment, code)
    item.tree_result = assessment_score(assessment=assessment)
    item_data = _item_json(item)
    if _wants_json(request):
        return JsonResponse({"files": [{**document_json(d, created=created), "item": item_data}
                                       for d, created in results], "detail": "", "errors": {}})
    messages.success(request, _("Đã tải lên và gắn %(n)s tệp cho tiêu chí %(code)s.") % {"n": len(results),
                                                                                      "code": code})
    return redirect(back)


@login_required
@require_POST
def item_document_remove(request, pk, code, document_id):
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    _item_or_404(assessment, code)
    try:
        saved = services.item_unlink_document(assessment=assessment, code=code, document=document_id,
                                              user=request.user)
    except ApplicationError as exc:
        if _wants_json(request):
            return _error_json(exc)
        messages.error(request, exc.message)
        return redirect(_page_url(assessment) + f"#item-{code}")
    if _wants_json(request):
        return JsonResponse(_item_json(saved))
    messages.success(request, _("Đã bỏ tài liệu khỏi tiêu chí %(code)s.") % {"code": code})
    return redirect(_page_url(assessment) + f"#item-{code}")


# ---------------------------------------------------------------- the agency's flow


def _flow(request, pk, action, done):
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    try:
        action(assessment)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(_page_url(assessment))


@login_required
@require_POST
def send_to_leader(request, pk):
    return _flow(request, pk, lambda a: services.assessment_send_to_leader(assessment=a, user=request.user),
                 _("Đã trình lãnh đạo đơn vị duyệt."))


@login_required
@require_POST
def approve(request, pk):
    def act(assessment):
        unscored = assessment_page_data(assessment=assessment).unscored
        services.assessment_approve(assessment=assessment, user=request.user)
        if unscored:
            messages.warning(request, unscored_text(unscored))

    return _flow(request, pk, act, _("Đã duyệt và gửi bản tự đánh giá đến Sở Nội vụ."))


@login_required
@require_POST
def return_to_staff(request, pk):
    comment = request.POST.get("comment", "")
    return _flow(request, pk,
                 lambda a: services.assessment_return(assessment=a, user=request.user, comment=comment),
                 _("Đã trả lại bản tự đánh giá cho cán bộ đầu mối."))


# ---------------------------------------------------------------- the report


def _report(request, pk, fmt):
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    if not user_may_download_report(user=request.user, assessment=assessment):
        raise PermissionDenied
    if fmt == "pdf":
        body, content_type = exports.report_pdf(assessment=assessment), "application/pdf"
    else:
        body = exports.report_xlsx(assessment=assessment)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    name = exports.report_filename(assessment=assessment, ext=fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def report_pdf(request, pk):
    return _report(request, pk, "pdf")


@login_required
def report_xlsx(request, pk):
    return _report(request, pk, "xlsx")


# ---------------------------------------------------------------- opening a campaign


@login_required
@require_http_methods(["GET", "POST"])
def campaign_open(request, pk):
    if not user_is_officer(request.user):
        raise PermissionDenied
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            result = services.campaign_open_with_assessments(campaign=campaign, user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã mở đợt đánh giá: %(n)s bản tự đánh giá được tạo.") % {"n": result.created})
            if result.missing:
                messages.warning(request, _("Các đơn vị chưa có bộ tiêu chí của nhóm: %(codes)s.")
                                 % {"codes": ", ".join(result.missing_codes)})
            return redirect(reverse("scoring:assessment_list") + f"?campaign={campaign.pk}")
    return render(request, "scoring/assessment/open.html", {"campaign": campaign})


urlpatterns = [
    path("assessments/", assessment_list, name="assessment_list"),
    path("assessments/<int:pk>/", assessment_page, name="assessment_page"),
    path("assessments/<int:pk>/items/<str:code>/save/", item_save, name="item_save"),
    path("assessments/<int:pk>/items/<str:code>/history/", item_history_view, name="item_history"),
    path("assessments/<int:pk>/items/<str:code>/documents/", item_documents, name="item_documents"),
    path("assessments/<int:pk>/items/<str:code>/upload/", item_upload, name="item_upload"),
    path("assessments/<int:pk>/items/<str:code>/documents/<int:document_id>/remove/", item_document_remove,
         name="item_document_remove"),
    path("assessments/<int:pk>/send-to-leader/", send_to_leader, name="assessment_send"),
    path("assessments/<int:pk>/approve/", approve, name="assessment_approve"),
    path("assessments/<int:pk>/return/", return_to_staff, name="assessment_return"),
    path("assessments/<int:pk>/report.pdf", report_pdf, name="assessment_report_pdf"),
    path("assessments/<int:pk>/report.xlsx", report_xlsx, name="assessment_report_xlsx"),
    path("campaigns/<int:pk>/open/", campaign_open, name="campaign_open"),
]
