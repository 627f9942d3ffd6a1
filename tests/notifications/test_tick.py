"""The tick: every registered piece of due work with the same `now`, each on its own;
`run_due_tasks --now` runs the same code; beat has it in its schedule."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from campaigns import tasks as campaign_tasks
from cchc_portal.automation import tasks as automation_tasks
from cchc_portal.automation.models import TickRun
from cchc_portal.automation.tick import tick_run
from cchc_portal.celery import app
from cchc_portal.notifications import registry, tasks
from cchc_portal.notifications.models import Notification

from .conftest import vn

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded():
    """Fake due work: records the `now` it got and writes a row (to prove its transaction)."""
    seen = []

    def first(now):
        seen.append(("first", now))
        return "xong phần một"

    def failing(now):
        seen.append(("failing", now))
        Notification.objects.create(user_id=None, text="never")  # an integrity error inside its transaction

    def last(now, user=None):
        seen.append(("last", now))
        return "xong phần cuối"

    registry.register_due_work("test.first", first, order=1)
    registry.register_due_work("test.failing", failing, order=2)
    registry.register_due_work("test.last", last, order=3)
    return seen


def test_every_piece_runs_with_the_same_now_and_one_failing_stops_nothing(recorded):
    now = vn(2026, 11, 15, 17)
    run = tick_run(now=now)
    assert [name for name, _ in recorded] == ["first", "failing", "last"]
    assert {moment for _, moment in recorded} == {now}
    results = {r["name"]: r for r in run.results}
    assert results["test.first"] == {"name": "test.first", "ok": True, "summary": "xong phần một",
                                     "ms": results["test.first"]["ms"]}
    assert not results["test.failing"]["ok"] and "IntegrityError" in results["test.failing"]["error"]
    assert results["test.last"]["ok"]
    assert not run.ok and TickRun.objects.get() == run
    assert run.now == now


def test_the_order_puts_locks_before_reminders_before_the_outbox():
    names = [name for name, _ in registry.due_work()]
    assert names.index("scoring.lock_overdue") < names.index("reminders") < names.index("outbox")


def test_registering_again_by_name_replaces():
    registry.register_due_work("test.x", lambda now: "a")
    registry.register_due_work("test.x", lambda now: "b")
    assert [fn(None) for name, fn in registry.due_work() if name == "test.x"] == ["b"]


def test_run_due_tasks_runs_the_tick_at_the_given_moment(recorded):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("run_due_tasks", "--now", "2026-11-15T17:00:00+07:00", stdout=out)
    assert recorded[0] == ("first", vn(2026, 11, 15, 17))
    text = out.getvalue()
    assert "17:00:00 15/11/2026" in text and "test.first: xong phần một" in text and "LỖI" in text


def test_run_due_tasks_reads_a_moment_without_offset_as_vietnam_time():
    seen = []
    registry.register_due_work("test.seen", lambda now: seen.append(now) or "ok")
    call_command("run_due_tasks", "--now", "2026-11-15T17:00", stdout=StringIO())
    assert seen == [vn(2026, 11, 15, 17)]


def test_run_due_tasks_refuses_a_moment_it_cannot_read():
    with pytest.raises(CommandError, match="ISO-8601"):
        call_command("run_due_tasks", "--now", "15/11/2026", stdout=StringIO())


def test_the_tick_task_takes_an_iso_moment(recorded):
    registry.unregister_due_work("test.failing")
    results = automation_tasks.tick.delay("2026-11-15T10:00:00+00:00").get()
    assert [r["name"] for r in results][:2] == ["test.first", "test.last"]
    assert recorded[0] == ("first", vn(2026, 11, 15, 17))


def test_beat_runs_the_tick_every_few_minutes_and_tasks_are_late_acked():
    entry = app.conf.beat_schedule["tick"]
    assert entry["task"] == "cchc_portal.notifications.tasks.tick"
    assert 60 <= entry["schedule"] <= 600
    for task in (automation_tasks.tick, tasks.outbox_send, tasks.send_queued, tasks.outbox_send_all_job,
                 campaign_tasks.agency_import_job):
        assert task.acks_late


def test_moved_tasks_keep_the_names_beat_and_queued_messages_carry():
    """tick and agency_import_job left cchc_portal.notifications (it sits below campaigns
    now); the names on the wire stay, so a deployment's queued messages still run."""
    app.loader.import_default_modules()
    assert app.tasks["cchc_portal.notifications.tasks.tick"].run.__module__ == automation_tasks.__name__
    assert app.tasks["cchc_portal.notifications.tasks.agency_import_job"].run.__module__ == campaign_tasks.__name__
    assert app.conf.beat_schedule["tick"]["task"] in app.tasks


def test_old_runs_are_pruned():
    old = TickRun.objects.create(now=vn(2020, 1, 1), results=[])
    TickRun.objects.filter(pk=old.pk).update(started_at=vn(2020, 1, 1))
    tick_run(now=vn(2026, 11, 15, 17))
    assert not TickRun.objects.filter(pk=old.pk).exists()


def test_a_worker_sends_a_big_queue_in_bounded_tasks(monkeypatch):
    """Not inline: each send_queued task takes BATCH rows and queues the next one."""
    calls, queued = [], []
    monkeypatch.setattr(tasks.services, "outbox_send_due", lambda limit=None: calls.append(limit) or {
        "sent": limit, "retry": 0, "failed": 0, "uncertain": 0, "skipped": 0})
    monkeypatch.setattr(tasks.send_queued, "delay", lambda *a, **k: queued.append(a))
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    tasks.send_queued.run()
    assert calls == [tasks.BATCH] and queued == [()]
