"""Reads of in-app notifications and the outbox. (Who may see which job, reminder and tick
run depends on roles: cchc_portal.automation.selectors.)"""
from django.db.models import Count, QuerySet

from cchc_portal.core.selectors import one_or_404

from .models import Notification, Outbox

PROBLEM_STATUSES = [Outbox.Status.FAILED, Outbox.Status.BOUNCED, Outbox.Status.UNCERTAIN]


def notification_list_for_user(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_get_for_user(*, user, pk) -> Notification:
    return one_or_404(notification_list_for_user(user=user), pk=pk)


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def outbox_list(*, status=None) -> QuerySet[Outbox]:
    """Officers' view of the outbox; by default the rows that need a look."""
    qs = Outbox.objects.defer("context").order_by("-created_at", "-id")
    if status:
        return qs.filter(status=status)
    return qs.filter(status__in=PROBLEM_STATUSES)


def outbox_counts() -> dict[str, int]:
    counts = dict(Outbox.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {s.value: counts.get(s.value, 0) for s in Outbox.Status}


def outbox_get(*, pk) -> Outbox:
    return one_or_404(Outbox.objects.all(), pk=pk)
