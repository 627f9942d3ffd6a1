"""A campaign with a survey: lists and answering windows open around now, survey leaves in
the department and commune criteria sets, and two respondent groups with questionnaires.

- LDX "Lãnh đạo UBND cấp xã" rates departments (SA, SB): q1 rating → 8.1 (5 points),
  q2 rating → 8.2 (5 points), q3 single choice, q4 short text (optional).
- LDS "Lãnh đạo cấp sở" rates communes (XA): q1 rating → commune 8.1 (4 points).
"""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone

from surveys.models import Invitation, Question, RespondentGroup, RespondentList
from surveys.options import DEFAULT_RATING
from surveys.services.lists import respondent_add
from surveys.tokens import new_token, token_hash
from tests.factories import StepFactory, group
from tests.scoring.factories import CriteriaSetFactory, build_tree


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # rate-limit counters live in the cache
    yield
    cache.clear()


def _question(group_obj, number, kind, text, *, criterion=None, options=None, required=True, section="Chung"):
    if options is None:
        options = [dict(o) for o in DEFAULT_RATING] if kind == "rating" else []
    return Question.objects.create(group=group_obj, number=number, kind=kind, text=text, criterion=criterion,
                                   options=options, required=required, section=section, order=int(number))


@pytest.fixture
def survey(campaign, agency_a, agency_b, commune):
    now = timezone.now()
    lists_step = StepFactory(campaign=campaign, kind="respondent_lists", opens_at=now - timedelta(days=5),
                             closes_at=now + timedelta(days=2))
    survey_step = StepFactory(campaign=campaign, kind="survey", opens_at=now - timedelta(days=1),
                              closes_at=now + timedelta(days=5))
    dept_set = CriteriaSetFactory(campaign=campaign, group=group("department"))
    dept = build_tree(dept_set, [("8", "10"), ("8.1", "5", "survey"), ("8.2", "5", "survey"), ("9", "1"),
                                 ("9.1", "1", "manual")])
    com_set = CriteriaSetFactory(campaign=campaign, group=group("commune"))
    com = build_tree(com_set, [("8", "4"), ("8.1", "4", "survey")])
    ldx = RespondentGroup.objects.create(campaign=campaign, code="LDX", name="Lãnh đạo UBND cấp xã",
                                         rates_group=group("department"), form_code="Phiếu 03", min_answers=3)
    lds = RespondentGroup.objects.create(campaign=campaign, code="LDS", name="Lãnh đạo cấp sở",
                                         rates_group=group("commune"), form_code="Phiếu 01", min_answers=1)
    q1 = _question(ldx, "1", "rating", "Công tác chỉ đạo, điều hành cải cách hành chính", criterion=dept["8.1"],
                   section="Chỉ đạo, điều hành")
    q2 = _question(ldx, "2", "rating", "Giải quyết thủ tục hành chính", criterion=dept["8.2"], section="Thủ tục")
    q3 = _question(ldx, "3", "single", "Giới tính", options=[{"key": "A", "label": "Nam", "weight": None},
                                                            {"key": "B", "label": "Nữ", "weight": None}],
                   section="Thông tin chung")
    q4 = _question(ldx, "4", "text", "Góp ý khác", required=False, section="Thông tin chung")
    s1 = _question(lds, "1", "rating", "Mức độ hài lòng với UBND cấp xã", criterion=com["8.1"])
    return SimpleNamespace(campaign=campaign, lists_step=lists_step, step=survey_step, ldx=ldx, lds=lds,
                           q1=q1, q2=q2, q3=q3, q4=q4, s1=s1, dept=dept, com=com)


@pytest.fixture
def invite(survey):
    """`invite(agency, email, group=LDX)` → (invitation, token): a respondent on an approved
    list with a sent invitation whose token the test knows."""
    def make(agency, email, group_obj=None, name="Người trả lời"):
        respondent = respondent_add(campaign=survey.campaign, agency=agency, user=None, full_name=name,
                                    email=email, group=group_obj or survey.ldx, position="Chủ tịch")
        RespondentList.objects.filter(pk=respondent.respondent_list_id).update(status=RespondentList.Status.APPROVED)
        token = new_token()
        invitation = Invitation.objects.create(respondent=respondent, token_hash=token_hash(token),
                                               status=Invitation.Status.SENT, sent_at=timezone.now())
        return invitation, token
    return make


def full_answers(survey, agencies, *, q1="A", q2="B", sex="A", text=""):
    """A complete LDX page as the form posts it."""
    data = {f"q{survey.q3.pk}": sex, f"q{survey.q4.pk}": text}
    for a in agencies:
        data[f"q{survey.q1.pk}_a{a.pk}"] = q1
        data[f"q{survey.q2.pk}_a{a.pk}"] = q2
    return data
