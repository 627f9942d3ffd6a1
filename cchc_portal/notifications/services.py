"""Writes of the outbox and notifications. Callers enqueue; a task sends after commit."""
from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification, Outbox


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path if path.startswith("/") else path


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

    transaction.on_commit(lambda: outbox_send.delay(row.pk))
    return row


def outbox_render(row: Outbox) -> tuple[str, str | None]:
    context = {"site_url": settings.SITE_URL, **row.context}
    text = render_to_string(f"emails/{row.template}.txt", context)
    try:
        html = render_to_string(f"emails/{row.template}.html", context)
    except Exception:  # noqa: BLE001 - the HTML part is optional
        html = None
    return text, html


def notification_create(*, user, text, url="", key="") -> Notification | None:
    if key and Notification.objects.filter(user=user, key=key).exists():
        return None
    return Notification.objects.create(user=user, text=text[:500], url=url, key=key)


def notification_mark_read(*, user, pk=None, now=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read_at=now or timezone.now())
