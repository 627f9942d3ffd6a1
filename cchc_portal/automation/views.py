"""Pages under /notifications/ (namespace `notifications`): the bell's list, officers' outbox
and reminder policies, jobs and their progress, the tick's record."""
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.models import StepKind
from campaigns.selectors import user_is_officer
from cchc_portal.core.views import run_action
from cchc_portal.notifications import selectors as mail
from cchc_portal.notifications import services
from cchc_portal.notifications.models import Outbox

from . import selectors
from .forms import AgencyImportForm, ReminderPolicyForm
from .reminders import reminder_policies_ensure, reminder_policy_update


def _officer(request):
    if not user_is_officer(request.user):
        raise PermissionDenied


# ---------------------------------------------------------------- the bell


@login_required
def notification_list(request):
    qs = mail.notification_list_for_user(user=request.user)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    jobs = list(selectors.job_list_for_user(user=request.user).filter(created_by=request.user)[:5])
    return render(request, "notifications/list.html", {
        "page": page, "jobs": jobs, "is_officer": user_is_officer(request.user),
        "unread": mail.unread_count(user=request.user),
    })


@login_required
@require_POST
def notification_open(request, pk):
    """Mark one notification read and go where it points (a site path only)."""
    notification = mail.notification_get_for_user(user=request.user, pk=pk)
    services.notification_mark_read(user=request.user, pk=notification.pk)
    url = notification.url
    if url.startswith(settings.SITE_URL):
        url = url[len(settings.SITE_URL):] or "/"
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    n = services.notification_mark_read(user=request.user)
    messages.success(request, _("Đã đánh dấu %(n)s thông báo là đã đọc.") % {"n": n})
    return redirect("notifications:list")


# ---------------------------------------------------------------- the outbox (officers)


@login_required
def outbox_list(request):
    _officer(request)
    status = request.GET.get("status", "")
    if status not in Outbox.Status.values:
        status = ""
    page = Paginator(mail.outbox_list(status=status or None), 30).get_page(request.GET.get("page"))
    counts = mail.outbox_counts()
    return render(request, "notifications/outbox.html", {
        "page": page, "status": status, "problem_statuses": mail.PROBLEM_STATUSES,
        "tabs": [(value, label, counts[value]) for value, label in Outbox.Status.choices],
    })


def _back_to_outbox(request):
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notifications:outbox")


@login_required
@require_POST
def outbox_retry(request, pk):
    _officer(request)
    row = mail.outbox_get(pk=pk)
    run_action(request, lambda: services.outbox_retry(row=row, user=request.user),
               success=_("Đã xếp thư gửi %(to)s vào hàng chờ gửi lại.") % {"to": row.to})
    return _back_to_outbox(request)


@login_required
@require_POST
def outbox_mark(request, pk):
    _officer(request)
    row = mail.outbox_get(pk=pk)
    status = request.POST.get("status", "")
    note = request.POST.get("note", "") or _("Cán bộ %(who)s cập nhật trạng thái.") % {
        "who": request.user.display_name}
    run_action(request, lambda: services.outbox_mark(row=row, status=status, user=request.user, note=note),
               success=_("Đã cập nhật trạng thái thư gửi %(to)s.") % {"to": row.to})
    return _back_to_outbox(request)


@login_required
@require_POST
def outbox_send_all(request):
    _officer(request)
    from cchc_portal.notifications.tasks import outbox_send_all_job

    job = services.job_start(kind="outbox_send_all", user=request.user, task=outbox_send_all_job,
                             title=_("Gửi tất cả thư đang chờ"))
    return redirect("notifications:job", pk=job.pk)


# ---------------------------------------------------------------- jobs


@login_required
def job_list(request):
    page = Paginator(selectors.job_list_for_user(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notifications/jobs.html", {"page": page, "is_officer": user_is_officer(request.user)})


@login_required
def job_detail(request, pk):
    job = selectors.job_get_for_user(user=request.user, pk=pk)
    return render(request, "notifications/job_detail.html", {"job": job})


@login_required
def job_progress(request, pk):
    """The progress partial htmx polls every second until the job has finished."""
    job = selectors.job_get_for_user(user=request.user, pk=pk)
    return render(request, "notifications/_job_progress.html", {"job": job})


@login_required
def agency_import(request):
    _officer(request)
    form = AgencyImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        from campaigns.tasks import agency_import_job

        upload = form.cleaned_data["file"]
        job = services.job_start(kind="agency_import", user=request.user, task=agency_import_job,
                                 args={"dry_run": form.cleaned_data["dry_run"]}, input_file=upload,
                                 title=_("Nhập danh sách đơn vị: %(name)s") % {"name": upload.name})
        return redirect("notifications:job", pk=job.pk)
    return render(request, "notifications/agency_import.html", {"form": form})


# ---------------------------------------------------------------- reminder policies


@login_required
def reminder_policies(request, pk):
    campaign = selectors.reminder_campaign_get_for_user(user=request.user, pk=pk)
    policies = reminder_policies_ensure(campaign=campaign)
    editing = request.POST.get("policy") if request.method == "POST" else None
    rows = []
    for policy in policies:
        bound = editing == str(policy.pk)
        form = ReminderPolicyForm(request.POST if bound else None, prefix=f"p{policy.pk}", initial={
            "offsets": policy.offsets_text, "leader_from": policy.leader_from,
            "notify_officers": policy.notify_officers, "active": policy.active})
        if bound and form.is_valid():
            outcome = run_action(
                request, partial(reminder_policy_update, policy=policy, user=request.user, **form.cleaned_data),
                success=_("Đã lưu chính sách nhắc hạn cho bước “%(step)s”.") % {
                    "step": policy.get_step_kind_display()}, form=form)
            if outcome.ok:
                return redirect("notifications:reminders", pk=campaign.pk)
        rows.append((policy, form))
    counts = selectors.reminder_counts(campaign=campaign)
    recent = Paginator(selectors.reminder_recent(campaign=campaign), 30).get_page(request.GET.get("page"))
    return render(request, "notifications/reminders.html", {
        "campaign": campaign, "rows": [(p, f, sorted(counts.get(p.pk, {}).items(), reverse=True)) for p, f in rows],
        "page": recent,
    })


# ---------------------------------------------------------------- the tick (officers)


@login_required
def automation(request):
    _officer(request)
    page = Paginator(selectors.tick_run_list(), 20).get_page(request.GET.get("page"))
    from cchc_portal.notifications.registry import due_work, due_work_label, reminder_source_kinds

    for run in page.object_list:  # people read labels; names stay the keys stored in each run
        for result in run.results:
            result["label"] = due_work_label(result.get("name", ""))
    return render(request, "notifications/automation.html", {
        "page": page, "work": [due_work_label(name) for name, _fn in due_work()],
        "sources": [_step_label(kind) for kind in reminder_source_kinds()],
    })


def _step_label(kind) -> str:
    try:
        return str(StepKind(kind).label)
    except ValueError:
        return _("Bước khác")


@login_required
@require_POST
def automation_run(request):
    """Run the tick now (queued to a worker; inline in the demo)."""
    _officer(request)
    from .tasks import tick

    tick.delay()
    messages.success(request, _("Đã yêu cầu chạy các việc đến hạn."))
    return redirect(reverse("notifications:automation"))
