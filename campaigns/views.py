"""Staff pages: the plan as a timeline, plan editing and extensions for officers."""
from datetime import timedelta

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc_portal.core import confirm
from cchc_portal.core.views import run_action

from . import selectors, services
from .forms import CampaignForm, CopyPlanForm, ExtensionForm, PasswordResetForm, step_formset
from .links import links_for
from .models import StepKind
from .participants import participant_agencies


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Always the same "sent" page, whether the address is known, unknown or over its limit."""

    form_class = PasswordResetForm


def officer_required(request):
    if not selectors.user_is_officer(request.user):
        raise PermissionDenied


@login_required
def campaign_list(request):
    campaigns = selectors.campaign_list_for_user(user=request.user)
    page = Paginator(campaigns, 20).get_page(request.GET.get("page"))
    return render(request, "campaigns/campaign_list.html", {
        "page": page, "is_officer": selectors.user_is_officer(request.user),
    })


@login_required
def campaign_create(request):
    officer_required(request)
    form = CampaignForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        outcome = run_action(request, lambda: services.campaign_create(user=request.user, **form.cleaned_data),
                             success=_("Đã tạo đợt đánh giá. Hãy lập kế hoạch các bước."), form=form)
        if outcome.ok:
            return redirect("campaigns:plan_edit", pk=outcome.result.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form})


def _timeline(steps, now):
    """Bars per step on a common time axis (percent offsets), plus where today falls."""
    if not steps:
        return None
    start = min(s.opens_at for s in steps)
    end = max(s.closes_at for s in steps)
    span = (end - start).total_seconds() or 1
    rows = []
    for s in steps:
        rows.append({
            "step": s,
            "left": round((s.opens_at - start).total_seconds() / span * 100, 2),
            "width": max(round((s.closes_at - s.opens_at).total_seconds() / span * 100, 2), 0.8),
            "state": "open" if s.opens_at <= now < s.closes_at else ("done" if now >= s.closes_at else "upcoming"),
        })
    today = None
    if start <= now <= end:
        today = round((now - start).total_seconds() / span * 100, 2)
    return {"rows": rows, "start": start, "end": end, "today": today}


@login_required
def campaign_detail(request, pk):
    campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
    now = timezone.now()
    steps = sorted(campaign.steps.all(), key=lambda s: s.order)
    is_officer = selectors.user_is_officer(request.user)
    taking_part = set(participant_agencies(campaign).values_list("pk", flat=True))
    mine = [a for a in selectors.user_agencies(request.user) if a.pk in taking_part]
    windows = [(a, selectors.agency_windows(agency=a, campaign=campaign)) for a in mine]
    context = {
        "campaign": campaign, "timeline": _timeline(steps, now), "now": now, "is_officer": is_officer,
        "windows": windows, "agency_count": campaign.agencies.count(),
        "campaign_links": links_for(campaign, request.user),
    }
    if is_officer:
        context["extensions"] = selectors.extension_list(campaign=campaign)[:50]
        context["extension_form"] = ExtensionForm(campaign=campaign)
        context["copy_form"] = CopyPlanForm(initial={"year": campaign.year + 1})
    return render(request, "campaigns/campaign_detail.html", context)


def _same_minute(a, b) -> bool:
    return a is not None and b is not None and a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def _moved_past_deadlines(formset, current, now) -> list[dict]:
    """Steps whose deadline has already passed and that this plan moves or removes: saving
    those reopens or shortens what agencies were held to, so it needs an explicit confirm."""
    moved = []
    for form in formset:
        data = form.cleaned_data
        step = current.get(data["kind"])
        if step is None or step.closes_at > now:
            continue
        new = data.get("closes_at") if data.get("enabled") else None
        if new is None or not _same_minute(new, step.closes_at):
            moved.append({"kind": step.kind, "label": step.get_kind_display(), "old": step.closes_at, "new": new})
    return moved


@login_required
def plan_edit(request, pk):
    officer_required(request)
    campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
    current = {s.kind: s for s in campaign.steps.all()}
    tz = timezone.get_current_timezone()
    initial = []
    for kind in map(StepKind, services.steps_for_kind(campaign.kind)):
        s = current.get(kind.value)
        initial.append({
            "kind": kind.value, "enabled": s is not None,
            "opens_at": s.opens_at.astimezone(tz) if s else None,
            "closes_at": s.closes_at.astimezone(tz) if s else None,
        })
    formset = step_formset(request.POST or None, initial)
    moved = []
    if request.method == "POST" and formset.is_valid():
        moved = _moved_past_deadlines(formset, current, timezone.now())
        fingerprint = ",".join(m["kind"] for m in moved)
        if not moved or confirm.is_confirmed(request, fingerprint):
            outcome = run_action(request, lambda: _plan_save(campaign, formset, current, request.user),
                                 success=_("Đã lưu kế hoạch."))
            if outcome.ok:
                return redirect("campaigns:detail", pk=campaign.pk)
            moved = []
    rows = [(form, StepKind(form.initial["kind"]).label) for form in formset if form.initial.get("kind")]
    return render(request, "campaigns/plan_form.html", {
        "campaign": campaign, "formset": formset, "rows": rows, "moved": moved,
        "fingerprint": ",".join(m["kind"] for m in moved),
        "changed": bool(moved) and request.POST.get(confirm.CONFIRM_FIELD) not in (None, ""),
    })


def _plan_save(campaign, formset, current, user):
    with transaction.atomic():
        for form in sorted(formset, key=lambda f: f.cleaned_data.get("opens_at") or now_max()):
            data = form.cleaned_data
            if data.get("enabled"):
                step = current.get(data["kind"])
                # the form shows minutes: a value left as shown keeps its seconds
                opens_at, closes_at = data["opens_at"], data["closes_at"]
                if step and _same_minute(opens_at, step.opens_at):
                    opens_at = step.opens_at
                if step and _same_minute(closes_at, step.closes_at):
                    closes_at = step.closes_at
                services.step_set(campaign=campaign, kind=data["kind"], opens_at=opens_at, closes_at=closes_at,
                                  user=user)
            elif data["kind"] in current:
                services.step_remove(campaign=campaign, kind=data["kind"], user=user)


def now_max():
    return timezone.now() + timedelta(days=365 * 100)


@login_required
def extension_create(request, pk):
    officer_required(request)
    campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
    form = ExtensionForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        step = campaign.steps.get(kind=form.cleaned_data["step_kind"])
        outcome = run_action(
            request, lambda: services.extension_grant(step=step, agency=form.cleaned_data["agency"],
                                                      closes_at=form.cleaned_data["closes_at"],
                                                      reason=form.cleaned_data["reason"], user=request.user),
            success=_("Đã gia hạn cho %(agency)s.") % {"agency": form.cleaned_data["agency"]}, form=form)
        if outcome.ok:
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/extension_form.html", {"campaign": campaign, "form": form})


@login_required
def plan_copy(request, pk):
    officer_required(request)
    campaign = selectors.campaign_get_for_user(user=request.user, pk=pk)
    form = CopyPlanForm(request.POST or None, initial={"year": campaign.year + 1})
    if request.method == "POST" and form.is_valid():
        outcome = run_action(
            request, lambda: services.campaign_copy_plan(campaign=campaign, year=form.cleaned_data["year"],
                                                         name=form.cleaned_data["name"] or None, user=request.user),
            success=lambda new: _("Đã sao chép kế hoạch sang năm %(year)s.") % {"year": new.year}, form=form)
        if outcome.ok:
            return redirect("campaigns:detail", pk=outcome.result.pk)
    return render(request, "campaigns/copy_form.html", {"campaign": campaign, "form": form})
