"""The periodic tick as a Celery task (beat runs it every TICK_SECONDS)."""
from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cchc_portal.notifications.tasks import RETRY

from .tick import tick_run


def _when(value):
    if not value:
        return None
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# The name it had in cchc_portal.notifications.tasks: beat's schedule and messages already
# queued by a running deployment keep reaching it.
@shared_task(name="cchc_portal.notifications.tasks.tick", acks_late=True, **RETRY)
def tick(now: str | None = None) -> list:
    """The periodic tick (beat, every few minutes): every registered piece of due work."""
    return tick_run(now=_when(now)).results
