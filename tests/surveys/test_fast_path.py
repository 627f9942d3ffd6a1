"""The respondent's hot path: answers as one document a response, the counted rows written
from it (the tick and the points), the cached answer context, the lean lookup and the
submission's statements, and a response made by a save while a submission was on its way."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from campaigns.models import Extension
from surveys import answers as docs
from surveys import automation, selectors, services
from surveys.models import Answer, Invitation, Response, SurveyVoid

from .conftest import full_answers
from .helpers import submit

pytestmark = pytest.mark.django_db


def url(token):
    return reverse("surveys:answer", kwargs={"token": token})


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
    point = selectors.survey_points(campaign=survey.campaign)[(agency_a.pk, survey.dept["8.1"].pk)]
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
    services.agency_survey_void(campaign=survey.campaign, agency=commune, reason="Can thiệp", user=officer)
    late = submit(survey, invite(commune, "b@example.vn")[0], {agency_a: "A", agency_b: "B"})
    Response.objects.filter(pk=late.pk).update(voided=False, void_reason="")  # as a cached context would leave it
    docs.expand_pending()
    assert Response.objects.get(pk=first.pk).voided and Response.objects.get(pk=late.pk).voided


def test_a_question_with_saved_answers_cannot_be_deleted(survey, invite, commune, agency_a, officer):
    from cchc_portal.core.exceptions import ConflictError

    invitation, _ = invite(commune, "an@example.vn")
    services.response_save(invitation=invitation, answers={(survey.q2.pk, agency_a.pk): ["A"]})
    with pytest.raises(ConflictError):
        services.question_delete(question=survey.q2, user=officer)
    services.question_delete(question=survey.q4, user=officer)  # nobody answered it


# ---------------------------------------------------------------- the answer context


def test_the_context_is_kept_for_its_seconds_and_the_deadline_still_holds(client, survey, invite, commune,
                                                                           officer, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(selectors, "_CONTEXTS", {})
    invitation, token = invite(commune, "an@example.vn")
    with override_settings(SURVEY_CONTEXT_CACHE_SECONDS=5):
        assert client.get(url(token)).status_code == 200
        survey.step.closes_at = timezone.now() - timedelta(minutes=1)  # an officer closes the step early
        survey.step.save()
        assert client.get(url(token)).status_code == 200  # within the cache's seconds
        clock[0] += 5
        assert client.get(url(token)).status_code == 404  # then it holds
        Extension.objects.create(step=survey.step, agency=commune, closes_at=timezone.now() + timedelta(days=1),
                                 reason="Bão lũ", granted_by=officer, granted_at=timezone.now())
        clock[0] += 5
        assert client.get(url(token)).status_code == 200
    with override_settings(SURVEY_CONTEXT_CACHE_SECONDS=5):
        context = selectors.answer_context(campaign_id=survey.campaign.pk, group_id=survey.ldx.pk,
                                           agency_id=commune.pk)
        # the closing moment is checked against the clock on every request, cached or not
        with pytest.raises(services.DeadlineError):
            services.check_answer_window(invitation=invitation, window=context.window,
                                         now=context.window.closes_at + timedelta(seconds=1))


# ---------------------------------------------------------------- the lookup and the statements


def test_a_submission_takes_a_lookup_and_one_write_once_the_context_is_kept(client, survey, invite, commune,
                                                                            agency_a, agency_b,
                                                                            django_assert_max_num_queries,
                                                                            monkeypatch):
    monkeypatch.setattr(selectors, "_CONTEXTS", {})
    _first, warm = invite(commune, "warm@example.vn")
    invitation, token = invite(commune, "an@example.vn")
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit"}
    with override_settings(SURVEY_CONTEXT_CACHE_SECONDS=60):
        client.get(url(warm))  # the process now keeps the campaign's context and the questionnaire
        client.post(reverse("surveys:answer_save", kwargs={"token": warm}), {})  # a posted form's lookup prepared
        # PostgreSQL: the lookup and one statement (in a test's transaction, plus a savepoint's
        # two); SQLite: the lookup, the claim and the insert in a savepoint
        with django_assert_max_num_queries(5) as ctx:
            r = client.post(url(token), data)
    assert r.status_code == 302
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "surveys_answer" not in sql  # no row per answer on the respondent's path
    response = Response.objects.get(invitation=invitation)
    assert response.submitted_at and response.answers_pending and response.rating_rows == 4
    assert selectors.stored_answers(response=response)[(survey.q1.pk, agency_a.pk)] == ["A"]


def test_a_posted_form_is_looked_up_without_the_draft_and_a_refused_one_still_shows_it(client, survey, invite,
                                                                                       commune, agency_a, agency_b,
                                                                                       settings):
    settings.SURVEY_PREPARED_STATEMENTS = False  # the statements' text in the captured queries
    _invitation, token = invite(commune, "an@example.vn")
    client.post(reverse("surveys:answer_save", kwargs={"token": token}), {f"q{survey.q1.pk}_a{agency_a.pk}": "D"})
    data = full_answers(survey, [agency_a, agency_b]) | {"action": "submit"}
    with CaptureQueriesContext(connection) as ctx:
        refused = client.post(url(token), {**data, f"q{survey.q1.pk}_a{agency_a.pk}": "Z"})  # not an option
    lookup = next(q["sql"] for q in ctx.captured_queries if "surveys_invitation" in q["sql"])
    assert "answers_data" not in lookup and "full_name" not in lookup  # a posted form does not read the draft
    assert refused.status_code == 400
    assert "Câu trả lời không hợp lệ" in refused.content.decode()
    # the page shown again holds the saved draft (read only now)
    assert f'name="q{survey.q1.pk}_a{agency_a.pk}" value="D" checked' in refused.content.decode()
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url(token))
    lookup = next(q["sql"] for q in ctx.captured_queries if "surveys_invitation" in q["sql"])
    assert page.status_code == 200 and "answers_data" in lookup  # a page shown reads it with the link
    assert f'name="q{survey.q1.pk}_a{agency_a.pk}" value="D" checked' in page.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_the_lookup_is_prepared_once_per_connection(survey, invite, commune):
    _invitation, token = invite(commune, "an@example.vn")
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            assert selectors.invitation_by_token(token)[0] is not None
    sql = [q["sql"] for q in ctx.captured_queries if "survey_link" in q["sql"]]
    assert sum(s.startswith("PREPARE") for s in sql) <= 1 and sum(s.startswith("EXECUTE") for s in sql) == 3
    with override_settings(SURVEY_PREPARED_STATEMENTS=False), CaptureQueriesContext(connection) as ctx:
        assert selectors.invitation_by_token(token)[0] is not None
    assert not any(q["sql"].startswith(("PREPARE", "EXECUTE")) for q in ctx.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the kept cursor is PostgreSQL's")
def test_the_hot_path_keeps_one_cursor_a_connection_and_a_fresh_one_where_queries_are_logged(survey, invite,
                                                                                            commune):
    from surveys import sql

    _invitation, token = invite(commune, "an@example.vn")
    assert selectors.invitation_by_token(token)[0] is not None
    kept = sql.cursor()
    assert sql.cursor() is kept and not kept.cursor.closed
    with CaptureQueriesContext(connection) as ctx:
        assert sql.cursor() is not kept  # a logging cursor, so that counted queries are seen
        assert selectors.invitation_by_token(token)[0] is not None
    assert any("survey_link" in q["sql"] for q in ctx.captured_queries)


def test_a_response_made_by_a_save_on_the_way_is_updated_not_doubled(survey, invite, commune, agency_a, agency_b):
    invitation, token = invite(commune, "an@example.vn")
    stale, _replaced = selectors.invitation_by_token(token)  # read before the save: no response yet
    services.response_save(invitation=selectors.invitation_by_token(token)[0],
                           answers={(survey.q1.pk, agency_a.pk): ["D"]},
                           now=timezone.now() - timedelta(minutes=20))
    questionnaire = selectors.questionnaire_for(group=survey.ldx, respondent_agency=commune)
    answers = {(q.pk, a.pk): ["A"] for q in (survey.q1, survey.q2) for a in (agency_a, agency_b)}
    answers[(survey.q3.pk, None)] = ["B"]
    sent = services.response_submit(invitation=stale, questionnaire=questionnaire, answers=answers,
                                    replace_all=True)
    response = Response.objects.get(invitation=invitation)
    assert sent.pk == response.pk and Response.objects.count() == 1
    assert response.submitted_at is not None and not response.flags  # timed from the save, twenty minutes
    assert selectors.stored_answers(response=response)[(survey.q1.pk, agency_a.pk)] == ["A"]
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.ANSWERED


def test_a_voided_agencys_new_response_is_marked_at_once(survey, invite, commune, agency_a, agency_b, officer):
    services.agency_survey_void(campaign=survey.campaign, agency=commune, reason="Can thiệp", user=officer)
    assert SurveyVoid.objects.filter(agency=commune).exists()
    response = submit(survey, invite(commune, "an@example.vn")[0], {agency_a: "A", agency_b: "B"})
    assert Response.objects.get(pk=response.pk).voided
