"""The periodic tick: every registered piece of due work with the same `now`.

Beat runs the `tick` task every few minutes; `manage.py run_due_tasks [--now ...]` runs
the same code synchronously. Correctness never depends on a tick firing at an exact
moment: each piece finds what is due at `now` and does it once.
"""
import logging
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cchc_portal.notifications import registry

from .models import TickRun

logger = logging.getLogger(__name__)
KEEP_RUNS = timedelta(days=30)


def tick_run(*, now=None) -> TickRun:
    """Run every registered fn(now), each in its own transaction and try, and record it."""
    now = now or timezone.now()
    results, ok = [], True
    started_at = timezone.now()
    for name, fn in registry.due_work():
        start = time.monotonic()
        try:
            with transaction.atomic():
                summary = fn(now)
        except Exception as exc:  # noqa: BLE001 - one failing piece must not stop the others
            logger.exception("due work %s failed", name)
            ok = False
            results.append({"name": name, "ok": False, "error": f"{exc.__class__.__name__}: {exc}"[:500],
                            "ms": round((time.monotonic() - start) * 1000)})
            continue
        results.append({"name": name, "ok": True, "summary": str(summary if summary is not None else "")[:500],
                        "ms": round((time.monotonic() - start) * 1000)})
        logger.info("due work %s: %s", name, summary)
    run = TickRun.objects.create(now=now, started_at=started_at, finished_at=timezone.now(), results=results, ok=ok)
    TickRun.objects.filter(started_at__lt=timezone.now() - KEEP_RUNS).delete()
    return run


# ---------------------------------------------------------------- built-in due work


def _reminders(now):
    from .reminders import reminders_run

    return reminders_run(now=now)


def _outbox(now):
    from cchc_portal.notifications.services import outbox_dispatch_due, outbox_recover

    recovered = outbox_recover(now=now)
    due = outbox_dispatch_due(now=now)
    return (f"{recovered['requeued']} thư gửi dở được xếp lại, {recovered['uncertain']} thư chưa rõ kết quả, "
            f"{due} thư đến lượt gửi")


def register_builtin():
    registry.register_due_work("reminders", _reminders, order=60, label=gettext_lazy("Nhắc hạn"))
    registry.register_due_work("outbox", _outbox, order=90, label=gettext_lazy("Gửi thư đến lượt, xếp lại thư gửi dở"))
