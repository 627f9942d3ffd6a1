"""Reads that depend on roles: jobs, reminder policies and the tick's record."""
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from campaigns.selectors import campaign_get_for_user, user_is_officer
from cchc_portal.core.selectors import one_or_404
from cchc_portal.notifications.models import Job

from .models import Reminder, ReminderPolicy, TickRun


def job_list_for_user(*, user) -> QuerySet[Job]:
    """A user's own jobs; officers see everyone's."""
    qs = Job.objects.select_related("created_by").defer("args")
    return qs if user_is_officer(user) else qs.filter(created_by=user)


def job_get_for_user(*, user, pk) -> Job:
    return one_or_404(job_list_for_user(user=user), pk=pk)


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
