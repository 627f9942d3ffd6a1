"""The answer page's reads: a link by its token, its window, its saved answers."""


from campaigns import selectors as campaign_selectors
from campaigns.models import Agency, StepKind
from surveys.answers import from_data
from surveys.models import (
    Invitation,
    Question,
    Response,
    SurveyVoid,
)
from surveys.selectors.questionnaire import Questionnaire
from surveys.tokens import token_hash


def invitation_by_token(token: str) -> tuple[Invitation | None, bool]:
    """(invitation, replaced): the invitation whose current token this is, or, with
    `replaced` True, whose previous token it was; (None, False) when unknown. One query
    brings what the page needs: the respondent, their group, campaign and agency, the
    response if any."""
    if not token or len(token) > 100:
        return None, False
    digest = token_hash(token)
    links = Invitation.objects.select_related("respondent__group", "respondent__campaign",
                                              "respondent__respondent_list__agency", "response")
    invitation = links.filter(token_hash=digest).first()
    if invitation is not None:
        return invitation, False
    old = links.filter(previous_token_hash=digest).exclude(previous_token_hash="").first()
    return (old, True) if old is not None else (None, False)


def answer_window(*, invitation):
    """The survey window of the respondent's agency (its extension included), or None."""
    respondent = invitation.respondent
    return campaign_selectors.step_window_for(agency=respondent.respondent_list.agency,
                                              campaign=respondent.campaign, kind=StepKind.SURVEY)


def agency_voided(*, invitation) -> bool:
    """Whether the survey result of the respondent's agency was voided."""
    respondent = invitation.respondent
    return SurveyVoid.objects.filter(campaign_id=respondent.campaign_id,
                                     agency_id=respondent.respondent_list.agency_id).exists()


def invitation_response(invitation) -> Response | None:
    try:
        return invitation.response
    except Response.DoesNotExist:
        return None


def stored_answers(*, response) -> dict[tuple[int, int | None], list[str] | str]:
    """(question id, rated agency id) → option keys, or the text of a text question."""
    if response is None:
        return {}
    return from_data(response.answers_data)


def missing_rows(questionnaire: Questionnaire, answers: dict) -> list[tuple[Question, Agency | None]]:
    """Required rows without an answer ("don't know" is an answer)."""
    return [(q, agency) for q, agency in questionnaire.rows()
            if q.required and _blank(answers.get((q.pk, agency.pk if agency else None)))]


def _blank(value) -> bool:
    return not value or (isinstance(value, str) and not value.strip())
