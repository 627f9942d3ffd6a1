"""Locks at each cutoff through the tick (scoring's services), told once to the agency and officers."""
from datetime import timedelta

import pytest
from django.core import mail

from campaigns.models import Extension, Step
from campaigns.services import extension_grant
from cchc_portal.automation.tick import tick_run
from cchc_portal.notifications.models import Notification, Outbox
from scoring.models import Assessment, ExplanationRequest

from .conftest import FUTURE, assessment_of

pytestmark = pytest.mark.django_db


def notices(user):
    return list(Outbox.objects.filter(to=user.email, template="notice").order_by("id"))


def status(campaign, agency):
    return assessment_of(campaign, agency).status


def test_the_tick_locks_at_the_cutoff_and_tells_the_agency_and_the_officers_once(
        future_campaign, agency_a, agency_b, staff_a, leader_a, staff_b, officer, django_capture_on_commit_callbacks):
    c = future_campaign
    tick_run(now=FUTURE - timedelta(seconds=1))
    assert status(c, agency_a) == status(c, agency_b) == Assessment.Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        run = tick_run(now=FUTURE)
    assert status(c, agency_a) == status(c, agency_b) == Assessment.Status.LOCKED
    assert assessment_of(c, agency_a).locked_at == FUTURE
    lock = next(r for r in run.results if r["name"] == "scoring.lock_overdue")
    assert lock["ok"] and lock["summary"].startswith("2 bản tự đánh giá bị khóa")
    [to_staff] = notices(staff_a)
    assert "[Đã khóa]" in to_staff.subject and "Sở Tài chính" in to_staff.subject
    assert "17:00 ngày 15/11/2030" in to_staff.context["text"]
    assert len(notices(leader_a)) == 1 and len(notices(staff_b)) == 1
    [digest] = notices(officer)
    assert digest.context["names"] == ["Sở Tài chính", "Sở Tư pháp"]
    assert Notification.objects.filter(user=staff_a, text__contains="đã bị khóa").count() == 1
    assert Notification.objects.filter(user=officer, text__contains="2 bản tự đánh giá").count() == 1
    sent = len(mail.outbox)
    assert sent >= 4
    with django_capture_on_commit_callbacks(execute=True):
        tick_run(now=FUTURE + timedelta(minutes=3))
        tick_run(now=FUTURE + timedelta(minutes=6))
    assert len(notices(staff_a)) == 1 and len(notices(officer)) == 1
    assert len(mail.outbox) == sent


def test_an_agency_with_an_extension_is_locked_at_its_own_deadline(
        future_campaign, agency_a, agency_b, staff_a, staff_b, officer):
    c = future_campaign
    step = c.steps.get(kind="self_assessment")
    Extension.objects.create(step=step, agency=agency_a, closes_at=FUTURE + timedelta(days=2), reason="Bão lũ",
                             granted_by=officer, granted_at=FUTURE - timedelta(days=3))
    tick_run(now=FUTURE)
    assert status(c, agency_a) == Assessment.Status.DRAFT
    assert status(c, agency_b) == Assessment.Status.LOCKED
    assert notices(staff_a) == [] and len(notices(staff_b)) == 1
    tick_run(now=FUTURE + timedelta(days=2) - timedelta(seconds=1))
    assert status(c, agency_a) == Assessment.Status.DRAFT
    tick_run(now=FUTURE + timedelta(days=2))
    assert status(c, agency_a) == Assessment.Status.LOCKED
    assert len(notices(staff_a)) == 1
    assert [n.context["names"] for n in notices(officer)] == [["Sở Tư pháp"], ["Sở Tài chính"]]


def test_a_submitted_assessment_is_not_locked(future_campaign, agency_a, agency_b, staff_a):
    Assessment.objects.filter(agency=agency_a).update(status=Assessment.Status.SUBMITTED)
    tick_run(now=FUTURE + timedelta(hours=1))
    assert status(future_campaign, agency_a) == Assessment.Status.SUBMITTED
    assert notices(staff_a) == []


def test_an_officer_reopens_by_an_extension_and_the_next_cutoff_is_told_again(
        future_campaign, agency_a, staff_a, officer):
    c = future_campaign
    tick_run(now=FUTURE)
    assert status(c, agency_a) == Assessment.Status.LOCKED
    extension_grant(step=c.steps.get(kind="self_assessment"), agency=agency_a, closes_at=FUTURE + timedelta(days=3),
                    reason="Đơn vị đề nghị bằng văn bản", user=officer, now=FUTURE + timedelta(hours=2))
    assert status(c, agency_a) == Assessment.Status.DRAFT
    tick_run(now=FUTURE + timedelta(days=1))
    assert status(c, agency_a) == Assessment.Status.DRAFT
    tick_run(now=FUTURE + timedelta(days=3))
    assert status(c, agency_a) == Assessment.Status.LOCKED
    assert len(notices(staff_a)) == 2  # one per lock


def test_an_explanation_request_past_its_due_time_is_closed_and_told_once(
        future_campaign, agency_a, staff_a, appraiser):
    a = assessment_of(future_campaign, agency_a)
    Assessment.objects.filter(pk=a.pk).update(status=Assessment.Status.EXPLANATION_REQUESTED)
    due = FUTURE + timedelta(days=10)
    request = ExplanationRequest.objects.create(assessment=a, question="Bổ sung quyết định ban hành kế hoạch",
                                                due_at=due, created_by=appraiser)
    tick_run(now=due - timedelta(seconds=1))
    request.refresh_from_db()
    assert request.status == ExplanationRequest.Status.OPEN
    run = tick_run(now=due)
    request.refresh_from_db()
    assert request.status == ExplanationRequest.Status.CLOSED
    closing = next(r for r in run.results if r["name"] == "scoring.explanation_close_overdue")
    assert closing["summary"].startswith("1 yêu cầu giải trình")
    assert [n.subject for n in notices(staff_a)] == ["[Hết hạn giải trình] Sở Tài chính"]
    assert len(notices(appraiser)) == 1
    tick_run(now=due + timedelta(minutes=5))
    assert len(notices(staff_a)) == 1 and len(notices(appraiser)) == 1


def test_explanation_reminders_follow_the_requests_due_time(future_campaign, agency_a, staff_a, appraiser):
    a = assessment_of(future_campaign, agency_a)
    Assessment.objects.filter(pk=a.pk).update(status=Assessment.Status.SUBMITTED)
    due = FUTURE + timedelta(days=10)
    Step.objects.create(campaign=future_campaign, kind="explanation", opens_at=FUTURE + timedelta(days=5),
                        closes_at=FUTURE + timedelta(days=20))
    ExplanationRequest.objects.create(assessment=a, question="Bổ sung minh chứng", due_at=due, created_by=appraiser,
                                      created_at=FUTURE)
    tick_run(now=due - timedelta(days=3))
    [row] = Outbox.objects.filter(to=staff_a.email, template="reminder")
    assert row.context["step"] == "Giải trình, bổ sung tài liệu" and "còn 3 ngày" in row.subject
