"""Reads of notifications, the outbox, jobs, reminder policies and the tick's record."""
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from campaigns.selectors import campaign_get_for_user, user_is_officer

from .models import Job, Notification, Outbox, Reminder, ReminderPolicy, TickRun

PROBLEM_STATUSES = [Outbox.Status.FAILED, Outbox.Status.BOUNCED, Outbox.Status.UNCERTAIN]


def notification_list_for_user(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_get_for_user(*, user, pk) -> Notification:
    try:
        return notification_list_for_user(user=user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def job_list_for_user(*, user) -> QuerySet[Job]:
    """A user's own jobs; officers see everyone's."""
    qs = Job.objects.select_related("created_by").defer("args")
    return qs if user_is_officer(user) else qs.filter(created_by=user)


def job_get_for_user(*, user, pk) -> Job:
    try:
        return job_list_for_user(user=user).get(pk=pk)
    except (Job.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


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
    try:
        return Outbox.objects.get(pk=pk)
    except (Outbox.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def reminder_campaign_get_for_user(*, user, pk):
    """The campaign whose reminder policies an officer edits (404 for anyone else)."""
    if not user_is_officer(user):
        raise Http404
    return campaign_get_for_user(user=user, pk=pk)


def reminder_counts(*, campaign) -> dict[int, dict[int, int]]:
    """policy id → {offset: reminders sent}."""
    out: dict[int, dict[int, int]] = {}
    rows = (Reminder.objects.filter(policy__campaign=campaign).values_list("policy_id", "offset")
            .annotate(n=Count("id")).order_by())
    for policy_id, offset, n in rows:
        out.setdefault(policy_id, {})[offset] = n
    return out


def reminder_recent(*, campaign) -> QuerySet[Reminder]:
    return Reminder.objects.filter(policy__campaign=campaign).select_related("policy", "outbox").order_by(
        "-created_at", "-id")


def reminder_policy_list(*, campaign) -> QuerySet[ReminderPolicy]:
    return ReminderPolicy.objects.filter(campaign=campaign).select_related("updated_by")


def tick_run_list() -> QuerySet[TickRun]:
    return TickRun.objects.order_by("-started_at", "-id")


def tick_failures() -> int:
    return TickRun.objects.filter(~Q(ok=True)).count()
