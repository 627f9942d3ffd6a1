"""Celery tasks: thin, take ids, acks_late, idempotent (a row's status says what is done)."""
from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import services

RETRY = {"autoretry_for": (OSError,), "retry_backoff": 10, "retry_backoff_max": 600, "retry_jitter": True,
         "max_retries": 5}
# A job (export, import, publishing, bulk send) runs longer than the default task limits.
LONG_JOB = {"acks_late": True, "soft_time_limit": settings.CELERY_LONG_TASK_SOFT_TIME_LIMIT,
            "time_limit": settings.CELERY_LONG_TASK_TIME_LIMIT}


def _when(value):
    if not value:
        return None
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


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


@shared_task(acks_late=True, **RETRY)
def tick(now: str | None = None) -> list:
    """The periodic tick (beat, every few minutes): every registered piece of due work."""
    from .tick import tick_run

    return tick_run(now=_when(now)).results


@shared_task(**LONG_JOB)
def outbox_send_all_job(job_id: int) -> str:
    """A job for officers: send every queued e-mail now, with progress."""
    from .models import Outbox

    with services.job_running(job_id) as job:
        if job is None:
            return "skipped"
        total = Outbox.objects.filter(status=Outbox.Status.QUEUED, next_attempt_at__lte=timezone.now()).count()
        services.job_progress(job_id=job_id, done=0, total=total, message="Đang gửi…")

        def progress(tried, totals):
            services.job_progress(job_id=job_id, done=min(tried, total) if total else tried,
                                  message=f"Đã gửi {totals['sent']}, lỗi {totals['failed']}, "
                                          f"hẹn gửi lại {totals['retry']}")

        totals = services.outbox_send_due(limit=total or 0, on_progress=progress)
        errors = [] if not (totals["failed"] or totals["retry"]) else [
            {"row": 0, "column": "", "message": f"{totals['failed']} thư gửi lỗi, {totals['retry']} thư sẽ gửi lại "
                                                "sau (xem trang Thư gửi lỗi)."}]
        services.job_finish(job_id=job_id, message=f"Đã gửi {totals['sent']} thư.", errors=errors,
                            result_url="/notifications/outbox/")
        return "done"
    return "failed"


@shared_task(**LONG_JOB)
def agency_import_job(job_id: int, dry_run: bool = False) -> str:
    """The officers' agency import (campaigns.services.agency_import) as a job: the rows
    are counted first, then imported all at once (nothing is written if any row is wrong)."""
    from campaigns.services import AGENCY_ALIASES, AGENCY_COLUMNS, agency_import
    from cchc_portal.core.excel import read_sheet

    with services.job_running(job_id) as job:
        if job is None:
            return "skipped"
        with job.input_file.open("rb") as f:
            rows, _errors = read_sheet(f, AGENCY_COLUMNS, aliases=AGENCY_ALIASES)
        services.job_progress(job_id=job_id, done=0, total=len(rows),
                              message=f"Đã đọc {len(rows)} dòng; đang kiểm tra và nhập…")
        with job.input_file.open("rb") as f:
            report = agency_import(file=f, dry_run=dry_run)
        errors = report.as_dict()["errors"]
        if not report.ok:
            services.job_fail(job_id=job_id, message=f"Tệp có {len(errors)} lỗi; chưa nhập dữ liệu nào.",
                              errors=errors)
            return "failed"
        verb = "Kiểm tra xong (chạy thử, chưa ghi)" if dry_run else "Đã nhập"
        services.job_finish(job_id=job_id, message=f"{verb}: {report.created} đơn vị mới, "
                                                   f"{report.updated} đơn vị cập nhật.")
        return "done"
    return "failed"
