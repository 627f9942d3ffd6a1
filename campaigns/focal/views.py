"""Focal officers' pages: the agency's form, the officer's contact list and its Excel."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import selectors as campaign_selectors
from campaigns.models import Agency
from campaigns.participants import participant_agencies
from cchc_portal.core.views import run_action

from . import exports, selectors, services
from .forms import FocalOfficersForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _own_covered_agencies(user, campaign) -> list[Agency]:
    own = campaign_selectors.user_agency_ids(user)
    return list(participant_agencies(campaign).filter(pk__in=own).select_related("group")
                .order_by("group__order", "code"))


@login_required
def focal_list(request, campaign_id):
    """Officers: every covered agency's focal officers, the missing ones marked (`?missing=1`
    shows only those). Agency members: their own agencies, each with its form's link."""
    campaign = campaign_selectors.campaign_get_for_user(user=request.user, pk=campaign_id)
    if not campaign_selectors.user_is_officer(request.user):
        agencies = _own_covered_agencies(request.user, campaign)
        if not agencies:
            raise PermissionDenied
        if len(agencies) == 1:
            return redirect("campaigns:focal_edit", campaign_id=campaign.pk, agency_code=agencies[0].code)
        return render(request, "campaigns/focal_choose.html", {"campaign": campaign, "agencies": agencies})
    rows = selectors.focal_contact_rows(campaign=campaign)
    missing_total = sum(1 for r in rows if r.missing)
    only_missing = request.GET.get("missing") == "1"
    return render(request, "campaigns/focal_list.html", {
        "campaign": campaign, "rows": [r for r in rows if r.missing] if only_missing else rows,
        "total": len(rows), "missing_total": missing_total, "only_missing": only_missing, "now": timezone.now(),
    })


@login_required
def focal_edit(request, campaign_id, agency_code):
    campaign = campaign_selectors.campaign_get_for_user(user=request.user, pk=campaign_id)
    is_officer = campaign_selectors.user_is_officer(request.user)
    agency = selectors.focal_agency_get_for_user(user=request.user, campaign=campaign, code=agency_code)
    now = timezone.now()
    lock = selectors.focal_lock_reason(campaign=campaign, agency=agency, user=request.user, now=now)
    officers = selectors.focal_officers_of(campaign=campaign, agency=agency)
    # none named yet: last year's campaign's, filled in to check and save
    previous = {} if officers or lock or not campaign.previous_id else selectors.focal_officers_of(
        campaign=campaign.previous, agency=agency)
    form = FocalOfficersForm(request.POST or None, officers=officers or previous, disabled=bool(lock))
    if request.method == "POST":  # past the deadline the service refuses it (DeadlineError) onto the form
        if form.is_valid():
            outcome = run_action(request, lambda: services.focal_officers_save(
                campaign=campaign, agency=agency, entries=form.entries(), user=request.user, now=now),
                success=_("Đã lưu danh sách cán bộ đầu mối của %(agency)s.") % {"agency": agency.name}, form=form)
            if outcome.ok:
                return redirect("campaigns:focal_edit", campaign_id=campaign.pk, agency_code=agency.code)
    return render(request, "campaigns/focal_form.html", {
        "campaign": campaign, "agency": agency, "form": form, "lock": lock, "is_officer": is_officer,
        "window": selectors.focal_window(campaign=campaign, agency=agency),
        "missing": selectors.missing_roles(officers), "officers": officers, "from_previous": bool(previous),
    })


@login_required
def focal_export(request, campaign_id):
    campaign = campaign_selectors.campaign_get_for_user(user=request.user, pk=campaign_id)
    if not campaign_selectors.user_is_officer(request.user):
        raise PermissionDenied
    response = HttpResponse(exports.contact_list_xlsx(campaign=campaign), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="can-bo-dau-moi-{campaign.year}-{campaign.pk}.xlsx"'
    return response


def focal_links(campaign, user):
    """"Cán bộ đầu mối" on the campaign and home pages: officers and the taking part agencies' members."""
    from django.urls import reverse

    from campaigns.links import Link

    officer = campaign_selectors.user_is_officer(user)
    own = set() if officer else campaign_selectors.user_agency_ids(user)
    # an agency's members when it takes part (a province campaign is seen by every agency)
    if officer or (own and participant_agencies(campaign).filter(pk__in=own).exists()):
        return [Link(_("Cán bộ đầu mối"), reverse("campaigns:focal_list", kwargs={"campaign_id": campaign.pk}),
                     order=15)]
    return []
