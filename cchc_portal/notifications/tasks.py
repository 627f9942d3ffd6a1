"""Celery tasks: thin, take ids, acks_late, idempotent (a row's status says what is done)."""
from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services

RETRY = {"autoretry_for": (OSError,), "retry_backoff": 10, "retry_backoff_max": 600, "retry_jitter": True,
         "max_retries": 5}
# A job (export, import, publishing, bulk send) runs longer than the default task limits.
LONG_JOB = {"acks_late": True, "soft_time_limit": settings.CELERY_LONG_TASK_SOFT_TIME_LIMIT,
            "time_limit": settings.CELERY_LONG_TASK_TIME_LIMIT}


@shared_task(acks_late=True, **RETRY)
def outbox_send(outbox_id: int) -> str:
    """Send one queued row. A row already sent (or claimed) is left alone."""
    return services.outbox_send_one(outbox_id=outbox_id)


BATCH = 1000


@shared_task(acks_late=True, **RETRY)
def send_queued(limit: int | None = None) -> dict:
    """Send every due queued row (bulk sends, retries after their backoff). A worker takes
    BATCH rows per task and queues the next task for the rest, so no task runs for long."""
    if limit is None and not send_queued.app.conf.task_always_eager:
        totals = services.outbox_send_due(limit=BATCH)
        if sum(totals.values()) >= BATCH:
            send_queued.delay()
        return totals
    return services.outbox_send_due(limit=limit)


@shared_task(**LONG_JOB)
def outbox_send_all_job(job_id: int) -> str:
    """A job for officers: send every queued e-mail now, with progress."""
    from .models import Outbox

    with services.job_running(job_id) as job:
        if job is None:
            return "skipped"
        total = Outbox.objects.filter(status=Outbox.Status.QUEUED, next_attempt_at__lte=timezone.now()).count()
        services.job_progress(job_id=job_id, done=0, total=total, message=_("Đang gửi…"))

        def progress(tried, totals):
            services.job_progress(job_id=job_id, done=min(tried, total) if total else tried,
                                  message=_("Đã gửi %(sent)s, lỗi %(failed)s, hẹn gửi lại %(retry)s") % totals)

        totals = services.outbox_send_due(limit=total or 0, on_progress=progress)
        errors = [] if not (totals["failed"] or totals["retry"]) else [
            {"row": 0, "column": "", "message": _("%(failed)s thư gửi lỗi, %(retry)s thư sẽ gửi lại sau "
                                                  "(xem trang Thư gửi lỗi).") % totals}]
        services.job_finish(job_id=job_id, message=_("Đã gửi %(sent)s thư.") % totals, errors=errors,
                            result_url="/notifications/outbox/")
        return "done"
    return "failed"
