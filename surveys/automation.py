"""The survey's part in the periodic tick (cchc_portal.notifications.registry).

Imported once from SurveysConfig.ready(); importing registers (by name, so twice is once):
- due work `surveys.invitations_due`: once the `survey` step has opened, every approved
  respondent not yet invited gets a personal link (services.survey_due_invitations);
- due work `surveys.answers_expand`: the rows of Answer of the responses sent since the
  last tick, written from their one-row documents (answers.expand_pending; the points
  also do it first, so they never wait for the tick);
- due work `surveys.integrity_scan`: flags over the latest responses (one device, too
  fast, identical patterns; services.survey_flags_scan), off the respondent's path;
- reminder source `respondent_lists`: covered agencies whose list is not sent yet;
- reminder source `survey`: respondents who have not answered, by their agency's
  effective deadline. A reminder carries no personal link (only hashes are stored, and an
  outbox row must not hold a usable link): it points to the public page where a
  respondent gets a fresh link e-mailed to the listed address.
"""
from django.urls import reverse
from django.utils.translation import gettext_lazy

from campaigns.focal.automation import focal_recipients, with_focal
from campaigns.models import FocalRole, Membership, StepKind
from campaigns.selectors import step_windows
from cchc_portal.notifications.registry import (
    Recipient,
    ReminderTarget,
    register_bounce_handler,
    register_due_work,
    register_reminder_source,
)
from surveys.services.integrity import survey_flags_scan
from surveys.services.invitations import invitation_mark_bounced, survey_due_invitations, survey_unanswered_recipients

from .answers import expand_pending
from .models import RespondentGroup, RespondentList


def invitations_due(now) -> str:
    sent = survey_due_invitations(now=now)
    return f"{sent} thư mời trả lời phiếu điều tra XHH"


def answers_expand(now) -> str:
    return f"{expand_pending()} phiếu trả lời đã ghi thành từng câu"


def integrity_scan(now) -> str:
    return f"{survey_flags_scan(now=now)} dấu hiệu bất thường mới khi trả lời phiếu"


def survey_due(campaign, now):
    """One target per respondent who has not answered while their window is open."""
    url = reverse("surveys:link_request")
    for invitation in survey_unanswered_recipients(campaign=campaign, now=now):
        respondent = invitation.respondent
        window = invitation.window
        yield ReminderTarget(
            key=f"respondent:{respondent.pk}", name=respondent.full_name, deadline=window.closes_at,
            opens_at=window.opens_at, url=url,
            recipients=[Recipient(key=f"respondent:{respondent.pk}", email=respondent.email,
                                  name=respondent.full_name, role="respondent")])


def lists_due(campaign, now):
    """Covered agencies that have not sent their respondent list (none, draft or returned),
    when the campaign has respondent groups at all."""
    if not RespondentGroup.objects.filter(campaign=campaign).exists():
        return
    done = set(RespondentList.objects.filter(campaign=campaign, status__in=[
        RespondentList.Status.SENT, RespondentList.Status.APPROVED]).values_list("agency_id", flat=True))
    agencies = [a for a in campaign.agencies.filter(active=True).order_by("code") if a.pk not in done]
    windows = step_windows(campaign=campaign, kind=StepKind.RESPONDENT_LISTS, agency_ids=[a.pk for a in agencies])
    members: dict[int, list] = {}
    for m in (Membership.objects.filter(agency_id__in=list(windows), user__is_active=True)
              .select_related("user").order_by("agency_id", "role", "user_id")):
        members.setdefault(m.agency_id, []).append(m)
    focal = focal_recipients(campaign=campaign, agency_ids=list(windows), role=FocalRole.SURVEY)
    for agency in agencies:
        window = windows.get(agency.pk)
        if window is None:
            continue
        yield ReminderTarget(
            key=f"agency:{agency.pk}", name=agency.name, deadline=window.closes_at, opens_at=window.opens_at,
            url=reverse("surveys:list_detail", kwargs={"pk": campaign.pk, "code": agency.code}),
            recipients=with_focal([Recipient(key=f"user:{m.user_id}", email=m.user.email, name=m.user.display_name,
                                             user_id=m.user_id, role=m.role) for m in members.get(agency.pk, [])],
                                  focal.get(agency.pk, [])))


register_bounce_handler("invite:", invitation_mark_bounced)
register_due_work("surveys.invitations_due", invitations_due, order=30,
                  label=gettext_lazy("Gửi thư mời trả lời phiếu điều tra XHH"))
register_due_work("surveys.answers_expand", answers_expand, order=33,
                  label=gettext_lazy("Ghi phiếu trả lời thành từng câu"))
register_due_work("surveys.integrity_scan", integrity_scan, order=35,
                  label=gettext_lazy("Rà soát dấu hiệu bất thường khi trả lời phiếu"))
register_reminder_source(StepKind.RESPONDENT_LISTS, lists_due)
register_reminder_source(StepKind.SURVEY, survey_due)
