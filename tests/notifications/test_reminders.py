"""Reminders: offsets against each agency's effective deadline in Vietnam time, once each."""
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction

from campaigns.models import Campaign, Extension, Step
from campaigns.services import extension_grant
from cchc_portal.automation.models import Reminder, ReminderPolicy
from cchc_portal.automation.reminders import (
    current_slot,
    parse_offsets,
    reminder_policies_ensure,
    reminder_policy_update,
    reminder_slots,
    reminders_run,
)
from cchc_portal.automation.tick import tick_run
from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.notifications import registry
from cchc_portal.notifications.models import Notification, Outbox
from scoring.models import Assessment

from .conftest import DEADLINE, assessment_of, vn

pytestmark = pytest.mark.django_db
OFFSETS = [7, 3, 1, -1]


def reminders_to(email):
    return list(Outbox.objects.filter(to=email, template="reminder").order_by("created_at", "id"))


def sent_offsets(email):
    return [r.offset for r in Reminder.objects.filter(email=email).order_by("offset")]


# ---------------------------------------------------------------- slots (pure)


def test_each_offset_becomes_due_at_the_deadline_minus_its_days_in_vietnam_time():
    slots = {s.offset: s for s in reminder_slots(offsets=OFFSETS, deadline=DEADLINE)}
    assert slots[7].due_at == vn(2026, 11, 8, 17) and slots[7].until == vn(2026, 11, 12, 17)
    assert slots[3].due_at == vn(2026, 11, 12, 17) and slots[3].until == vn(2026, 11, 14, 17)
    # a reminder before the deadline never goes out after it
    assert slots[1].due_at == vn(2026, 11, 14, 17) and slots[1].until == DEADLINE
    assert slots[-1].due_at == vn(2026, 11, 16, 17) and slots[-1].until == vn(2026, 11, 17, 17)


@pytest.mark.parametrize(("moment", "offset"), [
    (vn(2026, 11, 8, 16, 59, 59), None),
    (vn(2026, 11, 8, 17), 7),
    (vn(2026, 11, 12, 16, 59, 59), 7),
    (vn(2026, 11, 12, 17), 3),
    (vn(2026, 11, 14, 17), 1),
    (vn(2026, 11, 15, 16, 59, 59), 1),
    (vn(2026, 11, 15, 17), None),          # the deadline itself: nothing until the day after
    (vn(2026, 11, 16, 16, 59, 59), None),
    (vn(2026, 11, 16, 17), -1),
    (vn(2026, 11, 17, 16, 59, 59), -1),
    (vn(2026, 11, 17, 17), None),          # never sent late in a burst
])
def test_the_current_slot_at_the_boundaries(moment, offset):
    slot = current_slot(offsets=OFFSETS, deadline=DEADLINE, now=moment)
    assert (slot.offset if slot else None) == offset


def test_the_same_instant_written_in_utc_is_the_same_boundary():
    # 17:00 ICT is 10:00 UTC
    from datetime import UTC, datetime

    assert current_slot(offsets=OFFSETS, deadline=DEADLINE, now=datetime(2026, 11, 8, 9, 59, 59, tzinfo=UTC)) is None
    assert current_slot(offsets=OFFSETS, deadline=DEADLINE, now=datetime(2026, 11, 8, 10, tzinfo=UTC)).offset == 7


def test_nothing_is_due_before_the_step_opens():
    opens = vn(2026, 11, 10, 8)
    assert current_slot(offsets=OFFSETS, deadline=DEADLINE, now=vn(2026, 11, 9, 12), opens_at=opens) is None
    # the 7-day window is still running when the step opens: it is due from the opening
    assert current_slot(offsets=OFFSETS, deadline=DEADLINE, now=vn(2026, 11, 10, 8), opens_at=opens).offset == 7


def test_offsets_text_is_checked():
    assert parse_offsets("7, 3; 1 -1") == [7, 3, 1, -1]
    for bad in ["", "7, x", "7, 0", "100", "3, 3"]:
        with pytest.raises(ApplicationError):
            parse_offsets(bad)


# ---------------------------------------------------------------- through the tick


def test_default_policies_are_created_for_the_campaigns_steps(deadline_campaign):
    Step.objects.create(campaign=deadline_campaign, kind="survey", opens_at=vn(2026, 11, 16),
                        closes_at=vn(2026, 11, 30))
    policies = reminder_policies_ensure(campaign=deadline_campaign)
    assert [(p.step_kind, p.offsets) for p in policies] == [("self_assessment", [7, 3, 1, -1]), ("survey", [3, 1])]
    assert reminder_policies_ensure(campaign=deadline_campaign) == policies  # not twice


def test_the_seven_day_reminder_goes_to_staff_of_agencies_that_have_not_submitted(
        deadline_campaign, staff_a, leader_a, staff_b, officer, agency_b, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tick_run(now=vn(2026, 11, 8, 16, 59, 59))
    assert not Reminder.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        tick_run(now=vn(2026, 11, 8, 17))
    assert sent_offsets(staff_a.email) == [7] and sent_offsets(staff_b.email) == [7]
    assert sent_offsets(leader_a.email) == []  # leaders only from 1 day before
    assert sent_offsets(officer.email) == []
    [row] = reminders_to(staff_a.email)
    assert row.status == Outbox.Status.SENT
    assert "còn 7 ngày" in row.subject and "17:00 ngày 15/11/2026" in row.subject
    [message] = [m for m in mail.outbox if m.to == [staff_a.email]]
    html = message.alternatives[0][0]
    assert "Sở Tài chính" in message.body and "http://" in message.body and "Sở Tài chính" in html
    assert Notification.objects.filter(user=staff_a, text__contains="còn 7 ngày").count() == 1


def test_a_submitted_agency_gets_nothing(deadline_campaign, agency_b, staff_a, staff_b):
    Assessment.objects.filter(agency=agency_b).update(status=Assessment.Status.SUBMITTED)
    tick_run(now=vn(2026, 11, 8, 17))
    assert sent_offsets(staff_a.email) == [7] and sent_offsets(staff_b.email) == []


def test_run_twice_one_email(deadline_campaign, staff_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tick_run(now=vn(2026, 11, 12, 17))
        tick_run(now=vn(2026, 11, 12, 17, 3))
        reminders_run(now=vn(2026, 11, 13, 9))
    assert len(reminders_to(staff_a.email)) == 1
    assert len([m for m in mail.outbox if m.to == [staff_a.email]]) == 1


def test_a_late_tick_sends_only_the_current_offset_not_a_burst(deadline_campaign, staff_a):
    tick_run(now=vn(2026, 11, 14, 18))  # the scheduler was down for a week
    assert sent_offsets(staff_a.email) == [1]
    assert "còn 1 ngày" in reminders_to(staff_a.email)[0].subject


def test_the_leader_is_added_from_one_day_before_and_officers_after_missing(
        deadline_campaign, staff_a, leader_a, staff_b, officer, admin_user, agency_a):
    tick_run(now=vn(2026, 11, 14, 17))
    assert sent_offsets(leader_a.email) == [1]
    tick_run(now=vn(2026, 11, 16, 17))
    assert sent_offsets(staff_a.email) == [-1] + [1]
    assert sent_offsets(leader_a.email) == [-1, 1]
    digests = list(Outbox.objects.filter(template="reminder_digest").order_by("to"))
    assert [d.to for d in digests] == sorted([officer.email, admin_user.email])
    assert digests[0].context["names"] == ["Sở Tài chính", "Sở Tư pháp"]
    assert "[Quá hạn]" in digests[0].subject
    tick_run(now=vn(2026, 11, 16, 20))
    assert Outbox.objects.filter(template="reminder_digest").count() == 2


def test_an_extension_moves_the_offsets_still_to_come(deadline_campaign, agency_a, staff_a, staff_b, officer):
    step = deadline_campaign.steps.get(kind="self_assessment")
    Extension.objects.create(step=step, agency=agency_a, closes_at=vn(2026, 11, 18, 17), reason="Bão lũ",
                             granted_by=officer, granted_at=vn(2026, 11, 2, 9))
    tick_run(now=vn(2026, 11, 8, 17))
    assert sent_offsets(staff_b.email) == [7] and sent_offsets(staff_a.email) == []
    tick_run(now=vn(2026, 11, 11, 16, 59))
    assert sent_offsets(staff_a.email) == []
    tick_run(now=vn(2026, 11, 11, 17))
    assert sent_offsets(staff_a.email) == [7]
    assert "17:00 ngày 18/11/2026" in reminders_to(staff_a.email)[0].subject
    tick_run(now=vn(2026, 11, 16, 17))  # B missed; A is still 2 days from its own deadline
    assert -1 in sent_offsets(staff_b.email) and sent_offsets(staff_a.email) == [3, 7]


def test_an_extension_granted_after_an_offset_went_out_does_not_repeat_it(
        deadline_campaign, agency_a, staff_a, officer):
    tick_run(now=vn(2026, 11, 14, 17))
    assert sent_offsets(staff_a.email) == [1]
    step = deadline_campaign.steps.get(kind="self_assessment")
    extension_grant(step=step, agency=agency_a, closes_at=vn(2026, 11, 20, 17), reason="Thiếu cán bộ",
                    user=officer, now=vn(2026, 11, 15, 9))
    tick_run(now=vn(2026, 11, 19, 17))
    assert sent_offsets(staff_a.email) == [1]
    tick_run(now=vn(2026, 11, 21, 17))
    assert sent_offsets(staff_a.email) == [-1, 1]


def test_two_ticks_racing_send_one_email(deadline_campaign, staff_a, agency_a, django_capture_on_commit_callbacks):
    """Tick A has chosen its recipients; before it writes, tick B runs to the end. A's
    insert then meets B's row (the unique key), so the reminder goes out once."""
    real = registry.reminder_source("self_assessment")
    state = {"nested": False}

    def racing(campaign, now):
        targets = list(real(campaign, now))
        if not state["nested"]:
            state["nested"] = True
            with transaction.atomic():
                reminders_run(now=now)  # the other tick, complete
        yield from targets

    registry.register_reminder_source("self_assessment", racing)
    with django_capture_on_commit_callbacks(execute=True):
        reminders_run(now=vn(2026, 11, 12, 17))
    assert state["nested"]
    assert Reminder.objects.filter(email=staff_a.email).count() == 1
    assert len([m for m in mail.outbox if m.to == [staff_a.email]]) == 1


def test_the_unique_key_is_enforced_by_the_database(deadline_campaign, staff_a):
    tick_run(now=vn(2026, 11, 12, 17))
    r = Reminder.objects.get(email=staff_a.email)
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(policy=r.policy, target=r.target, recipient=r.recipient, offset=r.offset,
                                deadline=r.deadline, due_at=r.due_at)


def test_an_inactive_policy_or_a_closed_campaign_sends_nothing(deadline_campaign, staff_a, officer):
    [policy] = reminder_policies_ensure(campaign=deadline_campaign)
    reminder_policy_update(policy=policy, offsets="7, 3", leader_from=None, notify_officers=False, active=False,
                           user=officer)
    tick_run(now=vn(2026, 11, 8, 17))
    assert not Reminder.objects.exists()
    ReminderPolicy.objects.filter(pk=policy.pk).update(active=True)
    Campaign.objects.filter(pk=deadline_campaign.pk).update(status=Campaign.Status.CLOSED)
    tick_run(now=vn(2026, 11, 8, 17))
    assert not Reminder.objects.exists()


def test_an_edited_policy_is_followed(deadline_campaign, staff_a, officer):
    [policy] = reminder_policies_ensure(campaign=deadline_campaign)
    reminder_policy_update(policy=policy, offsets="10, 2", leader_from=None, notify_officers=True, active=True,
                           user=officer)
    tick_run(now=vn(2026, 11, 8, 17))
    assert sent_offsets(staff_a.email) == [10]


def test_an_agency_without_users_is_reminded_at_its_own_address(deadline_campaign, agency_a, agency_b, staff_b):
    tick_run(now=vn(2026, 11, 8, 17))
    assert [r.to for r in reminders_to(agency_a.email)] == [agency_a.email]


def test_a_respondent_source_registered_by_surveys_is_used(deadline_campaign):
    """What the surveys app registers: respondents without an account, reached by e-mail."""
    Step.objects.create(campaign=deadline_campaign, kind="survey", opens_at=vn(2026, 11, 16, 8),
                        closes_at=vn(2026, 11, 30, 17))

    def respondents(campaign, now):
        yield registry.ReminderTarget(
            key="respondent:1", name="Nguyễn Văn An", deadline=vn(2026, 11, 30, 17), opens_at=vn(2026, 11, 16, 8),
            url="http://127.0.0.1:8000/s/abc/",
            recipients=[registry.Recipient(key="respondent:1", email="an@example.vn", name="Nguyễn Văn An",
                                           role="respondent")])

    registry.register_reminder_source("survey", respondents)
    tick_run(now=vn(2026, 11, 27, 17))
    [row] = reminders_to("an@example.vn")
    assert "còn 3 ngày" in row.subject and row.context["url"] == "http://127.0.0.1:8000/s/abc/"
    assert not Notification.objects.exists() or not Notification.objects.filter(key__contains="respondent").exists()


def test_a_failing_source_does_not_stop_the_other_policies(deadline_campaign, staff_a):
    Step.objects.create(campaign=deadline_campaign, kind="survey", opens_at=vn(2026, 11, 1, 8),
                        closes_at=vn(2026, 11, 11, 17))

    def broken(campaign, now):
        raise RuntimeError("nguồn hỏng")
        yield  # pragma: no cover

    registry.register_reminder_source("survey", broken)
    summary = reminders_run(now=vn(2026, 11, 8, 17))
    assert "1 chính sách lỗi" in summary
    assert sent_offsets(staff_a.email) == [7]


def test_reminders_take_the_policys_deadline_from_step_windows(deadline_campaign, staff_a):
    """Moving the step moves every agency's offsets (the plan is the source of truth)."""
    Step.objects.filter(campaign=deadline_campaign, kind="self_assessment").update(
        closes_at=DEADLINE + timedelta(days=2))
    tick_run(now=vn(2026, 11, 8, 17))
    assert sent_offsets(staff_a.email) == []
    tick_run(now=vn(2026, 11, 10, 17))
    assert sent_offsets(staff_a.email) == [7]
    assert assessment_of(deadline_campaign, staff_a.memberships.first().agency).status == "draft"


def test_the_email_wording_fits_the_recipient(deadline_campaign, staff_a):
    from cchc_portal.notifications.services import outbox_render

    tick_run(now=vn(2026, 11, 12, 17))
    text, html = outbox_render(reminders_to(staff_a.email)[0])
    assert "phần mềm tự động khóa" in text and "còn 3 ngày" in text and "17:00 ngày 15/11/2026" in html
    respondent = Outbox(key="r", to="an@example.vn", subject="s", template="reminder", context={
        "full_name": "Nguyễn Văn An", "respondent": True, "campaign": "Chỉ số CCHC 2026", "left": "2 ngày",
        "deadline": "17:00 ngày 30/11/2026", "url": "http://127.0.0.1:8000/s/"})
    text, html = outbox_render(respondent)
    assert "chưa trả lời phiếu điều tra" in text and "tự động khóa" not in text
    assert "Nhận đường dẫn trả lời phiếu" in html


def test_the_reminders_page_names_the_agency_not_its_key(deadline_campaign, staff_a, officer, agency_a, client):
    tick_run(now=vn(2026, 11, 8, 17))
    reminder = Reminder.objects.get(email=staff_a.email)
    assert reminder.target == f"agency:{agency_a.pk}" and reminder.target_name == "Sở Tài chính"
    from django.urls import reverse

    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get(reverse("notifications:reminders", args=[deadline_campaign.pk])).content.decode()
    assert "<td>Sở Tài chính</td>" in html and f"agency:{agency_a.pk}" not in html and "user:" not in html


def test_refusals_are_translated():
    from django.utils import translation

    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        parse_offsets("7, x")
    assert refused.value.message == "The point “x” is not a whole number of days."
    assert refused.value.extra["errors"] == {"offsets": ["Whole numbers only."]}
    with translation.override("vi"), pytest.raises(ApplicationError, match="Các mốc nhắc bị trùng."):
        parse_offsets("3, 3")
