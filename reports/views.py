"""The home page per role (and, later, results pages)."""
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from campaigns import selectors as campaign_selectors
from campaigns.links import links_for
from campaigns.models import Campaign


def _agency_home(user, now):
    """Per campaign and agency of the user: steps open now and coming up, with effective
    deadlines (extensions included)."""
    agencies = list(campaign_selectors.user_agencies(user))
    campaigns = campaign_selectors.campaign_list_for_user(user=user).exclude(status=Campaign.Status.PUBLISHED)
    cards = []
    for campaign in campaigns:
        covered = set(campaign.agencies.filter(pk__in=[a.pk for a in agencies]).values_list("pk", flat=True))
        for agency in agencies:
            if agency.pk not in covered:
                continue
            windows = campaign_selectors.agency_windows(agency=agency, campaign=campaign)
            open_now = [w for w in windows.values() if w.is_open(now)]
            upcoming = [w for w in windows.values() if w.state(now) == "upcoming"][:3]
            cards.append({"campaign": campaign, "agency": agency, "open": open_now, "upcoming": upcoming,
                          "links": links_for(campaign, user)})
    return cards


def _officer_home(user, now):
    campaigns = (
        campaign_selectors.campaign_list_for_user(user=user)
        .annotate(agency_total=Count("agencies", distinct=True), extension_total=Count("steps__extensions"))
        .order_by("-year")[:10]
    )
    rows = []
    for campaign in campaigns:
        steps = sorted(campaign.steps.all(), key=lambda s: s.order)
        rows.append({
            "campaign": campaign,
            "open_steps": [s for s in steps if s.opens_at <= now < s.closes_at],
            "next_step": next((s for s in steps if s.opens_at > now), None),
            "links": links_for(campaign, user),
            "counters": campaign_counters(campaign),
        })
    return rows


def campaign_counters(campaign) -> list[tuple[str, int]]:
    """Progress counters shown on the officer's home page (label, number)."""
    return [("Đơn vị được đánh giá", campaign.agency_total), ("Lượt gia hạn", campaign.extension_total)]


@login_required
def home(request):
    now = timezone.now()
    user = request.user
    context = {"now": now, "roles": campaign_selectors.user_roles(user)}
    if campaign_selectors.user_is_province_staff(user):
        context["officer_rows"] = _officer_home(user, now)
        context["is_officer"] = campaign_selectors.user_is_officer(user)
    context["agency_cards"] = _agency_home(user, now)
    return render(request, "reports/home.html", context)
