"""The respondent's path: answers as one document a response, the counted rows written from
it (the tick and the points), one window rule, the queries a page takes, and a response
made by a save while a submission was on its way."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from campaigns.models import Extension
from surveys import answers as docs
from surveys import automation
from surveys.models import Answer, Invitation, Response, SurveyVoid
from surveys.selectors import answering as answering_selectors
from surveys.selectors import points as point_selectors
from surveys.selectors import questionnaire as questionnaire_selectors
from surveys.services import answering as answering_services
from surveys.services import integrity as integrity_services
from surveys.services import questionnaire as questionnaire_services
from surveys.tokens import token_hash

from .conftest import full_answers
from .helpers import answer_url, submit

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- the document

_matrix = st.dictionaries(st.tuples(st.integers(1, 250), st.integers(1, 500)), st.sampled_from("ABCDE").map(
    lambda key: [key]))  # a matrix row holds one option
_others = st.dictionaries(st.tuples(st.integers(251, 500), st.none()),
                          st.one_of(st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=3, unique=True),
                                    st.text(min_size=1, max_size=20).filter(str.strip)))


@given(_matrix, _others)
@hypothesis_settings(deadline=None)  # the first example pays for imports on a busy CI machine
def test_a_document_gives_back_the_answers_it_was_made_of(matrix, others):
    answers = matrix | others
    assert docs.from_data(docs.to_data(answers)) == answers


def test_a_partial_save_replaces_what_it_names_and_an_empty_value_clears():
    data = docs.to_data({(1, 7): ["A"], (1, 8): ["B"], (2, None): ["A", "C"], (3, None): "ý kiến"})
    merged = docs.to_data({(1, 7): ["D"], (2, None): [], (3, None): "  "}, data)
    assert docs.from_data(merged) == {(1, 7): ["D"], (1, 8): ["B"]}
    assert docs.from_data(data)[(1, 7)] == ["A"]  # the stored document itself is not changed
    assert docs.to_data({(1, 7): [], (1, 8): []}, data).get("1") is None  # no empty matrix left behind


# ---------------------------------------------------------------- the counted rows


def test_a_submission_writes_one_row_and_the_points_write_its_answers_first(survey, invite, commune, agency_a,
                                                                            agency_b):
    responses = [submit(survey, invite(commune, f"r{n}@example.vn")[0], {agency_a: option, agency_b: "E"})
                 for n, option in enumerate("AAB")]
    assert all(r.answers_pending for r in responses) and not Answer.objects.exists()
    point = point_selectors.survey_points(campaign=survey.campaign)[(agency_a.pk, survey.dept["8.1"].pk)]
    # (100 + 100 + 60) / 3 % of 5 points = 4.33, without waiting for the tick
    assert point.points == Decimal("4.33") and point.respondents == 3
    assert not Response.objects.filter(answers_pending=True).exists()
    assert Answer.objects.filter(response=responses[0]).count() == 2 * 2 + 1  # two matrices of two, one choice


def test_writing_the_rows_out_is_idempotent_and_leaves_out_what_no_longer_exists(survey, invite, commune, agency_a,
                                                                                agency_b):
    response = submit(survey, invite(commune, "an@example.vn")[0], {agency_a: "A", agency_b: "B"})
    Response.objects.filter(pk=response.pk).update(answers_data={**response.answers_data, "999999": ["A"]},
                                                   answers_pending=True)
    assert docs.expand_pending() == 1
    rows = sorted(Answer.objects.filter(response=response).values_list("question_id", "rated_agency_id", "option"))
    Response.objects.filter(pk=response.pk).update(answers_pending=True)  # as if a run were cut short
    assert docs.expand_pending() == 1 and docs.expand_pending() == 0
    assert sorted(Answer.objects.filter(response=response).values_list("question_id", "rated_agency_id",
                                                                       "option")) == rows
    assert (survey.q1.pk, agency_a.pk, "A") in rows and all(q != 999999 for q, _a, _o in rows)


def test_the_tick_writes_the_rows_of_sent_responses(survey, invite, commune, agency_a, agency_b):
    submit(survey, invite(commune, "an@example.vn")[0], {agency_a: "A", agency_b: "B"})
    assert automation.answers_expand(timezone.now()).startswith("1 ")
    assert Answer.objects.filter(question=survey.q1).count() == 2


def test_a_response_sent_just_after_its_agency_was_voided_is_voided_when_written_out(survey, invite, commune,
                                                                                     agency_a, agency_b, officer):
    first = submit(survey, invite(commune, "a@example.vn")[0], {agency_a: "A", agency_b: "B"})
    integrity_services.agency_survey_void(campaign=survey.campaign, agency=commune, reason="Can thiệp", user=officer)
    late = submit(survey, invite(commune, "b@example.vn")[0], {agency_a: "A", agency_b: "B"})
    Response.objects.filter(pk=late.pk).update(voided=False, void_reason="")  # a submission that raced the void
    docs.expand_pending()
    assert Response.objects.get(pk=first.pk).voided and Response.objects.get(pk=late.pk).voided


def test_a_question_with_saved_answers_cannot_be_deleted(survey, invite, commune, agency_a, officer):
    from cchc_portal.core.exceptions import ConflictError

    invitation, _ = invite(commune, "an@example.vn")
    answering_services.response_save(invitation=invitation, answers={(survey.q2.pk, agency_a.pk): ["A"]})
    with pytest.raises(ConflictError):
        questionnaire_services.question_delete(question=survey.q2, user=officer)
    questionnaire_services.question_delete(question=survey.q4, user=officer)  # nobody answered it


# ---------------------------------------------------------------- one plain path


def test_an_officers_change_of_the_window_reaches_the_next_request(client, survey, invite, commune, officer):
    _invitation, token = invite(commune, "an@example.vn")
    assert client.get(answer_url(token)).status_code == 200
    survey.step.closes_at = timezone.now() - timedelta(minutes=1)  # an officer closes the step early
    survey.step.save()
    assert client.get(answer_url(token)).status_code == 404  # nothing kept in the process
    Extension.objects.create(step=survey.step, agency=commune, closes_at=timezone.now() + timedelta(days=1),
                             reason="Bão lũ", granted_by=officer, granted_at=timezone.now())
    assert client.get(answer_url(token)).status_code == 200


def test_the_window_is_one_rule_for_the_page_and_the_services(survey, invite, commune):
    invitation, _token = invite(commune, "an@example.vn")
    window = answering_services.check_answer_window(invitation=invitation)
    with pytest.raises(answering_services.DeadlineError):
        answering_services.check_answer_window(invitation=invitation, now=window.closes_at)
    with pytest.raises(answering_services.NotYetOpen):
        answering_services.check_answer_window(invitation=invitation, now=window.opens_at - timedelta(seconds=1))
    with pytest.raises(answering_services.DeadlineError):
        answering_services.response_save(invitation=invitation, answers={}, now=window.closes_at + timedelta(seconds=1))


def test_a_page_shown_saved_and_sent_take_few_queries(client, survey, invite, commune, agency_a, agency_b,
                                                      django_assert_max_num_queries):
    invitation, token = invite(commune, "an@example.vn")
    with django_assert_max_num_queries(12):
        assert client.get(answer_url(token)).status_code == 200
    with django_assert_max_num_queries(12):
        saved = client.post(reverse("surveys:answer_save", kwargs={"token": token}),
                            {f"q{survey.q1.pk}_a{agency_a.pk}": "D"})
    assert saved.status_code == 200
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit"}
    with django_assert_max_num_queries(16) as ctx:
        assert client.post(answer_url(token), data).status_code == 302
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "surveys_answer\"" not in sql and "surveys_answer " not in sql  # no row per answer on the path
    response = Response.objects.get(invitation=invitation)
    assert response.submitted_at and response.answers_pending and response.rating_rows == 4
    assert answering_selectors.stored_answers(response=response)[(survey.q1.pk, agency_a.pk)] == ["A"]


def test_a_refused_page_shows_the_saved_draft(client, survey, invite, commune, agency_a, agency_b):
    _invitation, token = invite(commune, "an@example.vn")
    client.post(reverse("surveys:answer_save", kwargs={"token": token}), {f"q{survey.q1.pk}_a{agency_a.pk}": "D"})
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit"}
    refused = client.post(answer_url(token), {**data, f"q{survey.q1.pk}_a{agency_a.pk}": "Z"})  # not an option
    assert refused.status_code == 400
    assert "Câu trả lời không hợp lệ" in refused.content.decode()
    assert f'name="q{survey.q1.pk}_a{agency_a.pk}" value="D" checked' in refused.content.decode()


def test_a_saved_draft_is_sent_keeping_when_it_started(client, survey, invite, commune, agency_a, agency_b):
    slow, slow_token = invite(commune, "slow@example.vn")
    quick, quick_token = invite(commune, "quick@example.vn")
    for token in (slow_token, quick_token):
        client.post(reverse("surveys:answer_save", kwargs={"token": token}),
                    {f"q{survey.q1.pk}_a{agency_a.pk}": "D"})
    started = timezone.now() - timedelta(minutes=20)
    Response.objects.filter(invitation=slow).update(started_at=started)
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit"}
    for token in (slow_token, quick_token):
        assert client.post(answer_url(token), data).status_code == 302
    slow_response, quick_response = (Response.objects.get(invitation=i) for i in (slow, quick))
    assert Response.objects.filter(invitation__in=[slow, quick]).count() == 2  # the drafts, sent: none added
    assert slow_response.started_at == started and slow_response.flags == []
    assert quick_response.flags == ["too_fast"]
    # the page's answers, not the draft's
    assert answering_selectors.stored_answers(response=slow_response)[(survey.q1.pk, agency_a.pk)] == ["A"]


def test_two_respondents_with_the_same_page_get_the_same_fingerprint(client, survey, invite, commune, agency_a,
                                                                    agency_b):
    tokens = [invite(commune, f"r{n}@example.vn")[1] for n in range(2)]
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit"}
    for token in tokens:
        assert client.post(answer_url(token), data).status_code == 302
    first, second = (Response.objects.get(invitation__token_hash=token_hash(t)) for t in tokens)
    assert first.answers_digest and first.answers_digest == second.answers_digest
    assert first.answers_data == second.answers_data and first.rating_rows == second.rating_rows == 4


def test_a_used_link_shows_the_thanks_and_writes_nothing_more(client, survey, invite, commune, agency_a, agency_b):
    _invitation, token = invite(commune, "an@example.vn")
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit"}
    assert client.post(answer_url(token), data).status_code == 302
    sent = Response.objects.get(invitation__token_hash=token_hash(token))
    again = client.post(answer_url(token), data | {f"q{survey.q1.pk}_a{agency_a.pk}": "D"})
    assert again.status_code == 200 and "Cảm ơn ông/bà" in again.content.decode()
    assert Response.objects.get(pk=sent.pk).answers_data == sent.answers_data


@pytest.mark.parametrize("case", ["window closed", "invitation voided", "campaign closed"])
def test_a_refused_link_writes_nothing(client, survey, invite, commune, agency_a, agency_b, case):
    invitation, token = invite(commune, "an@example.vn")
    if case == "window closed":
        survey.step.closes_at = timezone.now() - timedelta(minutes=1)
        survey.step.save()
    elif case == "invitation voided":
        Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.VOIDED)
    else:
        survey.campaign.status = survey.campaign.Status.CLOSED
        survey.campaign.save()
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit"}
    assert client.post(answer_url(token), data).status_code == 404
    assert not Response.objects.filter(invitation=invitation, submitted_at__isnull=False).exists()


def test_missing_rows_are_shown_and_the_page_saved(client, survey, invite, commune, agency_a, agency_b):
    invitation, token = invite(commune, "an@example.vn")
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit"}
    del data[f"q{survey.q2.pk}_a{agency_b.pk}"]
    r = client.post(answer_url(token), data)
    assert r.status_code == 200 and f"#q{survey.q2.pk}_a{agency_b.pk}" in r.content.decode()
    draft = Response.objects.get(invitation=invitation)
    assert draft.submitted_at is None
    assert answering_selectors.stored_answers(response=draft)[(survey.q1.pk, agency_a.pk)] == ["A"]


def test_a_response_made_by_a_save_on_the_way_is_updated_not_doubled(survey, invite, commune, agency_a, agency_b):
    invitation, token = invite(commune, "an@example.vn")
    stale, _replaced = answering_selectors.invitation_by_token(token)  # read before the save: no response yet
    answering_services.response_save(invitation=answering_selectors.invitation_by_token(token)[0],
                                     answers={(survey.q1.pk, agency_a.pk): ["D"]},
                                     now=timezone.now() - timedelta(minutes=20))
    assert answering_selectors.invitation_response(stale) is None
    questionnaire = questionnaire_selectors.questionnaire_for(group=survey.ldx, respondent_agency=commune)
    answers = {(q.pk, a.pk): ["A"] for q in (survey.q1, survey.q2) for a in (agency_a, agency_b)}
    answers[(survey.q3.pk, None)] = ["B"]
    sent = answering_services.response_submit(invitation=stale, questionnaire=questionnaire, answers=answers,
                                              replace_all=True)
    response = Response.objects.get(invitation=invitation)
    assert sent.pk == response.pk and Response.objects.count() == 1
    assert response.submitted_at is not None and not response.flags  # timed from the save, twenty minutes
    assert answering_selectors.stored_answers(response=response)[(survey.q1.pk, agency_a.pk)] == ["A"]
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.ANSWERED


def test_a_voided_agencys_new_response_is_marked_at_once(survey, invite, commune, agency_a, agency_b, officer):
    integrity_services.agency_survey_void(campaign=survey.campaign, agency=commune, reason="Can thiệp", user=officer)
    assert SurveyVoid.objects.filter(agency=commune).exists()
    response = submit(survey, invite(commune, "an@example.vn")[0], {agency_a: "A", agency_b: "B"})
    assert Response.objects.get(pk=response.pk).voided
