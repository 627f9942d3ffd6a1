"""The answer page sent in one statement: the page's form carries its respondent's group and
agency (the hidden `link` field), the posted answers are read against that questionnaire
before the link is looked up, and one statement claims the invitation, only if the link's
respondent is of that group and agency, and writes the response. Anything else takes the
general path, which looks the link up and says why."""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys import selectors, services
from surveys.models import Invitation, Response

from .conftest import full_answers
from .helpers import at_the_same_instant

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the one statement is PostgreSQL's")


def url(token):
    return reverse("surveys:answer", kwargs={"token": token})


def hint_of(page) -> str:
    return re.search(r'name="link" value="([0-9]+\.[0-9]+)"', page.content.decode()).group(1)


def test_the_page_carries_its_respondents_group_and_agency(client, survey, invite, commune):
    _invitation, token = invite(commune, "an@example.vn")
    assert hint_of(client.get(url(token))) == f"{survey.ldx.pk}.{commune.pk}"


@pytest.mark.parametrize("hinted", [True, False], ids=["with-the-hint", "without"])
def test_a_sent_page_is_stored_the_same_with_or_without_its_hint(client, survey, invite, commune, agency_a,
                                                                 agency_b, hinted, settings):
    settings.SURVEY_PREPARED_STATEMENTS = False  # the statements' text in the captured queries
    _invitation, token = invite(commune, "an@example.vn")
    hint = hint_of(client.get(url(token)))
    data = full_answers(survey, [agency_a, agency_b], q1="B") | {"action": "submit"}
    with CaptureQueriesContext(connection) as ctx:
        r = client.post(url(token), data | ({"link": hint} if hinted else {}))
    assert r.status_code == 302 and r["Location"] == url(token)
    response = Response.objects.get(invitation__token_hash=selectors.token_hash(token))
    assert response.submitted_at and response.answers_pending and response.rating_rows == 4
    assert selectors.stored_answers(response=response)[(survey.q1.pk, agency_a.pk)] == ["B"]
    assert response.flags == ["too_fast"]  # opened a moment ago: four rows need eight seconds
    assert Invitation.objects.get(pk=response.invitation_id).status == Invitation.Status.ANSWERED
    sql = [q["sql"] for q in ctx.captured_queries]
    looked_up = any("JOIN surveys_respondentlist" in q and q.lstrip().startswith("SELECT") for q in sql)
    assert looked_up is not (hinted and connection.vendor == "postgresql")
    assert "Cảm ơn ông/bà" in client.get(url(token)).content.decode()


def test_both_paths_give_the_same_fingerprint(client, survey, invite, commune, agency_a, agency_b):
    tokens = [invite(commune, f"r{n}@example.vn")[1] for n in range(2)]
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit"}
    for n, token in enumerate(tokens):
        hint = hint_of(client.get(url(token)))
        assert client.post(url(token), data | ({"link": hint} if n == 0 else {})).status_code == 302
    first, second = (Response.objects.get(invitation__token_hash=selectors.token_hash(t)) for t in tokens)
    assert first.answers_digest == second.answers_digest and first.answers_data == second.answers_data
    assert (first.ip_hash, first.user_agent, first.rating_rows) == (second.ip_hash, second.user_agent, 4)


@on_postgresql
def test_a_saved_draft_is_sent_keeping_when_it_started(client, survey, invite, commune, agency_a, agency_b):
    slow, slow_token = invite(commune, "slow@example.vn")
    quick, quick_token = invite(commune, "quick@example.vn")
    for token in (slow_token, quick_token):
        client.post(reverse("surveys:answer_save", kwargs={"token": token}),
                    {f"q{survey.q1.pk}_a{agency_a.pk}": "D"})
    started = timezone.now() - timedelta(minutes=20)
    Response.objects.filter(invitation=slow).update(started_at=started)
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit", "link": f"{survey.ldx.pk}.{commune.pk}"}
    for token in (slow_token, quick_token):
        assert client.post(url(token), data).status_code == 302
    slow_response, quick_response = (Response.objects.get(invitation=i) for i in (slow, quick))
    assert Response.objects.filter(invitation__in=[slow, quick]).count() == 2  # the drafts, sent: none added
    assert slow_response.started_at == started and slow_response.flags == []
    assert quick_response.flags == ["too_fast"]
    assert selectors.stored_answers(response=slow_response)[(survey.q1.pk, agency_a.pk)] == ["A"]  # the page's


@pytest.mark.parametrize("case", ["other agency", "other group", "unknown group", "malformed"])
def test_a_wrong_hint_takes_the_general_path_and_still_sends(client, survey, invite, commune, agency_a, agency_b,
                                                             case):
    _invitation, token = invite(commune, "an@example.vn")
    hint = {"other agency": f"{survey.ldx.pk}.{agency_a.pk}", "other group": f"{survey.lds.pk}.{commune.pk}",
            "unknown group": f"999999.{commune.pk}", "malformed": "1.2.3"}[case]
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit", "link": hint}
    assert client.post(url(token), data).status_code == 302
    assert Response.objects.filter(invitation__token_hash=selectors.token_hash(token),
                                   submitted_at__isnull=False).count() == 1


def test_a_used_link_with_its_hint_shows_the_thanks_and_writes_nothing_more(client, survey, invite, commune,
                                                                           agency_a, agency_b):
    _invitation, token = invite(commune, "an@example.vn")
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit", "link": f"{survey.ldx.pk}.{commune.pk}"}
    assert client.post(url(token), data).status_code == 302
    sent = Response.objects.get(invitation__token_hash=selectors.token_hash(token))
    again = client.post(url(token), data | {f"q{survey.q1.pk}_a{agency_a.pk}": "D"})
    assert again.status_code == 200 and "Cảm ơn ông/bà" in again.content.decode()
    assert Response.objects.get(pk=sent.pk).answers_data == sent.answers_data


@pytest.mark.parametrize("case", ["window closed", "invitation voided", "campaign closed"])
def test_a_refused_link_with_its_hint_is_refused_as_without(client, survey, invite, commune, agency_a, agency_b,
                                                             case):
    invitation, token = invite(commune, "an@example.vn")
    if case == "window closed":
        survey.step.closes_at = timezone.now() - timedelta(minutes=1)
        survey.step.save()
    elif case == "invitation voided":
        Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.VOIDED)
    else:
        survey.campaign.status = survey.campaign.Status.CLOSED
        survey.campaign.save()
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit", "link": f"{survey.ldx.pk}.{commune.pk}"}
    assert client.post(url(token), data).status_code == 404
    assert not Response.objects.filter(invitation=invitation, submitted_at__isnull=False).exists()


def test_missing_rows_with_the_hint_are_shown_and_the_page_saved(client, survey, invite, commune, agency_a, agency_b):
    invitation, token = invite(commune, "an@example.vn")
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit", "link": f"{survey.ldx.pk}.{commune.pk}"}
    del data[f"q{survey.q2.pk}_a{agency_b.pk}"]
    r = client.post(url(token), data)
    assert r.status_code == 200 and f"#q{survey.q2.pk}_a{agency_b.pk}" in r.content.decode()
    draft = Response.objects.get(invitation=invitation)
    assert draft.submitted_at is None
    assert selectors.stored_answers(response=draft)[(survey.q1.pk, agency_a.pk)] == ["A"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_sent_pages_at_the_same_instant_give_one_response(survey, invite, commune, agency_a, agency_b):
    invitation, token = invite(commune, "an@example.vn")
    context = selectors.hinted_context(f"{survey.ldx.pk}.{commune.pk}")
    questionnaire = selectors.questionnaire_for(group=survey.ldx, respondent_agency=commune)
    page = QueryDict(mutable=True)
    page.update(full_answers(survey, [agency_a, agency_b], sex="B"))
    outcomes = []

    def send(barrier):
        barrier.wait(timeout=10)
        outcomes.append(services.response_submit_posted(token=token, context=context, questionnaire=questionnaire,
                                                        data=page, ip="198.51.100.7"))

    at_the_same_instant(send)
    assert len(outcomes) == 2 and sum(o is not None for o in outcomes) == 1
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.ANSWERED
