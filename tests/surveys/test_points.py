"""Survey points by hand: max × average weight of valid answers, "don't know" left out,
half-up to 2 places; too few answers flagged (None), never a silent zero."""
from decimal import Decimal

import pytest

from surveys.selectors import questionnaire as questionnaire_selectors
from surveys.selectors.points import survey_points, survey_points_for_agency
from surveys.services import answering as answering_services
from surveys.services import integrity as integrity_services

from .helpers import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def four_answers(survey, invite, commune, agency_a, agency_b):
    """Four commune leaders rate SA on question 1 with A, B, E, D; SB always "don't know"."""
    responses = []
    for n, option in enumerate("ABED"):
        invitation, _ = invite(commune, f"ld{n}@example.vn")
        responses.append(submit(survey, invitation, {agency_a: option, agency_b: "E"}, q2="A", ip=f"198.51.100.{n}"))
    return responses


def test_points_by_hand(survey, four_answers, agency_a, agency_b):
    points = survey_points(campaign=survey.campaign)
    sa_81 = points[(agency_a.pk, survey.dept["8.1"].pk)]
    assert sa_81.points == Decimal("2.67")  # (100 + 60 + 0) / 3 % × 5 = 2.666… → 2.67
    assert (sa_81.answers, sa_81.respondents, sa_81.flagged_too_few) == (3, 3, False)
    assert sa_81.average_pct == Decimal("53.33")
    sa_82 = points[(agency_a.pk, survey.dept["8.2"].pk)]
    assert sa_82.points == Decimal("5.00") and sa_82.answers == 4
    sb_81 = points[(agency_b.pk, survey.dept["8.1"].pk)]
    assert sb_81.points is None and sb_81.flagged_too_few and sb_81.answers == 0
    assert (agency_a.pk, survey.dept["9.1"].pk) not in points  # not a survey leaf


def test_too_few_answers_are_flagged_not_zero(survey, invite, commune, agency_a, agency_b):
    for n, option in enumerate("AD"):
        invitation, _ = invite(commune, f"ld{n}@example.vn")
        submit(survey, invitation, {agency_a: option, agency_b: "D"}, ip=f"198.51.100.{n}")
    point = survey_points(campaign=survey.campaign)[(agency_a.pk, survey.dept["8.1"].pk)]
    assert point.points is None and point.flagged_too_few and point.answers == 2


def test_every_covered_agency_appears_even_without_answers(survey, commune):
    points = survey_points(campaign=survey.campaign)
    commune_81 = points[(commune.pk, survey.com["8.1"].pk)]
    assert commune_81.points is None and commune_81.flagged_too_few and commune_81.answers == 0


def test_unsubmitted_and_voided_answers_do_not_count(survey, four_answers, invite, commune, agency_a, agency_b,
                                                     officer):
    invitation, _ = invite(commune, "dang.tra.loi@example.vn")
    answering_services.response_save(invitation=invitation, answers={(survey.q1.pk, agency_a.pk): ["D"]})
    assert survey_points(campaign=survey.campaign)[(agency_a.pk, survey.dept["8.1"].pk)].points == Decimal("2.67")
    integrity_services.response_void(response=four_answers[1], reason="Trả lời hộ", user=officer)  # the B answer
    point = survey_points(campaign=survey.campaign)[(agency_a.pk, survey.dept["8.1"].pk)]
    assert point.points is None and point.flagged_too_few and point.answers == 2  # A and D: 2 of 3 needed


def test_an_agency_whose_result_is_voided_counts_for_nothing(survey, four_answers, commune, agency_a, officer):
    integrity_services.agency_survey_void(campaign=survey.campaign, agency=commune, reason="Can thiệp", user=officer)
    point = survey_points(campaign=survey.campaign)[(agency_a.pk, survey.dept["8.1"].pk)]
    assert point.points is None and point.answers == 0


def test_points_for_one_agency_by_code(survey, four_answers, agency_a):
    mine = survey_points_for_agency(campaign=survey.campaign, agency=agency_a)
    assert set(mine) == {"8.1", "8.2"}
    assert mine["8.1"].points == Decimal("2.67") and mine["8.2"].points == Decimal("5.00")


def test_two_questions_on_one_criterion_pool_their_answers(survey, invite, commune, agency_a, agency_b):
    from .conftest import _question

    _question(survey.ldx, "5", "rating", "Thái độ phục vụ", criterion=survey.dept["8.1"])
    for n, (first, second) in enumerate([("A", "C"), ("B", "B"), ("A", "E")]):
        invitation, _ = invite(commune, f"ld{n}@example.vn")
        questionnaire = questionnaire_selectors.questionnaire_for(group=survey.ldx, respondent_agency=commune)
        answers = {(q.pk, a.pk): [first if q.number == "1" else second if q.number == "5" else "A"]
                   for q in questionnaire.questions if q.kind == "rating" for a in questionnaire.rated}
        answers[(survey.q3.pk, None)] = ["A"]
        answering_services.response_save(invitation=invitation, answers=answers)
        answering_services.response_submit(invitation=invitation, questionnaire=questionnaire, ip=f"198.51.100.{n}")
    point = survey_points(campaign=survey.campaign)[(agency_a.pk, survey.dept["8.1"].pk)]
    # A, B, A, C, B (E left out) = 100 + 60 + 100 + 20 + 60 = 340 / 5 = 68 % of 5 = 3.40
    assert point.points == Decimal("3.40") and point.answers == 5 and point.respondents == 3


def test_points_take_a_fixed_number_of_queries(survey, four_answers, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):  # the sent responses' rows are written first, in one batch
        survey_points(campaign=survey.campaign)
    with django_assert_max_num_queries(7):
        survey_points(campaign=survey.campaign)
