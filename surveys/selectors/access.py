"""Access: what survey pages and the API may fetch for a user (404 otherwise)."""

from django.db.models import QuerySet
from django.http import Http404

from campaigns import selectors as campaign_selectors
from campaigns.models import Agency, Campaign
from cchc_portal.core.selectors import one_or_404
from surveys.models import (
    Flag,
    Question,
    Respondent,
    RespondentGroup,
)


def survey_campaign_get_for_user(*, user, pk) -> Campaign:
    return campaign_selectors.campaign_get_for_user(user=user, pk=pk)


def user_is_survey_officer(user) -> bool:
    return campaign_selectors.user_is_officer(user)


def list_agencies_for_user(*, user, campaign) -> QuerySet[Agency]:
    """Agencies whose respondent list the user may see: officers every covered agency,
    agency members (staff or leader) their own covered agencies."""
    qs = campaign_selectors.campaign_agencies(campaign)
    if user_is_survey_officer(user):
        return qs
    return qs.filter(pk__in=campaign_selectors.user_agency_ids(user))


def list_agency_get_for_user(*, user, campaign, code) -> Agency:
    return one_or_404(list_agencies_for_user(user=user, campaign=campaign), code=code)


def respondent_get_for_user(*, user, campaign, pk) -> Respondent:
    agencies = list_agencies_for_user(user=user, campaign=campaign)
    return one_or_404(Respondent.objects.select_related("respondent_list__agency", "group"),
                      pk=pk, campaign=campaign, respondent_list__agency__in=agencies)


def _officer_get(user, queryset, **lookup):
    """One row for a survey officer (404 for anyone else, or no such row)."""
    if not user_is_survey_officer(user):
        raise Http404
    return one_or_404(queryset, **lookup)


def group_get_for_officer(*, user, campaign, pk) -> RespondentGroup:
    return _officer_get(user, RespondentGroup.objects.select_related("rates_group", "campaign"), pk=pk,
                        campaign=campaign)


def question_get_for_officer(*, user, campaign, pk) -> Question:
    return _officer_get(user, Question.objects.select_related("group", "criterion"), pk=pk, group__campaign=campaign)


def flag_get_for_officer(*, user, campaign, pk) -> Flag:
    return _officer_get(user, Flag.objects.all(), pk=pk, campaign=campaign)
