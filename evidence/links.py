"""The evidence library link on the campaign and home pages (campaigns.links registry)."""
from django.urls import reverse
from django.utils.translation import gettext as _

from campaigns.links import Link

from .selectors import _own_agency_ids


def library_links(campaign, user) -> list[Link]:
    """One link per agency of the user that the campaign covers."""
    own = _own_agency_ids(user)
    if not own:
        return []
    cache = getattr(user, "_evidence_covered", None)
    if cache is None:
        cache = user._evidence_covered = {}
    if campaign.pk not in cache:
        cache[campaign.pk] = list(campaign.agencies.filter(pk__in=own).order_by("code").values_list("code", "name"))
    covered = cache[campaign.pk]
    label = _("Tài liệu kiểm chứng")
    return [Link(f"{label} · {name}" if len(covered) > 1 else label,
                 reverse("evidence:library", args=[campaign.pk, code]), order=40)
            for code, name in covered]


def guidance_links(campaign, user) -> list[Link]:
    """The campaign library, for everyone who sees the campaign (no query)."""
    return [Link(_("Thư viện hướng dẫn"), reverse("evidence:guidance_list", args=[campaign.pk]), order=15)]
