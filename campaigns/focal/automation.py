"""Focal officers in the periodic tick (cchc_portal.notifications.registry).

Imported once from CampaignsConfig.ready(); registers the reminder source of the
`focal_officers` step: covered agencies that have not named a focal officer for every
required duty, by their effective deadline, to the agency's members (the agency's own
address when it has no staff account). `focal_recipients` gives the other sources the focal
officer of the matching duty, so they receive the agency's reminders and requests too.
"""
from django.urls import reverse

from campaigns.models import FocalOfficer, Membership, Role, StepKind
from campaigns.selectors import step_windows
from cchc_portal.notifications.registry import Recipient, ReminderTarget, register_reminder_source

from .selectors import focal_agencies_missing, focal_officers_by_agency


def focal_recipient(officer: FocalOfficer) -> Recipient:
    return Recipient(key=f"focal:{officer.role}:{officer.email.lower()}", email=officer.email,
                     name=officer.full_name, role="focal")


def focal_recipients(*, campaign, agency_ids, role) -> dict[int, list[Recipient]]:
    """agency id → [the Recipient of its focal officer for `role`] (one query)."""
    return {aid: [focal_recipient(o)] for aid, o in focal_officers_by_agency(
        campaign=campaign, agency_ids=agency_ids, role=role).items()}


def with_focal(recipients: list[Recipient], focal: list[Recipient]) -> list[Recipient]:
    """`recipients` and the focal officers whose address none of them has already."""
    seen = {r.email.lower() for r in recipients if r.email}
    return list(recipients) + [f for f in focal if f.email.lower() not in seen]


def agency_members(agency_ids) -> dict[int, list[tuple[str, object]]]:
    """agency id → [(role, user)] of its active users, in one query."""
    out: dict[int, list[tuple[str, object]]] = {}
    for m in (Membership.objects.filter(agency_id__in=list(agency_ids), user__is_active=True)
              .select_related("user").order_by("agency_id", "role", "user_id")):
        out.setdefault(m.agency_id, []).append((m.role, m.user))
    return out


def agency_recipients(agency, members) -> list[Recipient]:
    """Whom an agency's reminder goes to: its `members` ([(role, user)], agency_members), and
    the agency's own address when none of them is staff."""
    people = [Recipient(key=f"user:{u.pk}", email=u.email, name=u.display_name, user_id=u.pk,
                        role="leader" if role == Role.LEADER else "staff") for role, u in members]
    if not any(p.role == "staff" for p in people) and agency.email:
        people.append(Recipient(key="agency-email", email=agency.email, name=agency.name))
    return people


def focal_officers_due(campaign, now):
    agencies = focal_agencies_missing(campaign=campaign)
    if not agencies:
        return
    windows = step_windows(campaign=campaign, kind=StepKind.FOCAL_OFFICERS, agency_ids=[a.pk for a in agencies])
    members = agency_members(windows)
    for agency in agencies:
        window = windows.get(agency.pk)
        if window is None:
            continue
        yield ReminderTarget(
            key=f"agency:{agency.pk}", name=agency.name, deadline=window.closes_at, opens_at=window.opens_at,
            url=reverse("campaigns:focal_edit", kwargs={"campaign_id": campaign.pk, "agency_code": agency.code}),
            recipients=agency_recipients(agency, members.get(agency.pk, [])))


register_reminder_source(StepKind.FOCAL_OFFICERS, focal_officers_due)
