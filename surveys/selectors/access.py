"""Access: what survey pages and the API may fetch for a user (404 otherwise)."""

from django.db.models import QuerySet
from django.http import Http404

from campaigns import selectors as campaign_selectors
from campaigns.models import Agency, Campaign
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
    try:
        return list_agencies_for_user(user=user, campaign=campaign).get(code=code)
    except Agency.DoesNotExist as exc:
        raise Http404 from exc


def respondent_get_for_user(*, user, campaign, pk) -> Respondent:
    agencies = list_agencies_for_user(user=user, campaign=campaign)
    try:
        return (Respondent.objects.select_related("respondent_list__agency", "group")
                .get(pk=pk, campaign=campaign, respondent_list__agency__in=agencies))
    except (Respondent.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def group_get_for_officer(*, user, campaign, pk) -> RespondentGroup:
    if not user_is_survey_officer(user):
        raise Http404
    try:
        return RespondentGroup.objects.select_related("rates_group", "campaign").get(pk=pk, campaign=campaign)
    except (RespondentGroup.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def question_get_for_officer(*, user, campaign, pk) -> Question:
    if not user_is_survey_officer(user):
        raise Http404
    try:
        return Question.objects.select_related("group", "criterion").get(pk=pk, group__campaign=campaign)
    except (Question.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def flag_get_for_officer(*, user, campaign, pk) -> Flag:
    if not user_is_survey_officer(user):
        raise Http404
    try:
        return Flag.objects.get(pk=pk, campaign=campaign)
    except (Flag.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
