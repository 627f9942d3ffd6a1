"""Scoring's part in the periodic tick: locks at each cutoff and who still owes what.

Imported once from ScoringConfig.ready(); importing registers (by name, so twice is once):
- due work `scoring.lock_overdue`: scoring.services.assessments.assessment_lock_overdue, then
  tells each locked agency's users and the officers, once;
- due work `scoring.explanation_close_overdue`: scoring.services.explanations.
  explanation_close_overdue, then tells the agency and the appraiser who asked, once;
- reminder sources for `self_assessment` (agencies that have not submitted, with their
  effective deadline), `explanation` (open explanation requests, by their due time) and
  `departments` (a province campaign's departments that lead unsent items).
The notices are found from the data (locked in the last two days, closed after their due
time), not from what one call returned, so a tick that died half-way is made good by the next.
"""
from datetime import timedelta

from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from campaigns.focal.automation import agency_members, agency_recipients, focal_recipients, with_focal
from campaigns.models import Agency, FocalRole, StepKind
from campaigns.selectors import officers, step_windows
from cchc_portal.automation.reminders import vn_time
from cchc_portal.notifications.models import Notification
from cchc_portal.notifications.registry import (
    ReminderTarget,
    register_due_work,
    register_reminder_source,
)
from cchc_portal.notifications.services import announce
from scoring.models import Assessment, ExplanationRequest
from scoring.selectors.province import province_assessment, province_leads_owing

NOTICE_WINDOW = timedelta(days=2)
NOT_SUBMITTED = [Assessment.Status.DRAFT, Assessment.Status.WITH_LEADER, Assessment.Status.LOCKED]


def _assessment_url(assessment_id, campaign_id) -> str:
    try:
        return reverse("scoring:assessment_page", args=[assessment_id])
    except NoReverseMatch:
        return f"/campaigns/{campaign_id}/"


def _told(keys) -> set[tuple[str, int]]:
    return set(Notification.objects.filter(key__in=list(keys)).values_list("key", "user_id"))


# ---------------------------------------------------------------- locks at the self-assessment cutoff


def lock_notices(*, now) -> int:
    """Tell, once, the agency's users about every assessment locked in the last two days,
    and each officer about every batch of locks (one message per campaign and lock time)."""
    locked = list(Assessment.objects.filter(
        status=Assessment.Status.LOCKED, locked_at__gte=now - NOTICE_WINDOW, locked_at__lte=now,
    ).select_related("agency", "campaign").order_by("campaign_id", "locked_at", "agency__code"))
    if not locked:
        return 0
    members = agency_members({a.agency_id for a in locked})
    keys = {a.pk: f"assessment-locked:{a.pk}:{int(a.locked_at.timestamp())}" for a in locked}
    told = _told(keys.values())
    count = 0
    batches: dict[tuple, list[Assessment]] = {}
    for a in locked:
        batches.setdefault((a.campaign_id, a.locked_at), []).append(a)
        users = [u for _role, u in members.get(a.agency_id, []) if (keys[a.pk], u.pk) not in told]
        if not users:
            continue
        text = (f"Bản tự đánh giá của {a.agency.name} ({a.campaign.name}) đã bị khóa lúc {vn_time(a.locked_at)} "
                f"do hết hạn tự đánh giá. Liên hệ Sở Nội vụ nếu cần gia hạn.")
        count += announce(users=users, subject=f"[Đã khóa] Bản tự đánh giá của {a.agency.name}", text=text,
                          url=_assessment_url(a.pk, a.campaign_id), key=keys[a.pk])
    people = list(officers())
    for (campaign_id, locked_at), batch in batches.items():
        key = f"assessments-locked:{campaign_id}:{int(locked_at.timestamp())}"
        done = {uid for k, uid in _told([key])}
        users = [p for p in people if p.pk not in done]
        if not users:
            continue
        names = [a.agency.name for a in batch]
        text = (f"{len(names)} bản tự đánh giá chưa gửi đã bị khóa lúc {vn_time(locked_at)} "
                f"({batch[0].campaign.name}). Cán bộ Sở có thể gia hạn để mở lại.")
        count += announce(users=users, subject=f"[Đã khóa] {len(names)} bản tự đánh giá quá hạn", text=text,
                          url=f"/campaigns/{campaign_id}/", key=key, context={"names": names})
    return count


def lock_overdue(now) -> str:
    from scoring.services.assessments import assessment_lock_overdue

    locked = assessment_lock_overdue(now=now)
    told = lock_notices(now=now)
    return f"{len(locked)} bản tự đánh giá bị khóa khi hết hạn; {told} thư báo mới"


# ---------------------------------------------------------------- explanations past their due time


def explanation_notices(*, now) -> int:
    """Tell, once, the agency and the appraiser who asked about requests closed at their due time."""
    closed = list(ExplanationRequest.objects.filter(
        status=ExplanationRequest.Status.CLOSED, answered_at__isnull=True,
        due_at__gte=now - NOTICE_WINDOW, due_at__lte=now, updated_at__gte=F("due_at"),
    ).select_related("assessment__agency", "assessment__campaign", "created_by"))
    if not closed:
        return 0
    members = agency_members({r.assessment.agency_id for r in closed})
    keys = {r.pk: f"explanation-closed:{r.pk}" for r in closed}
    told = _told(keys.values())
    count = 0
    for r in closed:
        a = r.assessment
        users = [u for _role, u in members.get(a.agency_id, [])] + [r.created_by]
        users = [u for u in users if (keys[r.pk], u.pk) not in told]
        if not users:
            continue
        text = (f"Yêu cầu giải trình gửi {a.agency.name} ({a.campaign.name}) đã hết hạn lúc {vn_time(r.due_at)} "
                f"và được đóng; không nhận thêm giải trình.")
        count += announce(users=users, subject=f"[Hết hạn giải trình] {a.agency.name}", text=text,
                          url=_assessment_url(a.pk, a.campaign_id), key=keys[r.pk])
    return count


def explanation_close(now) -> str:
    from scoring.services.explanations import explanation_close_overdue

    closed = explanation_close_overdue(now=now)
    told = explanation_notices(now=now)
    return f"{len(closed)} yêu cầu giải trình hết hạn được đóng; {told} thư báo mới"


# ---------------------------------------------------------------- reminder sources


def self_assessment_due(campaign, now):
    """Agencies whose self-assessment is not submitted yet, with their effective deadline."""
    rows = list(Assessment.objects.filter(campaign=campaign, status__in=NOT_SUBMITTED)
                .select_related("agency").order_by("agency__code"))
    if not rows:
        return
    windows = step_windows(campaign=campaign, kind=StepKind.SELF_ASSESSMENT, agency_ids=[a.agency_id for a in rows])
    members = agency_members(windows.keys())
    focal = focal_recipients(campaign=campaign, agency_ids=windows.keys(), role=FocalRole.SCORING)
    for a in rows:
        window = windows.get(a.agency_id)
        if window is None:
            continue
        yield ReminderTarget(key=f"agency:{a.agency_id}", name=a.agency.name, deadline=window.closes_at,
                             opens_at=window.opens_at, url=_assessment_url(a.pk, campaign.pk),
                             recipients=with_focal(agency_recipients(a.agency, members.get(a.agency_id, [])),
                                                   focal.get(a.agency_id, [])))


def explanation_due(campaign, now):
    """Open explanation requests, each by its own due time (moved by extensions)."""
    requests = list(ExplanationRequest.objects.filter(
        assessment__campaign=campaign, status=ExplanationRequest.Status.OPEN,
    ).filter(~Q(assessment__status=Assessment.Status.FINAL)).select_related("assessment__agency"))
    members = agency_members({r.assessment.agency_id for r in requests})
    focal = focal_recipients(campaign=campaign, agency_ids={r.assessment.agency_id for r in requests},
                             role=FocalRole.SCORING)
    for r in requests:
        a = r.assessment
        yield ReminderTarget(key=f"explanation:{r.pk}", name=a.agency.name, deadline=r.due_at, opens_at=r.created_at,
                             url=_assessment_url(a.pk, campaign.pk),
                             recipients=with_focal(agency_recipients(a.agency, members.get(a.agency_id, [])),
                                                   focal.get(a.agency_id, [])))


def departments_due(campaign, now):
    """A province campaign's departments that still lead unsent items (being scored or
    returned), by their effective close of the `departments` step, to their members and
    their scoring focal officer. A department with everything sent is not reminded."""
    assessment = province_assessment(campaign=campaign)
    if assessment is None:
        return
    owing = province_leads_owing(assessment=assessment)
    if not owing:
        return
    windows = step_windows(campaign=campaign, kind=StepKind.DEPARTMENTS, agency_ids=list(owing))
    members = agency_members(windows.keys())
    focal = focal_recipients(campaign=campaign, agency_ids=windows.keys(), role=FocalRole.SCORING)
    for agency in Agency.objects.filter(pk__in=list(windows)).order_by("code"):
        window = windows[agency.pk]
        yield ReminderTarget(
            key=f"agency:{agency.pk}", name=agency.name, deadline=window.closes_at, opens_at=window.opens_at,
            url=reverse("scoring:province_department", args=[campaign.pk, agency.code]),
            recipients=with_focal(agency_recipients(agency, members.get(agency.pk, [])), focal.get(agency.pk, [])))


register_due_work("scoring.lock_overdue", lock_overdue, order=10, label=gettext_lazy("Khóa chấm điểm khi hết hạn"))
register_due_work("scoring.explanation_close_overdue", explanation_close, order=20,
                  label=gettext_lazy("Đóng yêu cầu giải trình quá hạn"))
register_reminder_source(StepKind.SELF_ASSESSMENT, self_assessment_due)
register_reminder_source(StepKind.EXPLANATION, explanation_due)
register_reminder_source(StepKind.DEPARTMENTS, departments_due)
