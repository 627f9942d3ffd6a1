from django.apps import AppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def survey_links(campaign, user):
    """The survey's entry on the campaign and home pages, for officers and agency members."""
    from django.urls import reverse

    from campaigns import selectors
    from campaigns.links import Link

    if selectors.user_is_officer(user) or selectors.user_agency_ids(user):
        return [Link(gettext("Điều tra XHH"), reverse("surveys:overview", kwargs={"pk": campaign.pk}), order=40)]
    return []


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Điều tra xã hội học")

    def ready(self):
        from campaigns import links

        links.register(survey_links)
        from surveys import automation  # noqa: F401 - registers the tick's invitations and reminder sources
