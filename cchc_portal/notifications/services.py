"""Writes of the outbox, in-app notifications and long jobs.

Callers enqueue; a task sends after commit. Reminders live in reminders.py, the tick in
tick.py.
"""
import logging
import uuid
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from cchc_portal.core.exceptions import ConflictError

from .models import Job, Notification, Outbox
from .sending import AfterHandover, Fenced, Refused, Transport

logger = logging.getLogger(__name__)

S = Outbox.Status


def _setting(name, default):
    return getattr(settings, name, default)


def retry_base() -> timedelta:
    return timedelta(seconds=_setting("OUTBOX_RETRY_BASE_SECONDS", 60))


def retry_cap() -> timedelta:
    return timedelta(seconds=_setting("OUTBOX_RETRY_CAP_SECONDS", 6 * 3600))


def max_attempts() -> int:
    return _setting("OUTBOX_MAX_ATTEMPTS", 6)


def stale_after() -> timedelta:
    """How long a row may stay in `sending` before the tick decides its worker died.
    Longer than any SMTP exchange (the socket timeout is EMAIL_TIMEOUT or 30 s)."""
    return timedelta(seconds=_setting("OUTBOX_STALE_SECONDS", 600))


def backoff(attempts: int) -> timedelta:
    """60 s, 2 min, 4 min... capped at 6 h: the delay before attempt `attempts + 1`."""
    return min(retry_base() * (2 ** max(attempts - 1, 0)), retry_cap())


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path if path.startswith("/") else path


# ---------------------------------------------------------------- enqueue


def outbox_enqueue(*, to, subject, template, context=None, key) -> Outbox | None:
    """Queue one e-mail; the same `key` twice queues it once (returns None the second time).

    `template` names `templates/emails/<template>.txt` (and `.html` when present).
    The row is committed with the caller's transaction; sending is scheduled on commit.
    """
    try:
        with transaction.atomic():
            row = Outbox.objects.create(
                to=to, subject=subject[:255], template=template, context=context or {}, key=key[:255]
            )
    except IntegrityError:
        return None
    from .tasks import outbox_send

    # robust: a broker outage must not fail the change that was just committed; the tick
    # sends the row later anyway.
    transaction.on_commit(lambda: outbox_send.delay(row.pk), robust=True)
    return row


def outbox_enqueue_many(messages, *, batch_size=2000) -> int:
    """Queue many e-mails at once (dicts with the keys of `outbox_enqueue`); keys already
    queued are skipped. One batch task is scheduled on commit. Returns how many were new."""
    messages = list(messages)
    keys = [m["key"][:255] for m in messages]
    existing = set()
    for i in range(0, len(keys), batch_size):
        existing |= set(Outbox.objects.filter(key__in=keys[i:i + batch_size]).values_list("key", flat=True))
    now = timezone.now()
    rows, seen = [], set()
    for m, key in zip(messages, keys, strict=True):
        if key in existing or key in seen:
            continue
        seen.add(key)
        rows.append(Outbox(to=m["to"], subject=m["subject"][:255], template=m["template"],
                           context=m.get("context") or {}, key=key, created_at=now, next_attempt_at=now))
    with transaction.atomic():
        Outbox.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
    if rows:
        from .tasks import send_queued

        transaction.on_commit(lambda: send_queued.delay(), robust=True)
    return len(rows)


def outbox_render(row: Outbox) -> tuple[str, str | None]:
    context = {"site_url": settings.SITE_URL, "subject": row.subject, **row.context}
    text = render_to_string(f"emails/{row.template}.txt", context)
    try:
        html = render_to_string(f"emails/{row.template}.html", context)
    except TemplateDoesNotExist:  # the HTML part is optional
        html = None
    return text, html


def outbox_message(row: Outbox) -> EmailMultiAlternatives:
    text, html = outbox_render(row)
    message = EmailMultiAlternatives(
        row.subject, text, from_email=settings.DEFAULT_FROM_EMAIL, to=[row.to],
        headers={"Message-ID": row.message_id, "X-CCHC-Outbox": str(row.pk)},
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


# ---------------------------------------------------------------- claim and send


def outbox_claim(*, limit=50, ids=None, now=None) -> tuple[str, list[Outbox]]:
    """Take up to `limit` due queued rows for this worker (status `sending`, a fresh
    claim token). Two workers never get the same row: PostgreSQL skips rows another
    transaction holds; the update is conditional on `queued` everywhere."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        qs = Outbox.objects.filter(status=S.QUEUED, next_attempt_at__lte=now)
        if ids is not None:
            qs = qs.filter(pk__in=list(ids))
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        # Ordered by the indexed column alone: a tie-break on pk would sort every due row.
        pks = list(qs.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
        if not pks:
            return token, []
        Outbox.objects.filter(pk__in=pks, status=S.QUEUED).update(
            status=S.SENDING, claim=token, sending_since=now, handed_over_at=None, attempts=F("attempts") + 1)
    rows = list(Outbox.objects.filter(pk__in=pks, claim=token, status=S.SENDING).order_by("next_attempt_at", "pk"))
    return token, rows


def _flush_sent(done) -> None:
    """Mark sent the rows whose server said 250 (same claim only: idempotent)."""
    for token, pks in _by_token(done).items():
        Outbox.objects.filter(pk__in=pks, claim=token, status__in=[S.SENDING, S.UNCERTAIN]).update(
            status=S.SENT, sent_at=timezone.now(), last_error="", claim="")


def _by_token(done):
    out: dict[str, list[int]] = {}
    for pk, token in done:
        out.setdefault(token, []).append(pk)
    return out


def _fence(row, token, done=()):
    """The handover of `row`, in the transaction committed right after its final "." is
    written. It also marks sent the rows answered 250 since the last commit, so each message
    costs one commit; a worker killed in between leaves at most its last row uncertain."""
    def fence():
        if done:
            _flush_sent(done)
        updated = Outbox.objects.filter(pk=row.pk, claim=token, status=S.SENDING).update(
            handed_over_at=timezone.now())
        if updated != 1:
            raise Fenced(row.pk)
    return fence


def _mark_not_delivered(row, token, error, *, permanent=False, bounced=False, now=None):
    """The server certainly does not have it: queue again with backoff, or give up."""
    now = now or timezone.now()
    attempts = row.attempts  # read after the claim, so it counts this attempt
    if bounced:
        status = S.BOUNCED
    elif permanent or attempts >= max_attempts():
        status = S.FAILED
    else:
        status = S.QUEUED
    fields = {"status": status, "last_error": str(error)[:2000], "claim": "", "handed_over_at": None,
              "sending_since": None}
    if status == S.QUEUED:
        fields["next_attempt_at"] = now + backoff(attempts)
    if Outbox.objects.filter(pk=row.pk, claim=token, status=S.SENDING).update(**fields) and status == S.BOUNCED:
        _bounced(row, now=now)
    return status


def _bounced(row, *, now=None) -> None:
    """Tell the app that sent it (registry.register_bounce_handler): e.g. the invitation."""
    from .registry import bounce_handlers

    for handler in bounce_handlers(row.key):
        handler(key=row.key, to=row.to, now=now or timezone.now())


def outbox_deliver(*, token, rows, transport=None, on_row=None) -> dict[str, int]:
    """Send rows this worker claimed over one connection. Returns counts per outcome."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "uncertain": 0, "skipped": 0}
    own = transport is None
    transport = transport or Transport(_connection())
    done: list[tuple[int, str]] = []  # answered 250, to be marked sent with the next commit
    try:
        for row in rows:
            outcome = _deliver_one(row, token, transport, done)
            counts[outcome] += 1
            if on_row:
                on_row(row, outcome)
    finally:
        _flush_sent(done)
        if own:
            transport.close()
    return counts


def _connection():
    from django.core.mail import get_connection

    return get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 30)


def _deliver_one(row, token, transport, done) -> str:
    try:
        message = outbox_message(row)
    except (TemplateDoesNotExist, TemplateSyntaxError) as exc:
        _mark_not_delivered(row, token, f"Lỗi mẫu thư: {exc}", permanent=True)
        return "failed"
    try:
        transport.send(message, _fence(row, token, list(done)))
    except Fenced:
        return "skipped"
    except AfterHandover as exc:
        Outbox.objects.filter(pk=row.pk, claim=token, status=S.SENDING).update(
            status=S.UNCERTAIN, last_error=f"Đã chuyển thư cho máy chủ nhưng không nhận được xác nhận: {exc}"[:2000])
        return "uncertain"
    except Refused as exc:
        status = _mark_not_delivered(row, token, exc, permanent=exc.permanent, bounced=exc.bounced)
        return "retry" if status == S.QUEUED else "failed"
    except Exception as exc:  # noqa: BLE001 - connection refused, timeouts, a broken server: try later
        logger.warning("outbox %s: %s", row.pk, exc)
        status = _mark_not_delivered(row, token, f"{exc.__class__.__name__}: {exc}")
        return "retry" if status == S.QUEUED else "failed"
    # The fence's transaction committed, with the rows answered before: only this one is left.
    done[:] = [(row.pk, token)]
    return "sent"


def outbox_send_one(*, outbox_id, now=None) -> str:
    token, rows = outbox_claim(ids=[outbox_id], limit=1, now=now)
    if not rows:
        return "skipped"
    counts = outbox_deliver(token=token, rows=rows)
    return next(k for k, v in counts.items() if v)


def outbox_send_due(*, limit=None, chunk=50, now=None, on_progress=None) -> dict[str, int]:
    """Send due queued rows in chunks until none is left (or `limit` rows were tried)."""
    totals = {"sent": 0, "retry": 0, "failed": 0, "uncertain": 0, "skipped": 0}
    tried = 0
    with Transport(_connection()) as transport:
        while limit is None or tried < limit:
            size = chunk if limit is None else min(chunk, limit - tried)
            token, rows = outbox_claim(limit=size, now=now)
            if not rows:
                break
            counts = outbox_deliver(token=token, rows=rows, transport=transport)
            tried += len(rows)
            for k, v in counts.items():
                totals[k] += v
            if on_progress:
                on_progress(tried, totals)
    return totals


def outbox_recover(*, now=None) -> dict[str, int]:
    """Rows stuck in `sending` (their worker died): queued again when they were certainly
    not handed over, `uncertain` when they were. Idempotent."""
    now = now or timezone.now()
    cutoff = now - stale_after()
    stuck = Outbox.objects.filter(status=S.SENDING, sending_since__lt=cutoff)
    requeued = stuck.filter(handed_over_at__isnull=True).update(
        status=S.QUEUED, claim="", sending_since=None,
        last_error="Tiến trình gửi dừng giữa chừng; thư chưa được chuyển đi, sẽ gửi lại.")
    uncertain = stuck.filter(handed_over_at__isnull=False).update(
        status=S.UNCERTAIN,
        last_error="Tiến trình gửi dừng ngay sau khi chuyển thư cho máy chủ thư; thư nhiều khả năng đã đến. "
                   "Kiểm tra với người nhận trước khi gửi lại.")
    return {"requeued": requeued, "uncertain": uncertain}


def outbox_retry(*, row, user=None, now=None) -> Outbox:
    """An officer sends a failed, bounced or uncertain row again (attempts start over)."""
    now = now or timezone.now()
    updated = Outbox.objects.filter(pk=row.pk, status__in=[S.FAILED, S.BOUNCED, S.UNCERTAIN]).update(
        status=S.QUEUED, attempts=0, next_attempt_at=now, claim="", handed_over_at=None, sending_since=None)
    if not updated:
        raise ConflictError(gettext("Thư này không ở trạng thái lỗi nên không thể gửi lại."))
    from .tasks import outbox_send

    transaction.on_commit(lambda: outbox_send.delay(row.pk), robust=True)
    row.refresh_from_db()
    return row


def outbox_mark(*, row, status, user=None, note="") -> Outbox:
    """An officer records what the mail server said later: bounced, or (for an uncertain
    row) confirmed sent."""
    allowed = {S.BOUNCED: [S.SENT, S.FAILED, S.UNCERTAIN, S.QUEUED], S.SENT: [S.UNCERTAIN]}
    if status not in allowed:
        raise ConflictError(gettext("Trạng thái không hợp lệ."))
    fields = {"status": status, "claim": ""}
    if note:
        fields["last_error"] = note[:2000]
    if status == S.SENT:
        fields["sent_at"] = timezone.now()
    if not Outbox.objects.filter(pk=row.pk, status__in=allowed[status]).update(**fields):
        raise ConflictError(gettext("Không thể chuyển thư sang trạng thái này."))
    row.refresh_from_db()
    if status == S.BOUNCED:
        _bounced(row)
    return row


def outbox_dispatch_due(*, now=None) -> int:
    """Schedule batch sends for due queued rows (retries after their backoff, rows whose
    on-commit task was lost). One batch task per 500 rows, at most 4."""
    now = now or timezone.now()
    due = Outbox.objects.filter(status=S.QUEUED, next_attempt_at__lte=now)[:2001].count()
    if not due:
        return 0
    from .tasks import send_queued

    tasks = min(4, (due + 499) // 500)
    for _ in range(tasks):
        transaction.on_commit(lambda: send_queued.delay(), robust=True)
    return due


# ---------------------------------------------------------------- in-app notifications


def notify(*, users, text, url="", key) -> int:
    """One in-app notification per user; the same `key` reaches a user once.
    `users`: User objects or ids. Returns how many were created."""
    ids = {getattr(u, "pk", u) for u in users}
    ids.discard(None)
    if not ids:
        return 0
    key = key[:255]
    if key:
        ids -= set(Notification.objects.filter(key=key, user_id__in=ids).values_list("user_id", flat=True))
    now = timezone.now()
    rows = [Notification(user_id=i, text=text[:500], url=url[:500], key=key, created_at=now) for i in sorted(ids)]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def announce(*, users, subject, text, url="", template="notice", context=None, key) -> int:
    """The same event in the bell and by e-mail (through the outbox), once per user."""
    users = [u for u in users if u is not None]
    notify(users=users, text=text, url=url, key=key)
    queued = 0
    for user in users:
        if not user.email:
            continue
        ctx = {"full_name": user.display_name, "text": text, "url": absolute_url(url) if url else "",
               **(context or {})}
        queued += outbox_enqueue(to=user.email, subject=subject, template=template, context=ctx,
                                 key=f"{key}:u{user.pk}") is not None
    return queued


def notification_create(*, user, text, url="", key="") -> Notification | None:
    if key and Notification.objects.filter(user=user, key=key).exists():
        return None
    return Notification.objects.create(user=user, text=text[:500], url=url, key=key)


def notification_mark_read(*, user, pk=None, now=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read_at=now or timezone.now())


# ---------------------------------------------------------------- long jobs


def job_start(*, kind, user, task, args=None, title="", input_file=None) -> Job:
    """Record a long job and run `task(job_id=..., **args)` after commit (inline in the demo).

    The task reports through `job_progress` / `job_finish` / `job_fail`, or simply runs
    inside `with job_running(job_id) as job:`. The job page (`job.get_absolute_url`) shows
    a progress bar that survives leaving and coming back.
    """
    job = Job(kind=kind, title=title[:255], created_by=user, args=args or {})
    if input_file is not None:
        job.input_file.save(f"{uuid.uuid4().hex}-{getattr(input_file, 'name', 'upload')[-80:]}", input_file,
                            save=False)
    job.full_clean(exclude=["input_file"])
    job.save()
    transaction.on_commit(lambda: task.delay(job_id=job.pk, **(args or {})))
    return job


def job_progress(*, job_id, done, total=None, message=None) -> None:
    fields = {"done": done}
    if total is not None:
        fields["total"] = total
    if message is not None:
        fields["message"] = message[:500]
    Job.objects.filter(pk=job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
        status=Job.Status.RUNNING, **fields)


def job_finish(*, job_id, message="", result_url="", errors=None, failed=False) -> None:
    job = Job.objects.get(pk=job_id)
    job.status = Job.Status.FAILED if failed else Job.Status.DONE
    job.message = message[:500]
    job.result_url = result_url[:500]
    job.errors = list(errors or [])[:1000]
    job.finished_at = timezone.now()
    if not failed and job.total:
        job.done = job.total
    job.save(update_fields=["status", "message", "result_url", "errors", "finished_at", "done"])
    url = job.get_absolute_url()
    text = (f"{job.title or job.kind}: " + (message or (gettext("Có lỗi.") if failed else gettext("Đã xong."))))
    notify(users=[job.created_by_id], text=text, url=url, key=f"job:{job.pk}:{job.status}")


def job_fail(*, job_id, message, errors=None) -> None:
    job_finish(job_id=job_id, message=message, errors=errors, failed=True)


class job_running:  # noqa: N801 - used as `with job_running(job_id) as job:`
    """Run a job's body: marks it running, turns an exception into a failed job.

    Redelivered after it finished (acks_late), the body is skipped: `job` is None.
    """

    def __init__(self, job_id):
        self.job_id = job_id
        self.job = None

    def __enter__(self):
        started = Job.objects.filter(pk=self.job_id).filter(
            Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING)).update(
            status=Job.Status.RUNNING, started_at=timezone.now())
        self.job = Job.objects.get(pk=self.job_id) if started else None
        return self.job

    def __exit__(self, exc_type, exc, tb):
        if exc is None or self.job is None:
            return False
        logger.exception("job %s failed", self.job_id, exc_info=(exc_type, exc, tb))
        if isinstance(exc, SoftTimeLimitExceeded):
            job_fail(job_id=self.job_id, message=gettext(
                "Việc chạy quá thời gian cho phép nên đã dừng; chưa có kết quả."))
            return True
        message = getattr(exc, "message", None) or str(exc) or exc_type.__name__
        job_fail(job_id=self.job_id, message=gettext("Lỗi: %(message)s") % {"message": message})
        return True
