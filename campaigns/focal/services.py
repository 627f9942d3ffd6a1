"""The one write of focal officers: an agency's (or an officer's) list for a campaign."""
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import REQUIRED_FOCAL_ROLES, FocalOfficer, FocalRole
from campaigns.participants import participant_agencies
from campaigns.selectors import user_agency_ids, user_is_officer
from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError

from . import selectors

FIELDS = ("full_name", "position", "phone", "email")
MAX_LENGTH = {"full_name": 200, "position": 200}


def _clean_entry(role, data, errors) -> dict | None:
    """One duty's four fields, trimmed and checked; None when all are empty."""
    values = {f: " ".join(str(data.get(f) or "").split()) for f in FIELDS}
    if not any(values.values()):
        if role in REQUIRED_FOCAL_ROLES:
            errors[f"{role.value}_full_name"] = [
                _("Đơn vị phải cử cán bộ đầu mối về %(duty)s.") % {"duty": role.label.lower()}]
        return None
    labels = {"full_name": _("Nhập họ và tên."), "position": _("Nhập chức vụ."),
              "phone": _("Nhập số điện thoại."), "email": _("Nhập thư điện tử.")}
    for name in FIELDS:
        if not values[name]:
            errors[f"{role.value}_{name}"] = [labels[name]]
        elif len(values[name]) > MAX_LENGTH.get(name, 254):
            errors[f"{role.value}_{name}"] = [_("Dài quá %(n)s ký tự.") % {"n": MAX_LENGTH.get(name, 254)}]
    if values["phone"]:
        phone = selectors.phone_normalize(values["phone"])
        if phone is None:
            errors[f"{role.value}_phone"] = [_("Số điện thoại không hợp lệ: di động 10 số (0912 345 678) hoặc "
                                               "cố định 11 số kèm mã vùng (0207 3818 973).")]
        values["phone"] = phone or values["phone"]
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors[f"{role.value}_email"] = [_("Thư điện tử không hợp lệ, ví dụ: ten@tuyenquang.gov.vn.")]
    return values


def _check_allowed(*, campaign, agency, user, now):
    if not participant_agencies(campaign).filter(pk=agency.pk).exists():
        raise ApplicationError(_("Đơn vị không thuộc đợt đánh giá này."))
    if user is not None and not user_is_officer(user) and agency.pk not in user_agency_ids(user):
        raise ApplicationError(_("Bạn không thuộc đơn vị này."), status=403)
    reason = selectors.focal_lock_reason(campaign=campaign, agency=agency, user=user, now=now) if user else ""
    if reason:
        raise DeadlineError(reason)


@transaction.atomic
def focal_officers_save(*, campaign, agency, entries, user, now=None) -> dict[str, FocalOfficer]:
    """Set the agency's focal officers for the campaign: `entries` is role → {full_name,
    position, phone, email}. Scoring and survey are required, IT is optional (an empty IT
    entry removes the one named). Agencies write within the `focal_officers` step (their
    effective deadline); officers at any time. Every field error is reported at once."""
    now = now or timezone.now()
    _check_allowed(campaign=campaign, agency=agency, user=user, now=now)
    errors: dict[str, list] = {}
    cleaned = {role: _clean_entry(role, entries.get(role.value) or {}, errors) for role in FocalRole}
    if errors:
        raise ApplicationError(_("Thông tin cán bộ đầu mối chưa hợp lệ; xem các ô được đánh dấu."),
                               extra={"errors": errors})
    existing = {o.role: o for o in FocalOfficer.objects.select_for_update().filter(campaign=campaign, agency=agency)}
    saved = {}
    try:
        with transaction.atomic():
            for role, values in cleaned.items():
                officer = existing.get(role.value)
                if values is None:
                    if officer is not None:
                        officer.delete()
                    continue
                if officer is None:
                    officer = FocalOfficer(campaign=campaign, agency=agency, role=role.value, updated_by=user,
                                           **values)
                    officer.full_clean()
                    officer.save()
                else:
                    changed = [f for f in FIELDS if getattr(officer, f) != values[f]]
                    if changed:
                        for f in changed:
                            setattr(officer, f, values[f])
                        officer.updated_by = user
                        officer.full_clean()
                        officer.save(update_fields=[*changed, "updated_by", "updated_at"])
                saved[role.value] = officer
    except IntegrityError as exc:  # two first saves at once: the other one won
        raise ConflictError(_("Danh sách cán bộ đầu mối vừa được người khác cập nhật; hãy tải lại trang.")) from exc
    return saved
