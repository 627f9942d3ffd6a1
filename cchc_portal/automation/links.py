"""Links this app adds to a campaign's page and the home page (campaigns.links)."""
from django.urls import reverse
from django.utils.translation import gettext as _

from campaigns.links import Link
from campaigns.selectors import user_is_officer


def campaign_links(campaign, user) -> list[Link]:
    if not user_is_officer(user):
        return []
    return [
        Link(_("Nhắc hạn tự động"), reverse("notifications:reminders", args=[campaign.pk]), order=80),
        Link(_("Hộp thư đi"), reverse("notifications:outbox"), order=85),
    ]
