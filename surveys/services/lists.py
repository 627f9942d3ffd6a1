"""Agencies' respondent lists: added, imported, sent for approval, approved or returned."""
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import selectors as campaign_selectors
from cchc_portal.core.excel import ImportReport, RowError, read_sheet
from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError
from cchc_portal.notifications.services import notify
from surveys.models import (
    Invitation,
    Respondent,
    RespondentGroup,
    RespondentList,
)
from surveys.services.common import LISTS, clean, notify_officers, require_officer, when

RESPONDENT_COLUMNS = ["full_name", "position", "group_code", "email", "phone"]
RESPONDENT_ALIASES = {
    "full_name": ["họ và tên", "họ tên"], "position": ["chức vụ"], "group_code": ["mã nhóm", "nhóm"],
    "email": ["thư điện tử", "e-mail", "địa chỉ thư điện tử"], "phone": ["điện thoại", "số điện thoại"],
}
PHONE_RE = re.compile(r"^\+?[0-9 .()-]{6,20}$")
EDITABLE = (RespondentList.Status.DRAFT, RespondentList.Status.RETURNED)


def _is_system_or_officer(user) -> bool:
    return user is None or campaign_selectors.user_is_officer(user)


def _check_list_window(*, campaign, agency, now):
    window = campaign_selectors.step_window_for(agency=agency, campaign=campaign, kind=LISTS)
    if window is None:
        raise ConflictError(_("Kế hoạch chưa có bước gửi danh sách đối tượng điều tra."))
    if now < window.opens_at:
        raise DeadlineError(_("Chưa đến thời gian lập danh sách đối tượng điều tra (từ %(opens_at)s).")
                            % {"opens_at": when(window.opens_at)})
    if now >= window.closes_at:
        raise DeadlineError(_("Đã hết hạn gửi danh sách đối tượng điều tra (%(closes_at)s).")
                            % {"closes_at": when(window.closes_at)})


def _check_editable(*, rlist, user, now, as_agency=False, force=False):
    """Agency staff edit only a draft or returned list, within the list step (extensions
    included); the Sở may correct a list at any time. `as_agency`: the agency's rules for a
    caller without a user (the command line); `force`: past them (the caller records why)."""
    if _is_system_or_officer(user) and not as_agency:
        return
    if user is not None and not _is_system_or_officer(user) and \
            rlist.agency_id not in campaign_selectors.user_agency_ids(user):
        raise ApplicationError(_("Bạn không thuộc đơn vị này."), status=403)
    if force:
        return
    if rlist.status not in EDITABLE:
        raise ConflictError(_("Danh sách đã gửi Sở Nội vụ; chỉ sửa được khi Sở trả lại."))
    _check_list_window(campaign=rlist.campaign, agency=rlist.agency, now=now)


def _list_for_write(*, campaign, agency, user, now, as_agency=False, force=False) -> RespondentList:
    if not campaign.agencies.filter(pk=agency.pk).exists():
        raise ApplicationError(_("Đơn vị không thuộc đợt đánh giá này."))
    rlist, _created = RespondentList.objects.get_or_create(campaign=campaign, agency=agency)
    rlist.campaign, rlist.agency = campaign, agency
    _check_editable(rlist=rlist, user=user, now=now, as_agency=as_agency, force=force)
    return rlist


def _group_by_code(campaign, code) -> RespondentGroup:
    group = RespondentGroup.objects.filter(campaign=campaign, code=code).first()
    if group is None:
        raise ApplicationError(_("Không có nhóm đối tượng “%(code)s”.") % {"code": code},
                               extra={"errors": {"group_code": [_("Không có.")]}})
    return group


@transaction.atomic
def respondent_add(*, campaign, agency, user, full_name, email, group=None, group_code=None, position="", phone="",
                   now=None) -> Respondent:
    now = now or timezone.now()
    rlist = _list_for_write(campaign=campaign, agency=agency, user=user, now=now)
    if group is None:
        group = _group_by_code(campaign, group_code or "")
    elif group.campaign_id != campaign.pk:
        raise ApplicationError(_("Nhóm đối tượng không thuộc đợt này."),
                               extra={"errors": {"group_code": [_("Sai đợt.")]}})
    email = (email or "").strip().lower()
    if Respondent.objects.filter(campaign=campaign, email=email).exists():
        raise ApplicationError(_("Thư điện tử “%(email)s” đã có trong danh sách đối tượng điều tra của đợt này.")
                               % {"email": email},
                               extra={"errors": {"email": [_("Đã có trong đợt này.")]}})
    phone = (phone or "").strip()
    if phone and not PHONE_RE.match(phone):
        raise ApplicationError(_("Số điện thoại “%(phone)s” không hợp lệ.") % {"phone": phone},
                               extra={"errors": {"phone": [_("Không hợp lệ.")]}})
    respondent = Respondent(campaign=campaign, respondent_list=rlist, group=group, full_name=" ".join(
        (full_name or "").split()), position=(position or "").strip(), email=email, phone=phone)
    clean(respondent)
    try:
        with transaction.atomic():
            respondent.save()
    except IntegrityError as exc:
        raise ApplicationError(_("Thư điện tử “%(email)s” đã có trong danh sách đối tượng điều tra của đợt này.")
                               % {"email": email},
                               extra={"errors": {"email": [_("Đã có trong đợt này.")]}}) from exc
    return respondent


@transaction.atomic
def respondent_remove(*, respondent, user, now=None) -> None:
    now = now or timezone.now()
    _check_editable(rlist=respondent.respondent_list, user=user, now=now)
    if Invitation.objects.filter(respondent=respondent).exists():
        raise ConflictError(_("Đã gửi thư mời cho người này; không thể xóa khỏi danh sách."))
    respondent.delete()


def respondent_import(*, campaign, agency, file, user=None, dry_run=False, now=None, as_agency=False,
                      force=False) -> ImportReport:
    """Respondents of one agency from an .xlsx file (`full_name, position, group_code, email,
    phone`; Vietnamese headers accepted). Row errors: missing name, bad or duplicate e-mail
    (in the file or anywhere in the campaign), unknown group, bad phone. Nothing is
    imported if any row is wrong. The list's rules are `user`'s, or the agency's with
    `as_agency` (the command line); `force` goes past the window and the list's state."""
    now = now or timezone.now()
    rules = {"as_agency": as_agency, "force": force}
    with transaction.atomic():
        rlist = _list_for_write(campaign=campaign, agency=agency, user=user, now=now, **rules)
    rows, errors = read_sheet(file, RESPONDENT_COLUMNS, aliases=RESPONDENT_ALIASES,
                              required=["full_name", "group_code", "email"])
    report = ImportReport(errors=list(errors), dry_run=dry_run)
    if errors:
        return report
    groups = {g.code: g for g in RespondentGroup.objects.filter(campaign=campaign)}
    taken = set(Respondent.objects.filter(campaign=campaign).values_list("email", flat=True))
    seen: dict[str, int] = {}
    new = []
    for number, r in rows:
        before = len(report.errors)
        name = " ".join(r.get("full_name", "").split())
        if not name:
            report.errors.append(RowError(number, "full_name", "Thiếu họ và tên."))
        elif len(name) > 200:
            report.errors.append(RowError(number, "full_name", "Họ và tên dài quá 200 ký tự."))
        if len(r.get("position", "")) > 255:
            report.errors.append(RowError(number, "position", "Chức vụ dài quá 255 ký tự."))
        email = r.get("email", "").strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            report.errors.append(RowError(number, "email", f"Thư điện tử “{r.get('email', '')}” không hợp lệ."))
        else:
            if email in seen:
                report.errors.append(RowError(number, "email", f"Thư điện tử “{email}” trùng với dòng {seen[email]}."))
            elif email in taken:
                report.errors.append(RowError(number, "email", f"Thư điện tử “{email}” đã có trong danh sách đối tượng "
                                                               "điều tra của đợt này."))
            seen.setdefault(email, number)
        code = r.get("group_code", "")
        if code not in groups:
            known = ", ".join(sorted(groups)) or "chưa có nhóm nào"
            report.errors.append(RowError(number, "group_code", f"Không có nhóm đối tượng “{code}” (có: {known})."))
        phone = r.get("phone", "").strip()
        if phone and not PHONE_RE.match(phone):
            report.errors.append(RowError(number, "phone", f"Số điện thoại “{phone}” không hợp lệ."))
        if len(report.errors) == before:
            new.append(Respondent(campaign=campaign, respondent_list=rlist, group=groups[code], full_name=name,
                                  position=r.get("position", "").strip(), email=email, phone=phone))
    if report.errors:
        return report
    report.created = len(new)
    if dry_run:
        return report
    try:
        with transaction.atomic():
            _list_for_write(campaign=campaign, agency=agency, user=user, now=now, **rules)
            Respondent.objects.bulk_create(new)
    except IntegrityError:
        report.created = 0
        report.errors.append(RowError(0, "email", "Một số thư điện tử vừa được thêm vào đợt này; hãy thử lại."))
    return report


def _notify_agency(*, agency, text, url, key):
    notify(users=campaign_selectors.users_for_agency(agency=agency), text=text, url=url, key=key)


def _list_url(campaign, agency):
    return reverse("surveys:list_detail", kwargs={"pk": campaign.pk, "code": agency.code})


@transaction.atomic
def respondent_list_send(*, campaign, agency, user, now=None) -> RespondentList:
    """draft | returned → sent, by the list deadline (the agency's effective one)."""
    now = now or timezone.now()
    rlist = RespondentList.objects.filter(campaign=campaign, agency=agency).first()
    if rlist is None or not rlist.respondents.exists():
        raise ApplicationError(_("Danh sách chưa có đối tượng điều tra nào."))
    rlist.campaign, rlist.agency = campaign, agency
    if not _is_system_or_officer(user):
        if agency.pk not in campaign_selectors.user_agency_ids(user):
            raise ApplicationError(_("Bạn không thuộc đơn vị này."), status=403)
        _check_list_window(campaign=campaign, agency=agency, now=now)
    updated = RespondentList.objects.filter(pk=rlist.pk, status__in=EDITABLE).update(
        status=RespondentList.Status.SENT, sent_at=now, updated_at=now)
    if not updated:
        raise ConflictError(_("Danh sách đã được gửi Sở Nội vụ."))
    notify_officers(text=f"{agency.name} đã gửi danh sách đối tượng điều tra XHH.", url=_list_url(campaign, agency),
                     key=f"rlist-sent:{rlist.pk}:{now.timestamp():.0f}")
    rlist.refresh_from_db()
    return rlist


@transaction.atomic
def respondent_list_approve(*, campaign, agency, user, now=None) -> RespondentList:
    """sent → approved (officer). Approved respondents are invited when the survey opens."""
    require_officer(user)
    now = now or timezone.now()
    updated = RespondentList.objects.filter(campaign=campaign, agency=agency, status=RespondentList.Status.SENT).update(
        status=RespondentList.Status.APPROVED, reviewed_at=now, reviewed_by=user, updated_at=now)
    if not updated:
        raise ConflictError(_("Chỉ duyệt được danh sách đơn vị đã gửi."))
    rlist = RespondentList.objects.get(campaign=campaign, agency=agency)
    _notify_agency(agency=agency, text="Sở Nội vụ đã duyệt danh sách đối tượng điều tra XHH.",
                   url=_list_url(campaign, agency), key=f"rlist-approved:{rlist.pk}:{now.timestamp():.0f}")
    return rlist


@transaction.atomic
def respondent_list_return(*, campaign, agency, user, comment, now=None) -> RespondentList:
    """sent (or approved, before any invitation) → returned with the Sở's comment."""
    require_officer(user)
    now = now or timezone.now()
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(_("Cần nêu lý do trả lại danh sách."), extra={"errors": {"comment": [_("Bắt buộc.")]}})
    refused = ConflictError(_("Chỉ trả lại được danh sách đã gửi và chưa gửi thư mời."))
    rlist = RespondentList.objects.filter(campaign=campaign, agency=agency).first()
    if rlist is None or Invitation.objects.filter(respondent__respondent_list=rlist).exists():
        raise refused
    if not RespondentList.objects.filter(pk=rlist.pk, status__in=[RespondentList.Status.SENT,
                                                                  RespondentList.Status.APPROVED]).update(
            status=RespondentList.Status.RETURNED, comment=comment, reviewed_at=now, reviewed_by=user, updated_at=now):
        raise refused
    rlist.refresh_from_db()
    _notify_agency(agency=agency, text=f"Sở Nội vụ trả lại danh sách đối tượng điều tra XHH: {comment}",
                   url=_list_url(campaign, agency), key=f"rlist-returned:{rlist.pk}:{now.timestamp():.0f}")
    return rlist
