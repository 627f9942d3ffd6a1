"""Writes of the province's own index (Campaign.Kind.PROVINCE).

The province is the one assessed subject; each item is scored by the department that
answers for it (its lead agency), within that department's window of the `departments`
step (extensions apply), and sent by the department's leader. Co-operating agencies attach
evidence and notes. The Sở returns an item with a comment (the lead fixes and sends it
again) or accepts it. Points go through the same engine, history and version checks as
the agencies' self-assessment.
"""
from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.focal.selectors import agency_addresses
from campaigns.models import Agency, Campaign, Role, StepKind
from campaigns.selectors import step_window_for, user_is_officer, users_for_agency
from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError, StaleVersionError
from cchc_portal.notifications.services import absolute_url, notification_create, outbox_enqueue
from evidence.services import document_upload
from scoring.compute import item_points
from scoring.inputs import clean_item_input
from scoring.models import Criterion, Item, ItemNote, LeadStatus
from scoring.selectors.assessments import agency_roles_for, local_text
from scoring.selectors.province import Responsibility, responsibility_map
from scoring.services.assessments import ITEM_FIELDS, _relink, _store_total, checked_explanation, int_version

EDITABLE = (LeadStatus.DRAFT, LeadStatus.RETURNED)


def _require_officer(user):
    if not user_is_officer(user):
        raise ApplicationError(_("Chỉ cán bộ Sở Nội vụ được thực hiện thao tác này."), status=403)


def _require_province(campaign):
    if campaign.kind != Campaign.Kind.PROVINCE:
        raise ConflictError(_("Thao tác này chỉ dành cho đợt tỉnh tự đánh giá Chỉ số CCHC cấp tỉnh."))


@transaction.atomic
def criterion_assign(*, criterion, lead, cooperating=(), user) -> Criterion:
    """Give a criterion (and the items under it that have none of their own) to one lead
    agency and any co-operating ones. `lead` None clears the assignment."""
    _require_officer(user)
    cooperating = [a for a in dict.fromkeys(cooperating) if lead is None or a.pk != lead.pk]
    if cooperating and lead is None:
        raise ApplicationError(_("Chọn đơn vị chủ trì trước khi chọn đơn vị phối hợp."),
                               extra={"errors": {"lead": [_("Bắt buộc.")]}})
    criterion.responsible_agency = lead
    criterion.save(update_fields=["responsible_agency", "updated_at"])
    criterion.cooperating_agencies.set(cooperating)
    return criterion


def _window_check(*, campaign, agency, now):
    window = step_window_for(agency=agency, campaign=campaign, kind=StepKind.DEPARTMENTS)
    if window is None:
        raise ConflictError(_("Kế hoạch chưa có bước “%(step)s”.") % {"step": StepKind.DEPARTMENTS.label})
    if now < window.opens_at:
        raise DeadlineError(_("Chưa đến thời gian chấm: bắt đầu lúc %(at)s.") % {"at": local_text(window.opens_at)})
    if now >= window.closes_at:
        raise DeadlineError(_("Đã hết hạn gửi của đơn vị (%(at)s).") % {"at": local_text(window.closes_at)})


def _require_member(*, user, agency, role):
    if role not in agency_roles_for(user=user, agency=agency):
        if role == Role.LEADER:
            raise ApplicationError(_("Chỉ lãnh đạo đơn vị chủ trì được gửi tiêu chí về Sở Nội vụ."), status=403)
        raise ApplicationError(_("Chỉ cán bộ của đơn vị chủ trì được chấm tiêu chí này."), status=403)


def _lead_of(item) -> Responsibility:
    return responsibility_map(criteria_set=item.assessment.criteria_set).get(item.criterion.code, Responsibility())


def _locked_item(item) -> Item:
    return (Item.objects.select_for_update(of=("self",))
            .select_related("criterion", "assessment", "assessment__campaign", "assessment__criteria_set",
                            "assessment__agency")
            .get(pk=item.pk))


@transaction.atomic
def province_item_update(*, item, input, explanation, version, user, now=None) -> Item:  # noqa: A002
    """The lead department's score and explanation of one province item, based on `version`."""
    now = now or timezone.now()
    item = _locked_item(item)
    campaign = item.assessment.campaign
    _require_province(campaign)
    resp = _lead_of(item)
    if resp.lead is None:
        raise ConflictError(_("Tiêu chí %(code)s chưa được giao đơn vị chủ trì.") % {"code": item.criterion.code})
    _require_member(user=user, agency=resp.lead, role=Role.STAFF)
    if item.lead_status not in EDITABLE:
        raise ConflictError(_("Tiêu chí %(code)s đã gửi Sở Nội vụ; chỉ sửa được khi bị trả lại.") % {
            "code": item.criterion.code})
    _window_check(campaign=campaign, agency=resp.lead, now=now)
    version = int_version(version)
    if version != item.version:
        raise StaleVersionError(_("Tiêu chí %(code)s vừa được người khác sửa. Hãy xem giá trị hiện tại rồi lưu lại.")
                                % {"code": item.criterion.code}, extra={"current": {"version": item.version}})
    cleaned = item.input if input is None else clean_item_input(criterion=item.criterion, raw=input)
    explanation = checked_explanation(explanation, stored=item.explanation)
    points = item_points(item, raw=cleaned or None)
    item.input, item.explanation = cleaned, explanation
    item.self_points, item.self_reason = points.value, points.reason[:255]
    item.version = version + 1
    item.updated_by, item.updated_at = user, now
    item._history_user, item._history_date = user, now
    item.save(update_fields=[*ITEM_FIELDS, "version"])
    _store_total(item.assessment)
    return item


@transaction.atomic
def province_item_contribute(*, item, agency, user, body="", files=(), now=None) -> ItemNote:
    """A note of the lead or a co-operating agency on an item, with evidence files uploaded to
    that agency's library and linked to the item (its points recomputed)."""
    now = now or timezone.now()
    item = _locked_item(item)
    campaign = item.assessment.campaign
    _require_province(campaign)
    resp = _lead_of(item)
    if agency.pk not in resp.agency_ids:
        raise ApplicationError(_("Đơn vị không chủ trì hay phối hợp tiêu chí này."), status=403)
    if Role.STAFF not in agency_roles_for(user=user, agency=agency):
        raise ApplicationError(_("Chỉ cán bộ của đơn vị được gửi tài liệu, ý kiến."), status=403)
    if item.lead_status not in EDITABLE:
        raise ConflictError(_("Tiêu chí %(code)s đã gửi Sở Nội vụ; chỉ bổ sung được khi bị trả lại.") % {
            "code": item.criterion.code})
    _window_check(campaign=campaign, agency=agency, now=now)
    body = (body or "").strip()
    files = list(files or [])
    if not body and not files:
        raise ApplicationError(_("Nhập ý kiến hoặc chọn tệp tài liệu kiểm chứng."),
                               extra={"errors": {"body": [_("Bắt buộc.")]}})
    documents = [document_upload(agency=agency, campaign=campaign, file=f, user=user, now=now)[0] for f in files]
    note = ItemNote(item=item, agency=agency, author=user, body=body, created_at=now)
    note.full_clean(exclude=["item", "agency", "author"])
    note.save()
    if documents:
        note.documents.add(*documents)
        _relink(item, user=user, now=now, change=lambda m: m.add(*documents), reason=f"tài liệu của {agency.code}")
        _store_total(item.assessment)
    return note


@transaction.atomic
def province_items_send(*, assessment, agency, user, now=None) -> int:
    """The lead department's leader sends every item it answers for that is being scored or
    was returned. Returns how many were sent."""
    now = now or timezone.now()
    _require_province(assessment.campaign)
    _require_member(user=user, agency=agency, role=Role.LEADER)
    _window_check(campaign=assessment.campaign, agency=agency, now=now)
    resp = responsibility_map(criteria_set=assessment.criteria_set)
    codes = [code for code, r in resp.items() if r.lead and r.lead.pk == agency.pk]
    sent = Item.objects.filter(assessment=assessment, criterion__code__in=codes, lead_status__in=EDITABLE).update(
        lead_status=LeadStatus.SENT, lead_sent_at=now)
    if not sent:
        raise ConflictError(_("Không có tiêu chí nào đang chấm hoặc bị trả lại để gửi."))
    return sent


def _review(*, item, user, target, comment="", now=None) -> Item:
    now = now or timezone.now()
    _require_officer(user)
    _require_province(item.assessment.campaign)
    updated = Item.objects.filter(pk=item.pk, lead_status=LeadStatus.SENT).update(
        lead_status=target, review_comment=comment, reviewed_by=user, reviewed_at=now)
    if not updated:
        raise ConflictError(_("Tiêu chí %(code)s chưa được gửi hoặc đã được xử lý.") % {"code": item.criterion.code})
    item.refresh_from_db()
    return item


@transaction.atomic
def province_item_return(*, item, user, comment, now=None) -> Item:
    """The Sở returns a sent item to its lead with a comment; the lead fixes and sends again."""
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(_("Nhập lý do trả lại."), extra={"errors": {"comment": [_("Bắt buộc.")]}})
    item = _review(item=item, user=user, target=LeadStatus.RETURNED, comment=comment, now=now)
    lead = _lead_of(item).lead
    if lead is not None:
        url = reverse("scoring:province_department", args=[item.assessment.campaign_id, lead.code])
        members = list(users_for_agency(agency=lead))
        key = f"province-return:{item.pk}:{item.reviewed_at.isoformat()}"
        for u in members:
            notification_create(user=u, text=_("Sở Nội vụ trả lại tiêu chí %(code)s: %(comment)s") % {
                "code": item.criterion.code, "comment": comment[:200]}, url=url, key=f"{key}:{u.pk}")
        _email_return(item=item, lead=lead, members=members, comment=comment, url=url, key=key)
    return item


def _email_return(*, item, lead, members, comment, url, key) -> int:
    """The returned item by e-mail (through the outbox) to the lead's staff and leaders, its own
    address and its scoring focal officer, once per address, with the comment and the
    lead's deadline. Returns how many e-mails were queued."""
    campaign = item.assessment.campaign
    window = step_window_for(agency=lead, campaign=campaign, kind=StepKind.DEPARTMENTS)
    text = (f"Sở Nội vụ trả lại tiêu chí {item.criterion.code} mà {lead.name} chủ trì trong “{campaign.name}” "
            f"để chỉnh sửa, bổ sung rồi gửi lại"
            + (f" trước {local_text(window.closes_at)}." if window is not None else "."))
    queued = 0
    for to, name in agency_addresses(campaign=campaign, agency=lead, members=members):
        queued += outbox_enqueue(
            to=to, subject=f"Sở Nội vụ trả lại tiêu chí {item.criterion.code} – {lead.name}"[:255], template="notice",
            context={"full_name": name, "text": text, "names": [f"{item.criterion.code}. {item.criterion.title}"],
                     "detail": f"Lý do trả lại: {comment}", "url": absolute_url(url)},
            key=f"{key}:mail:{to.lower()}") is not None
    return queued


@transaction.atomic
def province_item_accept(*, item, user, now=None) -> Item:
    """The Sở accepts a sent item."""
    return _review(item=item, user=user, target=LeadStatus.ACCEPTED, now=now)


def agencies_by_codes(codes) -> list[Agency]:
    """Agencies for codes (in the given order); ApplicationError naming the unknown ones."""
    found = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ApplicationError(_("Không có đơn vị: %(codes)s.") % {"codes": ", ".join(unknown)},
                               extra={"errors": {"responsible": [_("Mã đơn vị không đúng.")]}})
    return [found[c] for c in codes]
