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
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from campaigns.models import Role
from campaigns.selectors import campaign_get_for_user, user_is_officer
from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.core.utils import points_str
from cchc_portal.core.views import error_json, run_action, wants_json
from evidence.checks import check_data, document_checks
from evidence.forms import DocumentMetadataForm
from evidence.library import guidance_by_code
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
    STAGES,
    assessment_progress,
    stage_label,
    stages_of,
    with_stage,
)
from scoring.services import assessments as services
from scoring.views.assessment_tree import TreeHtml


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


def _document_json(doc, check=None) -> dict:
    """One linked document for static/js/scoring.js, with its check's badges (`check_data`)."""
    return {"id": doc.pk, "name": doc.original_name, "number": doc.number, "url": document_url(doc),
            "check": check_data(check)}


def document_url(doc) -> str:
    return reverse("evidence:download", args=[doc.pk])


def _item_json(item) -> dict:
    docs = list(item.documents.select_related("campaign__assessed_period").order_by("id"))
    checks = document_checks(docs, campaign=docs[0].campaign) if docs else {}
    return {
        "code": item.criterion.code, "version": item.version, "input": item.input,
        "explanation": item.explanation, "self_points": points_str(item.self_points),
        "reason": reason_text(item.self_reason), "documents": [_document_json(d, checks.get(d.pk)) for d in docs],
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
    html = TreeHtml(request=request, item_base=_page_url(assessment) + "items/",
                    guidance=guidance_by_code(campaign=assessment.campaign,
                                              group_id=assessment.criteria_set.group_id), checks=data.checks)
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

    def save():
        if not form.is_valid():
            first = next(iter(form.errors.values()))[0]
            raise ApplicationError(first, extra={"errors": form.errors})
        return services.item_update(
            assessment=assessment, code=code, input=item_input_from_form(rule=item.criterion.rule, data=request.POST),
            explanation=form.cleaned_data["explanation"], version=form.cleaned_data["version"], user=request.user,
        )

    outcome = run_action(request, save, success=_("Đã lưu tiêu chí %(code)s.") % {"code": code})
    if wants_json(request):
        return outcome.json(lambda saved: {**_item_json(saved), **_standing_json(assessment)})
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
        def link():
            if not form.is_valid():
                raise ApplicationError(_("Chưa chọn tài liệu."), extra={"errors": form.errors})
            return services.item_link_documents(assessment=assessment, codes=[code],
                                                documents=form.cleaned_data["documents"], user=request.user)

        outcome = run_action(request, link, success=_("Đã gắn tài liệu cho tiêu chí %(code)s.") % {"code": code})
        if wants_json(request):
            return outcome.json(lambda saved: _item_json(saved[0]))
        if outcome.ok:
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

    def upload():
        if not form.is_valid():
            errors = form.errors_dict()
            raise ApplicationError(next(iter(errors.values()))[0], extra={"errors": errors})
        return services.assessment_evidence_upload(assessment=assessment, files=files, codes=[code],
                                                   user=request.user, **form.cleaned_data)

    outcome = run_action(request, upload, success=lambda results: _(
        "Đã tải lên và gắn %(n)s tệp cho tiêu chí %(code)s.") % {"n": len(results), "code": code})
    if not wants_json(request):
        return redirect(back)
    if not outcome.ok:
        return error_json(outcome.error, files=[
            {"id": None, "name": f.name, "size": f.size, "created": False, "error": outcome.error.message}
            for f in files])
    item = _item_or_404(assessment, code)
    item.tree_result = assessment_score(assessment=assessment)
    item_data = _item_json(item)
    return JsonResponse({"files": [{**document_json(d, created=created), "item": item_data}
                                   for d, created in outcome.result], "detail": "", "errors": {}})


@login_required
@require_POST
def item_document_remove(request, pk, code, document_id):
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    _item_or_404(assessment, code)
    outcome = run_action(request, lambda: services.item_unlink_document(
        assessment=assessment, code=code, document=document_id, user=request.user),
        success=_("Đã bỏ tài liệu khỏi tiêu chí %(code)s.") % {"code": code})
    if wants_json(request):
        return outcome.json(_item_json)
    return redirect(_page_url(assessment) + f"#item-{code}")


# ---------------------------------------------------------------- the agency's flow


def _flow(request, pk, action, done):
    assessment = assessment_get_for_user(user=request.user, pk=pk)
    run_action(request, lambda: action(assessment), success=done)
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
        outcome = run_action(
            request, lambda: services.campaign_open_with_assessments(campaign=campaign, user=request.user),
            success=lambda result: _("Đã mở đợt đánh giá: %(n)s bản tự đánh giá được tạo.") % {"n": result.created})
        if outcome.ok:
            result = outcome.result
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
