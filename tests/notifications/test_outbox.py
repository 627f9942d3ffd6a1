"""The outbox: committed with the change, sent after commit, retried with backoff, claimed
race-safely, fenced so a row is never handed over twice, failures kept for officers."""
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from cchc_portal.core.exceptions import ConflictError
from cchc_portal.notifications import services
from cchc_portal.notifications.models import Outbox
from cchc_portal.notifications.services import (
    backoff,
    outbox_claim,
    outbox_deliver,
    outbox_enqueue,
    outbox_enqueue_many,
    outbox_mark,
    outbox_recover,
    outbox_retry,
    outbox_send_due,
)

pytestmark = pytest.mark.django_db
S = Outbox.Status


def enqueue(n=1, *, to="canbo@sotc.gov.vn", prefix="t"):
    rows = []
    for i in range(n):
        rows.append(outbox_enqueue(to=to, subject=f"Thư số {i}", template="notice",
                                   context={"full_name": "Nguyễn Thị Lan", "text": f"Nội dung {i}", "url": ""},
                                   key=f"{prefix}:{i}"))
    return rows


def fresh(row):
    row.refresh_from_db()
    return row


# ---------------------------------------------------------------- enqueue and send


def test_an_email_is_a_row_first_and_is_sent_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [row] = enqueue()
        assert row.status == S.QUEUED and mail.outbox == []
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()
    row = fresh(row)
    assert row.status == S.SENT and row.attempts == 1 and row.sent_at is not None
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == row.message_id
    assert row.message_id == f"<cchc.{row.pk}.{row.message_id.split('.')[2].split('@')[0]}@example.gov.vn>"


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue()
            raise RuntimeError("the change failed")
    assert not Outbox.objects.exists() and mail.outbox == []


def test_the_same_key_is_queued_once():
    assert enqueue()[0] is not None
    assert enqueue()[0] is None
    assert Outbox.objects.count() == 1


def test_many_at_once_skip_known_keys_and_schedule_one_batch(django_capture_on_commit_callbacks):
    enqueue(prefix="bulk")
    messages = [{"to": f"nguoi{i}@example.vn", "subject": "Phiếu khảo sát", "template": "notice",
                 "context": {"text": "Mời anh/chị trả lời phiếu"}, "key": f"bulk:{i}"} for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert outbox_enqueue_many(messages + messages[:2]) == 4
    assert len(callbacks) == 1
    assert Outbox.objects.filter(status=S.SENT).count() == 5


def test_text_and_html_parts_use_absolute_links_and_the_text_is_not_escaped(settings):
    settings.SITE_URL = "https://cchc.tuyenquang.gov.vn"
    row = outbox_enqueue(to="a@example.vn", subject="Thông báo", template="notice", key="render",
                         context={"full_name": "Trần Văn Bình", "text": "Sở Tư pháp & Sở Nội vụ “thông báo”",
                                  "url": services.absolute_url("/campaigns/1/")})
    text, html = services.outbox_render(row)
    assert "Sở Tư pháp & Sở Nội vụ “thông báo”" in text and "&amp;" not in text
    assert "https://cchc.tuyenquang.gov.vn/campaigns/1/" in text
    assert 'href="https://cchc.tuyenquang.gov.vn/campaigns/1/"' in html and "Sở Tư pháp &amp; Sở Nội vụ" in html
    assert "#b3261e" in html  # the portal's red bar


# ---------------------------------------------------------------- failures and backoff


class FailOnce(LocmemBackend):
    failures = 1

    def send_messages(self, messages):
        if FailOnce.failures:
            FailOnce.failures -= 1
            raise ConnectionRefusedError("Máy chủ thư không phản hồi")
        return super().send_messages(messages)


@override_settings(EMAIL_BACKEND="tests.notifications.test_outbox.FailOnce")
def test_a_failed_send_is_retried_after_its_backoff(django_capture_on_commit_callbacks):
    FailOnce.failures = 1
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        [row] = enqueue()
    row = fresh(row)
    assert row.status == S.QUEUED and row.attempts == 1 and mail.outbox == []
    assert "ConnectionRefusedError" in row.last_error and row.handed_over_at is None and row.claim == ""
    assert now + timedelta(seconds=59) < row.next_attempt_at < timezone.now() + timedelta(seconds=61)
    assert outbox_send_due(now=row.next_attempt_at - timedelta(seconds=1))["sent"] == 0
    assert outbox_send_due(now=row.next_attempt_at)["sent"] == 1
    row = fresh(row)
    assert row.status == S.SENT and row.attempts == 2 and row.last_error == ""
    assert len(mail.outbox) == 1


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(30) == timedelta(hours=6)


@override_settings(EMAIL_BACKEND="tests.notifications.test_outbox.FailOnce", OUTBOX_MAX_ATTEMPTS=2)
def test_after_the_last_attempt_the_row_is_failed_for_officers():
    FailOnce.failures = 5
    [row] = enqueue()
    outbox_send_due()
    outbox_send_due(now=timezone.now() + timedelta(hours=1))
    row = fresh(row)
    assert row.status == S.FAILED and row.attempts == 2
    outbox_retry(row=row)
    assert fresh(row).status == S.QUEUED and fresh(row).attempts == 0


def test_a_temporary_smtp_refusal_is_retried_and_delivered_once(smtp_sink):
    smtp_sink.fail_next = 1
    [row] = enqueue()
    assert outbox_send_due() == {"sent": 0, "retry": 1, "failed": 0, "uncertain": 0, "skipped": 0}
    row = fresh(row)
    assert row.status == S.QUEUED and "451" in row.last_error and row.handed_over_at is None
    assert smtp_sink.ids() == []
    outbox_send_due(now=row.next_attempt_at)
    assert smtp_sink.ids() == [row.message_id]
    message = smtp_sink.messages[0]
    assert message["Subject"] and message["To"] == "canbo@sotc.gov.vn" and message.is_multipart()
    assert fresh(row).status == S.SENT


def test_a_refused_recipient_is_bounced(smtp_sink):
    smtp_sink.reject = {"khongco@example.vn"}
    [row] = enqueue(to="khongco@example.vn")
    outbox_send_due()
    row = fresh(row)
    assert row.status == S.BOUNCED and "550" in row.last_error


def test_a_batch_shares_one_connection_and_a_bad_row_does_not_stop_it(smtp_sink):
    smtp_sink.reject = {"sai@example.vn"}
    enqueue(3, prefix="a")
    enqueue(1, to="sai@example.vn", prefix="b")
    enqueue(3, prefix="c")
    totals = outbox_send_due(chunk=2)
    assert totals["sent"] == 6 and totals["failed"] == 1
    assert len(set(smtp_sink.ids())) == 6


# ---------------------------------------------------------------- claims, fences, recovery


def test_two_claims_never_share_a_row():
    enqueue(5)
    token_a, rows_a = outbox_claim(limit=3)
    token_b, rows_b = outbox_claim(limit=3)
    assert len(rows_a) == 3 and len(rows_b) == 2
    assert not {r.pk for r in rows_a} & {r.pk for r in rows_b}
    assert outbox_claim(limit=3)[1] == []


def test_a_worker_that_lost_its_claim_hands_nothing_over(smtp_sink):
    """A slow worker's row was queued again by the tick: its fence fails before the final
    "." of DATA, the server drops the half message, and the row is sent once, later."""
    [row] = enqueue()
    token, rows = outbox_claim()
    Outbox.objects.filter(pk=row.pk).update(status=S.QUEUED, claim="")  # what outbox_recover does
    assert outbox_deliver(token=token, rows=rows)["skipped"] == 1
    assert smtp_sink.ids() == []
    assert fresh(row).status == S.QUEUED
    outbox_send_due()
    assert smtp_sink.ids() == [row.message_id]


def test_no_answer_after_the_handover_makes_the_row_uncertain_not_resent(smtp_sink):
    async def accept_then_hang_up(server, session, envelope):
        smtp_sink.messages.append(envelope.content)
        server.transport.close()
        return "250 OK"

    smtp_sink.handle_DATA = accept_then_hang_up
    [row] = enqueue()
    assert outbox_send_due()["uncertain"] == 1
    row = fresh(row)
    assert row.status == S.UNCERTAIN and row.handed_over_at is not None
    assert "không nhận được xác nhận" in row.last_error
    assert outbox_send_due(now=timezone.now() + timedelta(days=1))["sent"] == 0
    assert len(smtp_sink.messages) == 1
    outbox_mark(row=row, status=S.SENT)
    assert fresh(row).status == S.SENT


def test_recovery_requeues_what_was_not_handed_over_and_holds_what_was():
    enqueue(3)
    token, rows = outbox_claim()
    long_ago = timezone.now() - timedelta(minutes=30)
    Outbox.objects.filter(pk=rows[0].pk).update(sending_since=long_ago)
    Outbox.objects.filter(pk=rows[1].pk).update(sending_since=long_ago, handed_over_at=long_ago)
    assert outbox_recover() == {"requeued": 1, "uncertain": 1}
    assert [fresh(r).status for r in rows] == [S.QUEUED, S.UNCERTAIN, S.SENDING]
    assert fresh(rows[0]).claim == "" and fresh(rows[1]).claim == token
    assert outbox_recover() == {"requeued": 0, "uncertain": 0}


def test_a_late_reply_to_an_uncertain_row_still_marks_it_sent(smtp_sink):
    [row] = enqueue()
    token, rows = outbox_claim()
    real_fence = services._fence

    def fence_then_tick(r, t, done=()):
        inner = real_fence(r, t, done)

        def fence():
            inner()
            Outbox.objects.filter(pk=r.pk).update(status=S.UNCERTAIN)  # the tick judged it stale meanwhile
        return fence

    with mock.patch.object(services, "_fence", fence_then_tick):
        outbox_deliver(token=token, rows=rows)
    assert fresh(row).status == S.SENT and smtp_sink.ids() == [row.message_id]


# ---------------------------------------------------------------- officers' actions


def test_retry_and_marks_follow_the_status_rules(django_capture_on_commit_callbacks):
    [row] = enqueue()
    Outbox.objects.filter(pk=row.pk).update(status=S.SENT)
    with pytest.raises(ConflictError):
        outbox_retry(row=row)
    outbox_mark(row=row, status=S.BOUNCED, note="Hộp thư đầy")
    assert fresh(row).status == S.BOUNCED and fresh(row).last_error == "Hộp thư đầy"
    with pytest.raises(ConflictError):
        outbox_mark(row=row, status=S.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_retry(row=row)
    assert fresh(row).status == S.SENT and len(mail.outbox) == 1


def test_a_broker_outage_does_not_fail_the_change_and_the_tick_sends_later(
        monkeypatch, django_capture_on_commit_callbacks):
    from cchc_portal.automation.tick import tick_run
    from cchc_portal.notifications import tasks

    def down(*args, **kwargs):
        raise ConnectionError("Redis không phản hồi")

    monkeypatch.setattr(tasks.outbox_send, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        [row] = enqueue()
    assert fresh(row).status == S.QUEUED and mail.outbox == []
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        tick_run()
    assert fresh(row).status == S.SENT and len(mail.outbox) == 1
