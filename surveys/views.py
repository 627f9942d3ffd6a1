"""Staff pages of the survey: questionnaires (officers), respondent lists (agencies and
officers), invitations, progress, integrity flags and points (officers).

Every page fetches through a selector that answers 404 for what the user may not see.
Agency staff see their respondents' names and status, never answers.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import selectors as campaign_selectors
from cchc_portal.core import confirm
from cchc_portal.core.views import run_action
from scoring.models import Criterion
from surveys.selectors import access as access_selectors
from surveys.selectors import integrity as integrity_selectors
from surveys.selectors import lists as list_selectors
from surveys.selectors import points as point_selectors
from surveys.selectors import questionnaire as questionnaire_selectors
from surveys.services import integrity as integrity_services
from surveys.services import invitations as invitation_services
from surveys.services import lists as list_services
from surveys.services import questionnaire as questionnaire_services

from .forms import AgencyVoidForm, FlagReviewForm, GroupForm, ImportForm, QuestionForm, RespondentForm, ReturnForm
from .models import Flag, Invitation, RespondentList
from .public import _view_rows


def _campaign(request, pk):
    return access_selectors.survey_campaign_get_for_user(user=request.user, pk=pk)


def _officer_campaign(request, pk):
    campaign = _campaign(request, pk)
    if not access_selectors.user_is_survey_officer(request.user):
        raise Http404
    return campaign


# ---------------------------------------------------------------- overview


@login_required
def overview(request, pk):
    campaign = _campaign(request, pk)
    is_officer = access_selectors.user_is_survey_officer(request.user)
    agencies = list(access_selectors.list_agencies_for_user(user=request.user, campaign=campaign))
    if not is_officer and not agencies:
        raise Http404
    lists = list_selectors.respondent_lists(campaign=campaign)
    progress = list_selectors.survey_progress(campaign=campaign,
                                              agency_ids=None if is_officer else [a.pk for a in agencies])
    context = {"campaign": campaign, "is_officer": is_officer, "totals": list_selectors.progress_totals(progress)}
    if is_officer:
        counts = {s: 0 for s in RespondentList.Status.values}
        for rl in lists.values():
            counts[rl.status] += 1
        context.update(groups=questionnaire_selectors.group_list(campaign=campaign), list_counts=[
            (RespondentList.Status(s).label, s, n) for s, n in counts.items()],
            agencies_without_list=len([a for a in agencies if a.pk not in lists]),
            open_flags=Flag.objects.filter(campaign=campaign, status=Flag.Status.OPEN).count())
    else:
        context["mine"] = [(a, lists.get(a.pk)) for a in agencies]
    windows = {kind: campaign_selectors.step_window_for(agency=agencies[0], campaign=campaign, kind=kind)
               for kind in ("respondent_lists", "survey")} if len(agencies) == 1 and not is_officer else {}
    steps = {s.kind: s for s in campaign.steps.all()}
    context["lists_window"] = windows.get("respondent_lists") or steps.get("respondent_lists")
    context["survey_window"] = windows.get("survey") or steps.get("survey")
    return render(request, "surveys/overview.html", context)


# ---------------------------------------------------------------- questionnaires (officers)


@login_required
def group_create(request, pk):
    campaign = _officer_campaign(request, pk)
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = run_action(request, lambda: questionnaire_services.group_save(
            campaign=campaign, user=request.user, **form.cleaned_data),
            success=_("Đã tạo nhóm đối tượng. Hãy thêm câu hỏi."), form=form)
        if outcome.ok:
            return redirect("surveys:group", pk=campaign.pk, gid=outcome.result.pk)
    return render(request, "surveys/group_form.html", {"campaign": campaign, "form": form})


@login_required
def group_detail(request, pk, gid):
    campaign = _officer_campaign(request, pk)
    group = access_selectors.group_get_for_officer(user=request.user, campaign=campaign, pk=gid)
    initial = {f: getattr(group, f) for f in ("code", "name", "rates_group", "form_code", "instructions",
                                              "min_answers")}
    form = GroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        outcome = run_action(request, lambda: questionnaire_services.group_save(
            campaign=campaign, group=group, user=request.user, **form.cleaned_data),
            success=_("Đã lưu nhóm đối tượng."), form=form)
        if outcome.ok:
            return redirect("surveys:group", pk=campaign.pk, gid=group.pk)
    questions = questionnaire_selectors.question_list(group=group)
    return render(request, "surveys/group_detail.html", {
        "campaign": campaign, "group": group, "form": form, "questions": questions,
        "rated_count": len(questionnaire_selectors.rated_agencies(group=group)),
    })


@login_required
def group_preview(request, pk, gid):
    """The questionnaire exactly as a respondent sees it, with every agency of the rated
    group; nothing can be sent from here."""
    campaign = _officer_campaign(request, pk)
    group = access_selectors.group_get_for_officer(user=request.user, campaign=campaign, pk=gid)
    questionnaire = questionnaire_selectors.questionnaire_for(group=group)
    return render(request, "surveys/answer.html", {
        "group": group, "campaign": campaign, "preview": True, "answered": 0,
        "total": len(questionnaire.rows()), "sections": _view_rows(questionnaire, {}, set()),
    })


def _question_form(request, campaign, group, question=None):
    form = QuestionForm(request.POST or None, group=group, question=question)
    if request.method == "POST" and form.is_valid():
        outcome = run_action(request, lambda: questionnaire_services.question_save(
            group=group, question=question, user=request.user, **form.cleaned_data),
            success=_("Đã lưu câu hỏi."), form=form)
        if outcome.ok:
            return redirect("surveys:group", pk=campaign.pk, gid=group.pk)
    return render(request, "surveys/question_form.html", {"campaign": campaign, "group": group, "form": form,
                                                           "question": question})


@login_required
def question_create(request, pk, gid):
    campaign = _officer_campaign(request, pk)
    group = access_selectors.group_get_for_officer(user=request.user, campaign=campaign, pk=gid)
    return _question_form(request, campaign, group)


@login_required
def question_edit(request, pk, qid):
    campaign = _officer_campaign(request, pk)
    question = access_selectors.question_get_for_officer(user=request.user, campaign=campaign, pk=qid)
    return _question_form(request, campaign, question.group, question)


@login_required
@require_POST
def question_delete(request, pk, qid):
    campaign = _officer_campaign(request, pk)
    question = access_selectors.question_get_for_officer(user=request.user, campaign=campaign, pk=qid)
    run_action(request, lambda: questionnaire_services.question_delete(question=question, user=request.user),
               success=_("Đã xóa câu hỏi."))
    return redirect("surveys:group", pk=campaign.pk, gid=question.group_id)


@login_required
def survey_import(request, pk):
    campaign = _officer_campaign(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = questionnaire_services.survey_import(campaign=campaign, file=form.cleaned_data["file"],
                                                      dry_run=form.cleaned_data["dry_run"], user=request.user)
        if report.ok and not report.dry_run:
            messages.success(request, _("Đã nhập %(c)s mục mới, cập nhật %(u)s mục.") % {
                "c": report.created, "u": report.updated})
            return redirect("surveys:overview", pk=campaign.pk)
    return render(request, "surveys/import_form.html", {
        "campaign": campaign, "form": form, "report": report, "title": _("Nhập phiếu điều tra từ Excel"),
        "columns": "groups: code, name, rates_group[, form_code, instructions, min_answers] · questions: "
                   "group_code, section, number, text, kind, options, criterion_code[, required]",
        "back": ("surveys:overview", campaign.pk),
    })


@login_required
def survey_export(request, pk):
    campaign = _officer_campaign(request, pk)
    response = HttpResponse(questionnaire_services.survey_export(campaign=campaign),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="phieu-dieu-tra-{campaign.pk}.xlsx"'
    return response


# ---------------------------------------------------------------- respondent lists


@login_required
def list_index(request, pk):
    campaign = _campaign(request, pk)
    agencies = access_selectors.list_agencies_for_user(user=request.user, campaign=campaign)
    if not access_selectors.user_is_survey_officer(request.user):
        mine = list(agencies)
        if len(mine) == 1:
            return redirect("surveys:list_detail", pk=campaign.pk, code=mine[0].code)
        if not mine:
            raise Http404
    status = request.GET.get("status", "")
    lists = list_selectors.respondent_lists(campaign=campaign)
    rows = [(a, lists.get(a.pk)) for a in agencies]
    if status == "none":
        rows = [(a, rl) for a, rl in rows if rl is None]
    elif status:
        rows = [(a, rl) for a, rl in rows if rl is not None and rl.status == status]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "surveys/list_index.html", {
        "campaign": campaign, "page": page, "status": status, "statuses": RespondentList.Status.choices,
    })


def _list_context(request, campaign, agency):
    rlist = list_selectors.respondent_list_get(campaign=campaign, agency=agency)
    is_officer = access_selectors.user_is_survey_officer(request.user)
    rows = list_selectors.respondent_list_rows(campaign=campaign, agency=agency)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for r in page:
        r.status_code = list_selectors.respondent_status(r)
        r.status_label = list_selectors.STATUS_LABELS[r.status_code]
    window = campaign_selectors.step_window_for(agency=agency, campaign=campaign, kind="respondent_lists")
    now = timezone.now()
    status = rlist.status if rlist else RespondentList.Status.DRAFT
    editable = is_officer or (status in list_services.EDITABLE and window is not None and window.is_open(now))
    return {
        "campaign": campaign, "agency": agency, "rlist": rlist, "status": status, "page": page,
        "is_officer": is_officer, "editable": editable, "window": window, "now": now,
        "can_send": status in list_services.EDITABLE and (is_officer or (window is not None and window.is_open(now))),
        "form": RespondentForm(campaign=campaign), "import_form": ImportForm(), "return_form": ReturnForm(),
        "has_groups": campaign.respondent_groups.exists(),
        "printable": Invitation.objects.filter(respondent__respondent_list__agency=agency,
                                               respondent__campaign=campaign)
        .exclude(status__in=[Invitation.Status.ANSWERED, Invitation.Status.VOIDED]).count() if is_officer else 0,
    }


@login_required
def list_detail(request, pk, code):
    campaign = _campaign(request, pk)
    agency = access_selectors.list_agency_get_for_user(user=request.user, campaign=campaign, code=code)
    context = _list_context(request, campaign, agency)
    if request.method == "POST":
        form = RespondentForm(request.POST, campaign=campaign)
        context["form"] = form
        if form.is_valid():
            outcome = run_action(request, lambda: list_services.respondent_add(
                campaign=campaign, agency=agency, user=request.user, **form.cleaned_data),
                success=_("Đã thêm %(name)s.") % {"name": form.cleaned_data["full_name"]}, form=form)
            if outcome.ok:
                return redirect("surveys:list_detail", pk=campaign.pk, code=agency.code)
    return render(request, "surveys/list_detail.html", context)


@login_required
def list_import(request, pk, code):
    campaign = _campaign(request, pk)
    agency = access_selectors.list_agency_get_for_user(user=request.user, campaign=campaign, code=code)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        outcome = run_action(request, lambda: list_services.respondent_import(
            campaign=campaign, agency=agency, file=form.cleaned_data["file"], user=request.user,
            dry_run=form.cleaned_data["dry_run"]),
            success=lambda r: _("Đã nhập %(n)s người.") % {"n": r.created} if r.ok and not r.dry_run else "",
            form=form)
        report = outcome.result
        if outcome.ok and report.ok and not report.dry_run:
            return redirect("surveys:list_detail", pk=campaign.pk, code=agency.code)
    return render(request, "surveys/import_form.html", {
        "campaign": campaign, "form": form, "report": report, "agency": agency,
        "title": _("Nhập danh sách đối tượng điều tra – %(agency)s") % {"agency": agency.name},
        "columns": "full_name, position, group_code, email, phone",
        "back": ("surveys:list_detail", campaign.pk, agency.code),
    })


def _list_action(request, pk, code, action, success):
    campaign = _campaign(request, pk)
    agency = access_selectors.list_agency_get_for_user(user=request.user, campaign=campaign, code=code)
    run_action(request, lambda: action(campaign=campaign, agency=agency, user=request.user), success=success)
    return redirect("surveys:list_detail", pk=campaign.pk, code=agency.code)


@login_required
@require_POST
def list_send(request, pk, code):
    return _list_action(request, pk, code, list_services.respondent_list_send, _("Đã gửi danh sách về Sở Nội vụ."))


@login_required
@require_POST
def list_approve(request, pk, code):
    return _list_action(request, pk, code, list_services.respondent_list_approve, _("Đã duyệt danh sách."))


@login_required
@require_POST
def list_return(request, pk, code):
    def return_list(**kwargs):
        return list_services.respondent_list_return(**kwargs, comment=request.POST.get("comment", ""))
    return _list_action(request, pk, code, return_list, _("Đã trả lại danh sách cho đơn vị."))


@login_required
@require_POST
def respondent_delete(request, pk, code, rid):
    campaign = _campaign(request, pk)
    agency = access_selectors.list_agency_get_for_user(user=request.user, campaign=campaign, code=code)
    respondent = access_selectors.respondent_get_for_user(user=request.user, campaign=campaign, pk=rid)
    if respondent.respondent_list.agency_id != agency.pk:
        raise Http404
    run_action(request, lambda: list_services.respondent_remove(respondent=respondent, user=request.user),
               success=_("Đã xóa %(name)s khỏi danh sách.") % {"name": respondent.full_name})
    return redirect("surveys:list_detail", pk=campaign.pk, code=agency.code)


@login_required
@require_POST
def respondent_resend(request, pk, code, rid):
    """A new personal link e-mailed to one respondent who lost theirs (the old one stops)."""
    campaign = _campaign(request, pk)
    agency = access_selectors.list_agency_get_for_user(user=request.user, campaign=campaign, code=code)
    respondent = access_selectors.respondent_get_for_user(user=request.user, campaign=campaign, pk=rid)
    invitation = Invitation.objects.filter(respondent=respondent).first()
    if respondent.respondent_list.agency_id != agency.pk or invitation is None:
        raise Http404
    run_action(request, lambda: invitation_services.invitation_reissue(invitation=invitation, user=request.user),
               success=_("Đã gửi liên kết mới cho %(name)s.") % {"name": respondent.full_name})
    return redirect("surveys:list_detail", pk=campaign.pk, code=agency.code)


@login_required
@require_POST
def list_print(request, pk, code):
    """A printable sheet of QR codes, for officers only (an agency holding its respondents'
    live links could answer for them): every link is re-issued (only hashes are stored), the
    new link is e-mailed too, the sheet exists only in this response and is recorded."""
    campaign = _campaign(request, pk)
    agency = access_selectors.list_agency_get_for_user(user=request.user, campaign=campaign, code=code)
    if not access_selectors.user_is_survey_officer(request.user):
        raise PermissionDenied(_("Chỉ cán bộ Sở Nội vụ được in mã QR (cấp lại liên kết trả lời phiếu)."))
    ids = [int(i) for i in request.POST.getlist("respondent") if i.isdigit()] or None
    links = invitation_services.invitations_print(campaign=campaign, agency=agency, user=request.user,
                                                  respondent_ids=ids)
    if not links:
        messages.error(request, _("Không có thư mời nào chưa trả lời để in."))
        return redirect("surveys:list_detail", pk=campaign.pk, code=agency.code)
    response = render(request, "surveys/qr_sheet.html", {"campaign": campaign, "agency": agency, "links": links})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def invitations_send(request, pk):
    """Without `confirmed` equal to the number shown: the confirmation page (how many
    e-mails, to which agencies and groups, one e-mail as it will read)."""
    campaign = _officer_campaign(request, pk)
    candidates = list_selectors.invitation_candidates(campaign=campaign, now=timezone.now())
    count = len(candidates.due)
    if not count or not confirm.is_confirmed(request, count):
        preview = None
        if candidates.due:
            respondent, window = candidates.due[0]
            preview = invitation_services.invitation_email_preview(respondent=respondent, window=window)
        blocked = "" if count else _("Không có thư mời nào cần gửi: mọi người trong các danh sách đã duyệt "
                                     "đều đã được mời hoặc đã hết thời gian trả lời.")
        if campaign.status != campaign.Status.OPEN:
            blocked = _("Đợt đánh giá chưa mở hoặc đã kết thúc; không gửi thư mời.")
        return confirm.confirm_page(request, "surveys/invitations_confirm.html", campaign=campaign,
                                    candidates=candidates, count=count, preview=preview,
                                    confirmation=confirm.Confirmation(
                                        title=_("Xác nhận gửi thư mời trả lời phiếu"),
                                        action=request.path, fingerprint=str(count), blocked=blocked,
                                        label=_("Gửi %(n)s thư mời") % {"n": count},
                                        back=reverse("surveys:overview", args=[campaign.pk])))
    run_action(request, lambda: invitation_services.invitations_send(campaign=campaign, user=request.user),
               success=lambda report: _("Đã gửi %(n)s thư mời.") % {"n": report.sent} + (
                   _(" %(k)s người đã hết thời gian trả lời nên không gửi.") % {"k": report.skipped_closed}
                   if report.skipped_closed else ""))
    return redirect("surveys:overview", pk=campaign.pk)


# ---------------------------------------------------------------- progress, flags, points


@login_required
def progress(request, pk):
    campaign = _campaign(request, pk)
    is_officer = access_selectors.user_is_survey_officer(request.user)
    agencies = list(access_selectors.list_agencies_for_user(user=request.user, campaign=campaign))
    if not is_officer and not agencies:
        raise Http404
    rows = list_selectors.survey_progress(campaign=campaign,
                                          agency_ids=None if is_officer else [a.pk for a in agencies])
    context = {"campaign": campaign, "rows": rows, "totals": list_selectors.progress_totals(rows),
               "is_officer": is_officer}
    if not is_officer:
        status = request.GET.get("status", "")
        people = list_selectors.respondent_rows_for_agencies(campaign=campaign, agency_ids=[a.pk for a in agencies])
        if status == "not_answered":
            people = people.exclude(invitation__status=Invitation.Status.ANSWERED)
        page = Paginator(people, 50).get_page(request.GET.get("page"))
        for r in page:
            r.status_code = list_selectors.respondent_status(r)
            r.status_label = list_selectors.STATUS_LABELS[r.status_code]
        context.update(page=page, status=status)
    return render(request, "surveys/progress.html", context)


@login_required
def flags(request, pk):
    campaign = _officer_campaign(request, pk)
    status = request.GET.get("status", Flag.Status.OPEN)
    flag_rows = integrity_selectors.flag_list(campaign=campaign, status=status or None)
    page = Paginator(flag_rows, 20).get_page(request.GET.get("page"))
    for flag in page:
        flag.rows = integrity_selectors.flag_responses(flag=flag)
    return render(request, "surveys/flags.html", {
        "campaign": campaign, "page": page, "status": status, "statuses": Flag.Status.choices,
        "review_form": FlagReviewForm(), "void_form": AgencyVoidForm(campaign=campaign),
        "voids": integrity_selectors.void_list(campaign=campaign)[:50],
    })


@login_required
@require_POST
def flag_review(request, pk, fid):
    campaign = _officer_campaign(request, pk)
    flag = access_selectors.flag_get_for_officer(user=request.user, campaign=campaign, pk=fid)
    form = FlagReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Chọn quyết định và nêu lý do."))
    else:
        run_action(request, lambda: integrity_services.flag_review(flag=flag, user=request.user, **form.cleaned_data),
                   success=lambda n: _("Đã xử lý; %(n)s phiếu bị hủy.") % {"n": n})
    return redirect("surveys:flags", pk=campaign.pk)


@login_required
@require_POST
def agency_void(request, pk):
    campaign = _officer_campaign(request, pk)
    form = AgencyVoidForm(request.POST, campaign=campaign)
    if not form.is_valid():
        messages.error(request, _("Chọn đơn vị và nêu lý do."))
    else:
        run_action(request, lambda: integrity_services.agency_survey_void(
            campaign=campaign, user=request.user, **form.cleaned_data),
            success=lambda record: _("Đã hủy kết quả khảo sát của %(a)s (%(n)s phiếu).") % {
                "a": record.agency.name, "n": record.responses_voided})
    return redirect("surveys:flags", pk=campaign.pk)


@login_required
def points(request, pk):
    campaign = _officer_campaign(request, pk)
    raw = point_selectors.survey_points(campaign=campaign)
    criteria = {c.pk: c for c in Criterion.objects.filter(pk__in={cid for _a, cid in raw}).order_by("order", "code")}
    agencies = {a.pk: a for a in campaign.agencies.filter(pk__in={aid for aid, _c in raw}).select_related("group")}
    table = {}
    for (aid, cid), sp in raw.items():
        table.setdefault(aid, {})[cid] = sp
    by_group = {}
    for aid in sorted(table, key=lambda a: (agencies[a].group.order, agencies[a].code)):
        agency = agencies[aid]
        cols = sorted((criteria[c] for c in table[aid]), key=lambda c: (c.order, c.code))
        entry = by_group.setdefault(agency.group, {"criteria": cols, "rows": []})
        entry["rows"].append((agency, [table[aid][c.pk] for c in cols]))
    return render(request, "surveys/points.html", {"campaign": campaign, "by_group": by_group,
                                                   "flagged": sum(1 for sp in raw.values() if sp.flagged_too_few)})
