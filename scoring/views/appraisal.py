"""Appraisal pages: assignments, the appraiser's work queue, the appraisal page of one
assessment (with htmx partial updates), explanation requests and the agency's answers,
finalisation and reopening, imported figures."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.selectors import campaign_get_for_user, user_is_officer, user_is_province_staff
from cchc_portal.core import confirm
from cchc_portal.core.utils import points_str
from cchc_portal.core.views import run_action
from scoring import imported_figures
from scoring.forms_appraisal import (
    AssignmentForm,
    ExplanationAnswerForm,
    ExplanationRequestForm,
    ImportFiguresForm,
    ReopenForm,
    appraisal_input_from,
)
from scoring.forms_assessments import number_fields_from_form
from scoring.models import Assignment, Item
from scoring.selectors import appraisal as sel
from scoring.selectors.progress import appraiser_progress, appraiser_progress_by_assessment
from scoring.services import appraisal as svc
from scoring.services import explanations as explain_svc
from scoring.views import appraisal_pages as pages

SIGNING_SALT = "scoring.imported_figures"


def _officer_required(user):
    if not user_is_officer(user):
        raise PermissionDenied


def _province_staff_required(user):
    if not user_is_province_staff(user):
        raise Http404


# ---------------------------------------------------------------- assignments


@login_required
def assignment_list(request, pk):
    _officer_required(request.user)
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    form = AssignmentForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        outcome = run_action(request, lambda: svc.assignment_create(
            campaign=campaign, appraiser=form.cleaned_data["appraiser"], codes=form.cleaned_data["all_codes"],
            group=form.cleaned_data["group"], user=request.user),
            success=lambda done: _("Đã phân công thẩm định.") if done[1] else _("Đã bổ sung phân công."), form=form)
        if outcome.ok:
            return redirect("scoring:assignment_list", pk=campaign.pk)
    return render(request, "scoring/appraisal/assignments.html", {
        "campaign": campaign, "form": form, "assignments": sel.assignment_list(campaign=campaign),
    })


@login_required
@require_POST
def assignment_delete(request, pk, assignment_id):
    _officer_required(request.user)
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    assignment = get_object_or_404(Assignment, pk=assignment_id, campaign=campaign)
    svc.assignment_delete(assignment=assignment, user=request.user)
    messages.success(request, _("Đã bỏ phân công."))
    return redirect("scoring:assignment_list", pk=campaign.pk)


# ---------------------------------------------------------------- the work queue


@login_required
def appraisal_home(request):
    """Where an appraiser starts: their campaign's queue (or a choice of campaigns)."""
    _province_staff_required(request.user)
    campaigns = sel.appraisal_campaigns_for_user(user=request.user)
    if len(campaigns) == 1:
        return redirect("scoring:appraisal_queue", pk=campaigns[0].pk)
    return render(request, "scoring/appraisal/home.html", {"campaigns": campaigns})


@login_required
def appraisal_queue(request, pk):
    _province_staff_required(request.user)
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    q = request.GET.get("q", "").strip()
    show = request.GET.get("show", "")
    assignments = sel.user_assignments(user=request.user, campaign_id=campaign.pk)
    progress = appraiser_progress_by_assessment(campaign=campaign, appraiser=request.user, assignments=assignments)
    page, rows = pages.appraisal_queue(user=request.user, campaign=campaign, q=q, show=show,
                                     page_number=request.GET.get("page"), assignments=assignments,
                                     progress=progress)
    return render(request, "scoring/appraisal/queue.html", {
        "campaign": campaign, "page": page, "rows": rows, "q": q, "show": show, "assignments": assignments,
        "is_officer": user_is_officer(request.user),
        "progress": appraiser_progress(campaign=campaign, appraiser=request.user, by_assessment=progress),
    })


# ---------------------------------------------------------------- the appraisal page


def _page_context(request, assessment, *, errors=None, posted=None):
    data = pages.appraisal_page_data(user=request.user, assessment=assessment)
    if posted:
        for f in data.fields:
            for row in f.rows:
                if row.code in posted:
                    row.values = posted[row.code]
    return {
        "assessment": assessment, "data": data, "errors": errors or {},
        "request_form": ExplanationRequestForm(initial=_due_initial(data)), "reopen_form": ReopenForm(),
    }


def _due_initial(data):
    window = data.explanation_window
    if window is None or window.closes_at <= timezone.now():
        return {}
    return {"due_at": timezone.localtime(window.closes_at).replace(second=0, microsecond=0)}


@login_required
def appraisal_page(request, pk):
    assessment = sel.assessment_get_for_appraisal(user=request.user, pk=pk)
    context = _page_context(request, assessment)
    svc.appraisal_mark_seen(assessment=assessment, user=request.user)
    return render(request, "scoring/appraisal/page.html", context)


def _field_response(request, assessment, code, *, errors=None, posted=None):
    """htmx: the field's section again, and the totals out of band."""
    context = _page_context(request, assessment, errors=errors, posted=posted)
    field_code = code.split(".")[0]
    context["field"] = next((f for f in context["data"].fields if f.criterion.code == field_code), None)
    if context["field"] is None:
        raise Http404
    return render(request, "scoring/appraisal/_field_response.html", context)


def _back(assessment, code=""):
    url = reverse("scoring:appraisal_page", args=[assessment.pk])
    return redirect(f"{url}#item-{code}" if code else url)


@login_required
@require_POST
def appraisal_item(request, pk, code):
    assessment = sel.assessment_get_for_appraisal(user=request.user, pk=pk)
    item = (Item.objects.select_related("criterion", "assessment", "assessment__agency")
            .filter(assessment=assessment, criterion__code=code).first())
    if item is None:
        raise Http404
    raw, comment = appraisal_input_from(request.POST)

    def appraise():
        typed = None if raw is None else number_fields_from_form(raw, list(raw))
        return svc.item_appraise(item=item, input=typed, comment=comment, user=request.user)

    outcome = run_action(request, appraise, success=_("Đã lưu điểm thẩm định tiêu chí %(code)s.") % {"code": code},
                         quiet=bool(request.htmx))
    if not request.htmx:
        return _back(assessment, code)
    if not outcome.ok:
        return _field_response(request, assessment, code, errors={code: outcome.error.message},
                               posted={code: {**(raw or {}), "comment": comment}})
    return _field_response(request, assessment, code)


@login_required
@require_POST
def appraisal_field_accept(request, pk, code):
    assessment = sel.assessment_get_for_appraisal(user=request.user, pk=pk)
    outcome = run_action(
        request, lambda: svc.field_accept_self_scores(assessment=assessment, field_code=code, user=request.user),
        success=lambda items: _("Đã chấp nhận điểm tự chấm của %(n)s tiêu chí thuộc lĩnh vực %(code)s.")
        % {"n": len(items), "code": code}, quiet=bool(request.htmx))
    if not request.htmx:
        return _back(assessment)
    return _field_response(request, assessment, code, errors=None if outcome.ok else {code: outcome.error.message})


@login_required
@require_POST
def explanation_request_create(request, pk):
    """Without `confirmed`: the confirmation page (how many items, the agency, the deadline)."""
    assessment = sel.assessment_get_for_appraisal(user=request.user, pk=pk)
    form = ExplanationRequestForm(request.POST)
    codes = request.POST.getlist("codes")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _back(assessment)
    if not codes:
        messages.error(request, _("Chưa chọn tiêu chí cần giải trình."))
        return _back(assessment)
    if not confirm.is_confirmed(request):
        return confirm.confirm_page(
            request, "scoring/appraisal/request_confirm.html", assessment=assessment, codes=codes,
            question=form.cleaned_data["question"], due_at=form.cleaned_data["due_at"],
            confirmation=confirm.Confirmation(
                title=_("Xác nhận gửi yêu cầu giải trình"), action=request.path,
                fields=confirm.reposted_fields(request), label=_("Gửi yêu cầu giải trình"),
                back=reverse("scoring:appraisal_page", args=[assessment.pk])))
    run_action(request, lambda: explain_svc.explanation_request_create(
        assessment=assessment, codes=codes, question=form.cleaned_data["question"],
        due_at=form.cleaned_data["due_at"], user=request.user),
        success=_("Đã gửi yêu cầu giải trình đến đơn vị."))
    return _back(assessment)


@login_required
@require_POST
def finalize(request, pk):
    """Without `confirmed` equal to the appraised total shown: the confirmation page."""
    assessment = sel.assessment_get_for_appraisal(user=request.user, pk=pk)
    _officer_required(request.user)
    if assessment.status != assessment.Status.FINAL:
        data = pages.appraisal_page_data(user=request.user, assessment=assessment)
        fingerprint = points_str(data.appraised_result.total)
        if not confirm.is_confirmed(request, fingerprint):
            blocked = "" if data.can_finalise else _("Chưa thể chốt điểm: còn tiêu chí chưa thẩm định hoặc đang chờ "
                                                     "giải trình (xem bên dưới).")
            return confirm.confirm_page(
                request, "scoring/appraisal/finalise_confirm.html", assessment=assessment, data=data,
                confirmation=confirm.Confirmation(
                    title=_("Xác nhận chốt điểm thẩm định"), action=request.path, fingerprint=fingerprint,
                    label=_("Chốt điểm thẩm định"), blocked=blocked,
                    back=reverse("scoring:appraisal_page", args=[assessment.pk])))
    run_action(request, lambda: svc.assessment_finalize(assessment=assessment, user=request.user),
               success=_("Đã chốt điểm thẩm định của %(agency)s.") % {"agency": assessment.agency})
    return _back(assessment)


@login_required
@require_POST
def reopen(request, pk):
    assessment = sel.assessment_get_for_appraisal(user=request.user, pk=pk)
    _officer_required(request.user)
    form = ReopenForm(request.POST)
    run_action(request, lambda: svc.assessment_reopen(
        assessment=assessment, reason=form.data.get("reason", ""), user=request.user),
        success=_("Đã mở lại để thẩm định."))
    return _back(assessment)


# ---------------------------------------------------------------- the agency's explanations


@login_required
def explanations(request, pk):
    assessment = sel.assessment_get_for_explanations(user=request.user, pk=pk)
    data = pages.explanation_page_data(user=request.user, assessment=assessment)
    for r in data.requests:
        if r.can_answer:
            r.form = ExplanationAnswerForm(library=data.library, prefix=f"r{r.pk}")
    return render(request, "scoring/appraisal/explanations.html", {"assessment": assessment, "data": data})


@login_required
@require_POST
def explanation_answer(request, pk):
    explanation_request = sel.explanation_request_get_for_user(user=request.user, pk=pk)
    assessment = explanation_request.assessment
    data = pages.explanation_page_data(user=request.user, assessment=assessment)
    form = ExplanationAnswerForm(request.POST, request.FILES, library=data.library, prefix=f"r{pk}")
    back = redirect(f"{reverse('scoring:explanations', args=[assessment.pk])}#request-{pk}")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return back
    documents = list(form.cleaned_data["documents"])

    def answer():
        if form.cleaned_data.get("file"):
            from evidence.services import document_upload

            document, _created = document_upload(
                agency=assessment.agency, campaign=assessment.campaign, file=form.cleaned_data["file"],
                user=request.user, number=form.cleaned_data.get("number", ""),
                summary=_("Bổ sung theo yêu cầu giải trình"))
            documents.append(document)
        return explain_svc.explanation_answer(request=explanation_request, body=form.cleaned_data["body"],
                                              documents=documents, user=request.user)

    run_action(request, answer, success=_("Đã gửi nội dung giải trình đến Tổ thẩm định."))
    return back


# ---------------------------------------------------------------- imported figures


@login_required
def imported_figures_page(request, pk):
    """Upload → preview (errors or the figures to store) → confirm."""
    _officer_required(request.user)
    campaign = campaign_get_for_user(user=request.user, pk=pk)
    if request.GET.get("format") == "xlsx":  # the stored figures, in the import's own format
        return FileResponse(imported_figures.figures_workbook(campaign=campaign).to_temp_file(), as_attachment=True,
                            filename=f"so-lieu-nhap-{campaign.year}.xlsx",
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    form = ImportFiguresForm()
    report, payload = None, ""
    if request.method == "POST" and "payload" in request.POST:
        try:
            rows = signing.loads(request.POST["payload"], salt=SIGNING_SALT, max_age=3600)
        except signing.BadSignature:
            messages.error(request, _("Phiên xem trước đã hết hạn; hãy tải tệp lên lại."))
            return redirect("scoring:imported_figures", pk=campaign.pk)
        outcome = run_action(request, lambda: imported_figures.figures_import_rows(
            campaign=campaign, rows=[tuple(r) for r in rows], user=request.user),
            success=lambda report: _("Đã nhập %(n)s số liệu.") % {"n": len(report.rows)} if report.ok else "")
        if not outcome.ok or outcome.result.ok:
            return redirect("scoring:imported_figures", pk=campaign.pk)
        report = outcome.result
    elif request.method == "POST":
        form = ImportFiguresForm(request.POST, request.FILES)
        if form.is_valid():
            rows, errors = imported_figures.raw_rows(form.cleaned_data["file"])
            if errors:
                report = imported_figures.FiguresReport(errors=errors, dry_run=True)
            else:
                report = imported_figures.figures_import_rows(campaign=campaign, rows=rows, user=request.user,
                                                              dry_run=True)
                if report.ok and report.rows:
                    payload = signing.dumps([list(r) for r in rows], salt=SIGNING_SALT, compress=True)
    return render(request, "scoring/appraisal/imported_figures.html", {
        "campaign": campaign, "form": form, "report": report, "payload": payload,
        "figures": sel.imported_figure_list(campaign=campaign),
    })


urlpatterns = [
    path("appraisal/", appraisal_home, name="appraisal_home"),
    path("campaigns/<int:pk>/appraisal/", appraisal_queue, name="appraisal_queue"),
    path("campaigns/<int:pk>/assignments/", assignment_list, name="assignment_list"),
    path("campaigns/<int:pk>/assignments/<int:assignment_id>/delete/", assignment_delete, name="assignment_delete"),
    path("campaigns/<int:pk>/imported-figures/", imported_figures_page, name="imported_figures"),
    path("assessments/<int:pk>/appraisal/", appraisal_page, name="appraisal_page"),
    path("assessments/<int:pk>/appraisal/items/<str:code>/", appraisal_item, name="appraisal_item"),
    path("assessments/<int:pk>/appraisal/fields/<str:code>/accept/", appraisal_field_accept,
         name="appraisal_field_accept"),
    path("assessments/<int:pk>/appraisal/explanation-requests/", explanation_request_create,
         name="explanation_request_create"),
    path("assessments/<int:pk>/appraisal/finalize/", finalize, name="appraisal_finalize"),
    path("assessments/<int:pk>/appraisal/reopen/", reopen, name="appraisal_reopen"),
    path("assessments/<int:pk>/explanations/", explanations, name="explanations"),
    path("explanation-requests/<int:pk>/answer/", explanation_answer, name="explanation_answer"),
]
