"""Reads of focal officers: one agency's, the contact list of a campaign, who is missing."""
import re
from dataclasses import dataclass, field

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import REQUIRED_FOCAL_ROLES, Agency, FocalOfficer, FocalRole, StepKind, phone_display
from campaigns.participants import participant_agencies
from campaigns.selectors import Window, step_window_for, step_window_resolver, user_agency_ids, user_is_officer

_SEPARATORS = re.compile(r"[\s.\-()/]")
_PHONE = re.compile(r"0[1-9][0-9]{8,9}")
__all__ = ["phone_display", "phone_normalize"]


def phone_normalize(text) -> str | None:
    """"0912.345.678", "+84 912 345 678", "02073.818.973" → digits from 0 (10 for a mobile,
    11 for a landline with its area code); None when it is no Vietnamese number."""
    digits = _SEPARATORS.sub("", str(text or ""))
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if _PHONE.fullmatch(digits) else None


def focal_agency_get_for_user(*, user, campaign, code) -> Agency:
    """The covered agency `code` names, for an officer or one of its members; else 404."""
    agency = participant_agencies(campaign).filter(code=code).select_related("group").first()
    if agency is None or not (user_is_officer(user) or agency.pk in user_agency_ids(user)):
        raise Http404
    return agency


def focal_window(*, campaign, agency) -> Window | None:
    return step_window_for(agency=agency, campaign=campaign, kind=StepKind.FOCAL_OFFICERS)


def focal_lock_reason(*, campaign, agency, user, now) -> str:
    """Why the agency may not change its focal officers now ("" when it may). Officers
    always may; agencies within the step's effective window (extensions included)."""
    if user_is_officer(user):
        return ""
    window = focal_window(campaign=campaign, agency=agency)
    if window is None:
        return _("Kế hoạch chưa có bước cử cán bộ đầu mối.")
    if now < window.opens_at:
        return _("Chưa đến thời gian cử cán bộ đầu mối (từ %(opens_at)s).") % {
            "opens_at": timezone.localtime(window.opens_at).strftime("%H:%M %d/%m/%Y")}
    if now >= window.closes_at:
        return _("Đã hết hạn cử cán bộ đầu mối (%(closes_at)s); liên hệ Sở Nội vụ nếu cần thay đổi.") % {
            "closes_at": timezone.localtime(window.closes_at).strftime("%H:%M %d/%m/%Y")}
    return ""


def focal_officers_of(*, campaign, agency) -> dict[str, FocalOfficer]:
    """role → the agency's focal officer for it, in one query."""
    return {o.role: o for o in FocalOfficer.objects.filter(campaign=campaign, agency=agency)}


def focal_officers_by_agency(*, campaign, agency_ids, role) -> dict[int, FocalOfficer]:
    """agency id → its focal officer for `role` (those that named one), in one query: the
    recipients the agency's reminders and requests about that duty add."""
    return {o.agency_id: o for o in FocalOfficer.objects.filter(
        campaign=campaign, agency_id__in=list(agency_ids), role=role)}


def agency_addresses(*, campaign, agency, members, role=FocalRole.SCORING) -> list[tuple[str, str]]:
    """Where a request to `agency` is e-mailed: its `members` (users) with an address, the
    agency's own address and its focal officer for `role`, once per address (case-insensitive),
    sorted; as (address, name to greet)."""
    found: dict[str, tuple[str, str]] = {}
    for member in members:
        if member.email:
            found.setdefault(member.email.lower(), (member.email, member.display_name))
    if agency.email:
        found.setdefault(agency.email.lower(), (agency.email, agency.name))
    focal = focal_officers_by_agency(campaign=campaign, agency_ids=[agency.pk], role=role).get(agency.pk)
    if focal is not None:
        found.setdefault(focal.email.lower(), (focal.email, focal.full_name))
    return [found[address] for address in sorted(found)]


def missing_roles(officers: dict) -> list[FocalRole]:
    return [role for role in REQUIRED_FOCAL_ROLES if role.value not in officers]


@dataclass
class ContactRow:
    agency: Agency
    officers: dict = field(default_factory=dict)  # role → FocalOfficer
    window: Window | None = None

    @property
    def missing(self) -> list[FocalRole]:
        return missing_roles(self.officers)

    @property
    def cells(self) -> list[tuple[FocalRole, FocalOfficer | None]]:
        return [(role, self.officers.get(role.value)) for role in FocalRole]


def focal_contact_rows(*, campaign) -> list[ContactRow]:
    """Every covered agency with its focal officers and its effective deadline, in four
    queries whatever the number of agencies (agencies, officers, the step, extensions)."""
    agencies = list(participant_agencies(campaign).select_related("group", "parent").order_by("group__order", "code"))
    by_agency: dict[int, dict] = {}
    for officer in FocalOfficer.objects.filter(campaign=campaign):
        by_agency.setdefault(officer.agency_id, {})[officer.role] = officer
    window_of = step_window_resolver(campaign=campaign, kind=StepKind.FOCAL_OFFICERS)
    return [ContactRow(agency=a, officers=by_agency.get(a.pk, {}), window=window_of(a.pk)) for a in agencies]


def focal_agencies_missing(*, campaign) -> list[Agency]:
    """Active participating agencies (campaigns.participants) that have not named a focal
    officer for every required duty."""
    complete = {}
    for agency_id, role in FocalOfficer.objects.filter(
            campaign=campaign, role__in=list(REQUIRED_FOCAL_ROLES)).values_list("agency_id", "role"):
        complete.setdefault(agency_id, set()).add(role)
    need = {r.value for r in REQUIRED_FOCAL_ROLES}
    return [a for a in participant_agencies(campaign).filter(active=True).order_by("code")
            if not need <= complete.get(a.pk, set())]
