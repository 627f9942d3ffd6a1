from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import Outbox


@shared_task(acks_late=True)
def outbox_send(outbox_id: int) -> str:
    """Send one queued row. A row already sent (or claimed) is left alone."""
    now = timezone.now()
    claimed = Outbox.objects.filter(pk=outbox_id, status=Outbox.Status.QUEUED).update(
        status=Outbox.Status.SENDING, sending_since=now, attempts=models_F_attempts()
    )
    if not claimed:
        return "skipped"
    row = Outbox.objects.get(pk=outbox_id)
    from .services import outbox_render

    try:
        text, html = outbox_render(row)
        message = EmailMultiAlternatives(row.subject, text, to=[row.to])
        if html:
            message.attach_alternative(html, "text/html")
        message.send()
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row
        with transaction.atomic():
            Outbox.objects.filter(pk=row.pk).update(status=Outbox.Status.FAILED, last_error=str(exc)[:2000])
        return "failed"
    Outbox.objects.filter(pk=row.pk).update(status=Outbox.Status.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def models_F_attempts():
    from django.db.models import F

    return F("attempts") + 1
