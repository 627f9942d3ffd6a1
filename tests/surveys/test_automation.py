"""The survey in the periodic tick: invitations when the survey step opens, reminders to
respondents who have not answered (without any personal link) and to agencies whose list
is not sent."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cchc_portal.automation.tick import tick_run
from cchc_portal.notifications import registry
from cchc_portal.notifications.models import Outbox
from surveys import automation
from surveys.models import Invitation, RespondentList
from surveys.services.lists import respondent_add

from .helpers import submit

pytestmark = pytest.mark.django_db


def test_the_survey_registers_its_due_work_and_reminder_sources():
    assert ("surveys.invitations_due", automation.invitations_due) in registry.due_work()
    assert ("surveys.integrity_scan", automation.integrity_scan) in registry.due_work()
    assert registry.reminder_source("survey") is automation.survey_due
    assert registry.reminder_source("respondent_lists") is automation.lists_due


def test_the_tick_invites_approved_respondents_once_the_step_opens(survey, commune):
    respondent_add(campaign=survey.campaign, agency=commune, user=None, full_name="An", email="an@example.vn",
                   group=survey.ldx)
    RespondentList.objects.update(status=RespondentList.Status.APPROVED)
    tick_run(now=survey.step.opens_at - timedelta(minutes=1))
    assert not Invitation.objects.exists()
    tick_run(now=survey.step.opens_at + timedelta(minutes=1))
    tick_run(now=survey.step.opens_at + timedelta(minutes=2))
    assert Invitation.objects.count() == 1
    assert Outbox.objects.filter(to="an@example.vn", template="survey_invitation").count() == 1


def test_respondents_who_have_not_answered_are_reminded_without_a_personal_link(survey, invite, commune, agency_a,
                                                                                 agency_b):
    waiting, token = invite(commune, "cho@example.vn", name="Người chưa trả lời")
    done, _ = invite(commune, "xong@example.vn")
    submit(survey, done, {agency_a: "A", agency_b: "A"}, now=timezone.now() - timedelta(hours=2))
    targets = list(automation.survey_due(survey.campaign, timezone.now()))
    assert [t.key for t in targets] == [f"respondent:{waiting.respondent_id}"]
    assert targets[0].deadline == survey.step.closes_at
    three_days_before = survey.step.closes_at - timedelta(days=3) + timedelta(minutes=1)
    tick_run(now=three_days_before)
    [row] = Outbox.objects.filter(to="cho@example.vn", template="reminder")
    assert row.context["url"].endswith(reverse("surveys:link_request"))
    assert token not in str(row.context)
    assert not Outbox.objects.filter(to="xong@example.vn", template="reminder").exists()


def test_agencies_that_have_not_sent_their_list_are_reminded(survey, commune, commune_staff, agency_a, staff_a):
    respondent_add(campaign=survey.campaign, agency=agency_a, user=None, full_name="Đã gửi",
                   email="gd@example.vn", group=survey.lds)
    RespondentList.objects.update(status=RespondentList.Status.SENT)
    keys = {t.key for t in automation.lists_due(survey.campaign, timezone.now())}
    assert f"agency:{commune.pk}" in keys and f"agency:{agency_a.pk}" not in keys
    tick_run(now=timezone.now())
    assert Outbox.objects.filter(to=commune_staff.email, template="reminder").exists()
    assert not Outbox.objects.filter(to=staff_a.email, template="reminder", subject__contains="danh sách").exists()
