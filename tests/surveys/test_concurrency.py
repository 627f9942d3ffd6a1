"""One submission per link: two submissions at the same instant give one response.

On PostgreSQL two threads (two connections) submit at the same moment behind a barrier;
on SQLite, which has one writer at a time, the same guarantee is shown by the conditional
update: a submission working from a state read before the other one committed finds the
response already sent. CI runs the suite on both.
"""
import pytest
from django.db import connection

from cchc_portal.core.exceptions import ConflictError
from surveys.answers import expand_pending
from surveys.models import Answer, Invitation, Response
from surveys.selectors import answering as answering_selectors
from surveys.selectors import questionnaire as questionnaire_selectors
from surveys.services import answering as answering_services

from .helpers import at_the_same_instant

pytestmark = pytest.mark.django_db(transaction=True)


def _complete(survey, invitation):
    questionnaire = questionnaire_selectors.questionnaire_for(group=survey.ldx, respondent_agency=invitation.respondent
                                                              .respondent_list.agency)
    answers = {(q.pk, a.pk): ["A"] for q in questionnaire.questions if q.kind == "rating" for a in questionnaire.rated}
    answers[(survey.q3.pk, None)] = ["B"]
    answering_services.response_save(invitation=invitation, answers=answers)
    return questionnaire


def _fresh(invitation):
    return Invitation.objects.select_related("respondent__respondent_list__agency", "respondent__group",
                                             "respondent__campaign", "response").get(pk=invitation.pk)


@pytest.mark.parametrize("posted", [False, True], ids=["what-was-saved", "the-posted-page"])
def test_two_submissions_at_the_same_instant_give_one_response(survey, invite, commune, posted):
    """Sending what was saved or the posted page: either way the claim and the write go in
    one transaction, and the claim is a conditional update."""
    invitation, _ = invite(commune, "an@example.vn")
    questionnaire = _complete(survey, invitation)
    page = answering_selectors.stored_answers(response=Response.objects.get(invitation=invitation)) if posted else None
    sent = {"answers": page, "replace_all": True} if posted else {}
    outcomes = []
    if connection.vendor == "postgresql":
        def submit(barrier):
            try:
                mine = _fresh(invitation)
                barrier.wait(timeout=10)
                answering_services.response_submit(invitation=mine, questionnaire=questionnaire,
                                                   ip="198.51.100.7", **sent)
                outcomes.append("sent")
            except ConflictError:
                outcomes.append("conflict")

        at_the_same_instant(submit)
    else:
        first, second = _fresh(invitation), _fresh(invitation)  # both read before either sends
        for mine in (first, second):
            try:
                answering_services.response_submit(invitation=mine, questionnaire=questionnaire,
                                                   ip="198.51.100.7", **sent)
                outcomes.append("sent")
            except ConflictError:
                outcomes.append("conflict")
    assert sorted(outcomes) == ["conflict", "sent"]
    response = Response.objects.get(invitation=invitation)
    assert response.submitted_at is not None
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.ANSWERED
    assert response.answers_pending and expand_pending() == 1
    assert Answer.objects.filter(response=response, question=survey.q1).count() == 2


def test_a_save_after_the_submission_changes_nothing(survey, invite, commune, agency_a):
    invitation, _ = invite(commune, "an@example.vn")
    questionnaire = _complete(survey, invitation)
    stale = _fresh(invitation)
    answering_services.response_submit(invitation=_fresh(invitation), questionnaire=questionnaire)
    with pytest.raises(ConflictError):
        answering_services.response_save(invitation=stale, answers={(survey.q1.pk, agency_a.pk): ["D"]})
    assert Response.objects.get(invitation=invitation).answers_data[str(survey.q1.pk)][str(agency_a.pk)] == "A"
    expand_pending()
    assert set(Answer.objects.filter(question=survey.q1).values_list("option", flat=True)) == {"A"}
