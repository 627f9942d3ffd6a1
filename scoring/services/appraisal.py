"""Writes of the appraisal (thẩm định): assignments, appraising items, finalisation (chốt
điểm) and reopening (explanation requests and their answers: `explanations`).

Rules (see docs/appraisal.md)
    - Appraisers write only the items their assignments cover; officers and admins anything.
    - Appraisal is possible while the assessment is submitted, in appraisal, explained or
      appraised, and while it waits for explanations (except the items asked about, until
      the answer or the deadline). The first appraisal action moves submitted → in_appraisal.
    - Appraisers act while the `appraisal` or `appraisal_2` step is open for the agency
      (extensions included; if the plan has neither step, any time); officers at any time.
    - A comment is required whenever the appraised points differ from the self points.
    - Once final, every appraisal write is refused (409) until an officer reopens it with
      a reason.
Points are computed only by ``scoring.compute.item_points`` (one item) and the engine (the
tree); ``Assessment.appraised_total`` is refreshed on every write.
"""
from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import AgencyGroup, Campaign, User
from campaigns.selectors import user_is_appraiser, user_is_officer
from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError
from cchc_portal.core.numbers import vi_number
from cchc_portal.notifications.services import notification_create
from scoring.compute import item_points
from scoring.criteria_excel import code_key
from scoring.inputs import clean_item_input
from scoring.models import (
    AppraisalSeen,
    Assessment,
    Assignment,
    Criterion,
    ExplanationRequest,
    FinalisationLog,
    Item,
)
from scoring.selectors import appraisal as sel
from scoring.selectors.assessments import local_text
from scoring.selectors.criteria import not_applicable_codes

logger = logging.getLogger(__name__)

S = Assessment.Status
APPRAISAL_FIELDS = ["appraised_input", "appraised_points", "appraisal_state", "appraisal_comment", "appraised_by",
                    "appraised_at"]
TEXT_MAX = 5000


def _require_officer(user, message=None) -> None:
    if not user_is_officer(user):
        raise ApplicationError(message or _("Chỉ cán bộ Sở Nội vụ được thực hiện thao tác này."), status=403)


def locked_assessment(assessment) -> Assessment:
    """The assessment read afresh inside the transaction, its row locked (PostgreSQL), so an
    appraisal write cannot slip past a finalisation happening at the same moment."""
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("campaign", "agency", "criteria_set")
        .get(pk=assessment.pk)
    )


def clean_text(value, *, field, label, required=True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ApplicationError(_("Cần nhập %(label)s.") % {"label": label}, extra={"errors": {field: [_("Bắt buộc.")]}})
    if len(text) > TEXT_MAX:
        raise ApplicationError(_("%(label)s dài quá %(max)s ký tự.") % {"label": label.capitalize(), "max": TEXT_MAX},
                               extra={"errors": {field: [_("Quá dài.")]}})
    return text


def record_history(assessment_id, *, user, now, reason) -> None:
    """A history record of the assessment after a conditional update (which saves none)."""
    assessment = Assessment.objects.get(pk=assessment_id)
    Assessment.history.bulk_history_create([assessment], update=True, default_user=user,
                                           default_change_reason=reason[:100], default_date=now)


def notify(users, *, text, url, key) -> None:
    for user in users:
        notification_create(user=user, text=text, url=url, key=f"{key}:{user.pk}")


# ---------------------------------------------------------------- assignments


def clean_codes(codes) -> list[str]:
    if isinstance(codes, str):
        codes = codes.replace(";", ",").split(",")
    out = []
    for code in codes or []:
        code = str(code).strip().rstrip(".")
        if code and code not in out:
            out.append(code)
    return out


@transaction.atomic
def assignment_create(*, campaign, appraiser, codes, group=None, user, now=None) -> tuple[Assignment, bool]:
    """Assign `appraiser` the criteria `codes` (a code covers its subtree) of `campaign`,
    optionally only for the agencies of `group` (an AgencyGroup or its code).

    One assignment per (campaign, appraiser, group): assigning again adds the codes to it.
    Returns (assignment, created). Codes must exist in the campaign's criteria sets (that
    group's set when a group is given).
    """
    _require_officer(user, _("Chỉ cán bộ Sở Nội vụ được phân công thẩm định."))
    if campaign.status == Campaign.Status.DRAFT:
        raise ConflictError(_("Đợt đánh giá chưa mở; chưa phân công thẩm định được."))
    if not isinstance(appraiser, User) or not appraiser.is_active:
        raise ApplicationError(_("Không có người dùng này."), extra={"errors": {"username": [_("Không tồn tại.")]}})
    if not (user_is_appraiser(appraiser) or user_is_officer(appraiser)):
        raise ApplicationError(
            _("%(display_name)s không thuộc Tổ thẩm định.") % {"display_name": appraiser.display_name},
            extra={"errors": {"username": [_("Không có vai trò thẩm định.")]}})
    if group is not None and not isinstance(group, AgencyGroup):
        found = AgencyGroup.objects.filter(code=group).first()
        if found is None:
            raise ApplicationError(
                _("Không có nhóm cơ quan “%(group)s”.") % {"group": group},
                extra={"errors": {"group": [_("Không tồn tại.")]}})
        group = found
    if group is not None and not campaign.groups.filter(pk=group.pk).exists():
        raise ApplicationError(_("Đợt đánh giá không đánh giá nhóm %(name)s.") % {"name": group.name},
                               extra={"errors": {"group": [_("Không thuộc đợt đánh giá.")]}})
    codes = clean_codes(codes)
    if not codes:
        raise ApplicationError(_("Chưa chọn tiêu chí nào để phân công."), extra={"errors": {"codes": [_("Bắt buộc.")]}})
    known = Criterion.objects.filter(criteria_set__campaign=campaign)
    if group is not None:
        known = known.filter(criteria_set__group=group)
    known = set(known.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ApplicationError(
            _("Không có tiêu chí: %(items)s.") % {"items": ', '.join(unknown)},
            extra={"errors": {"codes": unknown}})
    assignment = (Assignment.objects.select_for_update()
                  .filter(campaign=campaign, appraiser=appraiser, group=group).first())
    created = assignment is None
    if created:
        assignment = Assignment(campaign=campaign, appraiser=appraiser, group=group, codes=[])
    merged = list(dict.fromkeys([*(assignment.codes or []), *codes]))
    # a code inside another assigned code adds nothing
    assignment.codes = sorted((c for c in merged if not sel.code_covers([o for o in merged if o != c], c)),
                              key=code_key)
    assignment.full_clean()
    assignment.save()
    return assignment, created


@transaction.atomic
def assignment_delete(*, assignment, user) -> None:
    _require_officer(user, _("Chỉ cán bộ Sở Nội vụ được phân công thẩm định."))
    Assignment.objects.filter(pk=assignment.pk).delete()


# ---------------------------------------------------------------- last seen


def appraisal_mark_seen(*, assessment, user, now=None) -> None:
    """Remember when the user last opened the assessment's appraisal page."""
    now = now or timezone.now()
    if not AppraisalSeen.objects.filter(assessment=assessment, user=user).update(seen_at=now):
        try:
            with transaction.atomic():
                AppraisalSeen.objects.create(assessment=assessment, user=user, seen_at=now)
        except IntegrityError:  # the same user's other tab got there first
            AppraisalSeen.objects.filter(assessment=assessment, user=user).update(seen_at=now)


# ---------------------------------------------------------------- appraising items


def _open_request_for(item) -> ExplanationRequest | None:
    return item.explanation_requests.filter(status=ExplanationRequest.Status.OPEN).order_by("due_at").first()


def _check_may_appraise(*, user, assessment, item, now) -> None:
    """Who (403), the assessment's state (409), the item's request (409), the window (409)."""
    if not sel.appraiser_may_appraise(user=user, item=item):
        raise ApplicationError(
            _("Bạn không được phân công thẩm định tiêu chí %(code)s.") % {"code": item.criterion.code},
            status=403)
    check_state(assessment)
    if sel.code_covers(not_applicable_codes(criteria_set=assessment.criteria_set, agency=assessment.agency),
                       item.criterion.code):
        raise ApplicationError(
            _("Tiêu chí %(code)s không áp dụng cho đơn vị; không thẩm định.") % {"code": item.criterion.code})
    request = _open_request_for(item)
    if request is not None:
        raise ConflictError(_("Tiêu chí %(code)s đang chờ đơn vị giải trình (hạn %(due_at)s); thẩm định sau khi "
                              "đơn vị trả lời hoặc hết hạn.")
                              % {"code": item.criterion.code, "due_at": local_text(request.due_at)})
    check_window(user=user, assessment=assessment, now=now)


def check_state(assessment) -> None:
    if assessment.status == S.FINAL:
        raise ConflictError(_("Đơn vị đã được chốt điểm; không sửa được điểm thẩm định. Cán bộ Sở Nội vụ có thể "
                              "mở lại (ghi rõ lý do)."))
    if assessment.status not in sel.APPRAISABLE:
        raise ConflictError(_("Bản tự đánh giá chưa gửi Sở Nội vụ; chưa thẩm định được."))


def check_window(*, user, assessment, now) -> None:
    if user_is_officer(user):
        return
    reason = sel.appraisal_window_reason(assessment=assessment, now=now)
    if reason:
        raise DeadlineError(reason)


def _start_appraisal(assessment, *, user, now) -> None:
    """The first appraisal action: submitted → in_appraisal (conditional, so it happens once)."""
    if Assessment.objects.filter(pk=assessment.pk, status=S.SUBMITTED).update(status=S.IN_APPRAISAL, updated_at=now):
        assessment.status = S.IN_APPRAISAL
        record_history(assessment.pk, user=user, now=now, reason="bắt đầu thẩm định")


def refresh_totals(assessment, *, user=None, now=None) -> None:
    """Store the appraised total; in appraisal or explained → appraised once every applicable
    leaf is appraised and no explanation request is open."""
    now = now or timezone.now()
    if assessment.status not in sel.AT_THE_SO:
        return
    result = sel.appraised_score(assessment=assessment)
    Assessment.objects.filter(pk=assessment.pk).update(appraised_total=result.total)
    assessment.appraised_total = result.total
    if assessment.status in (S.IN_APPRAISAL, S.EXPLAINED) and not sel.open_request_codes(assessment=assessment) \
            and not sel.unappraised_codes(assessment=assessment):
        if Assessment.objects.filter(pk=assessment.pk, status=assessment.status).update(status=S.APPRAISED,
                                                                                        updated_at=now):
            assessment.status = S.APPRAISED
            record_history(assessment.pk, user=user, now=now, reason="đã thẩm định mọi tiêu chí")


def _apply(item, *, cleaned, comment, user, now) -> Item:
    """Score the appraisal of one item and store it (no checks: callers check)."""
    criterion = item.criterion
    self_points = item_points(item).value
    external = criterion.rule == "survey" or (criterion.rule == "imported" and item.external_points is not None)
    if external and cleaned is not None:
        source = _("kết quả điều tra xã hội học") if criterion.rule == "survey" else _("số liệu nhập từ hệ thống khác")
        raise ApplicationError(_("Tiêu chí %(code)s lấy điểm từ %(source)s; không nhập điểm thẩm định.")
                                 % {"code": criterion.code, "source": source},
                               extra={"errors": {"input": [_("Không nhận dữ liệu nhập.")]}})
    own = item.input or {}
    raw = own if cleaned is None else cleaned
    points = item_points(item, raw=raw or None)
    if points.value != self_points and not comment:
        raise ApplicationError(
            _("Tiêu chí %(code)s: điểm thẩm định %(value)s khác điểm tự chấm %(self_points)s; cần ghi ý kiến "
              "thẩm định.")
              % {"code": criterion.code, "value": vi_number(points.value), "self_points": vi_number(self_points)},
            extra={"errors": {"comment": [_("Bắt buộc khi điểm thẩm định khác điểm tự chấm.")]}},
        )
    adjusted = raw != own or points.value != self_points
    item.appraised_input = dict(raw)
    # a survey or imported figure still to come: no points yet, results read the figure when it comes
    item.appraised_points = None if points.pending else points.value
    item.appraisal_state = Item.AppraisalState.ADJUSTED if adjusted else Item.AppraisalState.ACCEPTED
    item.appraisal_comment = comment
    item.appraised_by, item.appraised_at = user, now
    item._history_user, item._history_date = user, now
    item.save(update_fields=APPRAISAL_FIELDS)
    return item


def _item_locked(item) -> Item:
    return Item.objects.select_for_update(of=("self",)).select_related("criterion").get(pk=item.pk)


@transaction.atomic
def item_appraise(*, item, input, comment, user, now=None) -> Item:  # noqa: A002
    """The appraiser's score for one item: `input` fits the criterion's rule (as the agency's
    does, checked by ``rules.clean_input``); None or {} takes the agency's own input (accept).

    A comment is required whenever the appraised points differ from the self points. The
    item is recorded as accepted when the appraiser takes the agency's input and points,
    adjusted otherwise. Raises ApplicationError (400 bad input or missing comment, 403 not
    assigned), ConflictError (409 final, not submitted, waiting for an explanation),
    DeadlineError (409 outside the appraisal steps).
    """
    now = now or timezone.now()
    assessment = locked_assessment(item.assessment)
    item = _item_locked(item)
    item.assessment = assessment
    _check_may_appraise(user=user, assessment=assessment, item=item, now=now)
    cleaned = clean_item_input(criterion=item.criterion, raw=input) or None  # None: the agency's own input
    comment = clean_text(comment, field="comment", label=_("ý kiến thẩm định"), required=False)
    _start_appraisal(assessment, user=user, now=now)
    _apply(item, cleaned=cleaned, comment=comment, user=user, now=now)
    refresh_totals(assessment, user=user, now=now)
    return item


@transaction.atomic
def field_accept_self_scores(*, assessment, field_code, user, now=None) -> list[Item]:
    """"Accept the self-scores of this field": every applicable item of the field not yet
    appraised, that the user may appraise and that waits for no explanation, is recorded
    as accepted (by whom, when) at the agency's own points. Returns the items accepted."""
    now = now or timezone.now()
    assessment = locked_assessment(assessment)
    check_state(assessment)
    check_window(user=user, assessment=assessment, now=now)
    field_code = str(field_code).strip()
    na = not_applicable_codes(criteria_set=assessment.criteria_set, agency=assessment.agency)
    items = list(
        Item.objects.select_for_update(of=("self",))
        .filter(assessment=assessment, appraisal_state=Item.AppraisalState.PENDING)
        .filter(sel._codes_q([field_code]))
        .exclude(explanation_requests__status=ExplanationRequest.Status.OPEN)
        .select_related("criterion").prefetch_related("documents")
    )
    codes = sel.assigned_codes(user=user, assessment=assessment)
    items = [i for i in items if (codes is None or sel.code_covers(codes, i.criterion.code))
             and not sel.code_covers(na, i.criterion.code)]
    if not items:
        raise ApplicationError(_("Lĩnh vực %(field_code)s không còn tiêu chí nào bạn được phân công mà chưa thẩm "
                                 "định.") % {"field_code": field_code})
    _start_appraisal(assessment, user=user, now=now)
    for item in items:
        item.assessment = assessment
        _apply(item, cleaned=None, comment="", user=user, now=now)
    refresh_totals(assessment, user=user, now=now)
    return items



# ---------------------------------------------------------------- finalisation


@transaction.atomic
def assessment_finalize(*, assessment, user, now=None) -> Assessment:
    """Fix the appraised scores (chốt điểm): officers only; every applicable leaf appraised
    (accepted or adjusted; a survey or imported leaf also once its figure is there) and no
    explanation request open. Survey and imported leaves take their figure; every leaf's
    appraised points and the appraised total are stored as the engine gives them. The
    assessment becomes final and every appraisal write is refused until reopened."""
    now = now or timezone.now()
    _require_officer(user, _("Chỉ cán bộ Sở Nội vụ được chốt điểm."))
    assessment = locked_assessment(assessment)
    if assessment.status == S.FINAL:
        raise ConflictError(_("Đơn vị đã được chốt điểm."))
    open_codes = sel.open_request_codes(assessment=assessment)
    if open_codes:
        raise ConflictError(
            _("Chưa thể chốt điểm: tiêu chí %(items)s đang chờ đơn vị giải trình.") % {"items": ', '.join(open_codes)},
            extra={"errors": {"items": open_codes}})
    if assessment.status not in sel.FINALISABLE:
        raise ConflictError(_("Chưa thể chốt điểm: bản tự đánh giá chưa gửi Sở Nội vụ."))
    criteria_set = assessment.criteria_set
    criteria = sel._criteria(criteria_set)
    items = sel._items_with_evidence(assessment)
    na = not_applicable_codes(criteria_set=criteria_set, agency=assessment.agency)
    missing = sel.unappraised_codes(assessment=assessment, criteria=criteria, items=items, na=na)
    if missing:
        shown = ", ".join(missing[:20]) + (_(" và %(n)s tiêu chí khác") % {"n": len(missing) - 20}
                                           if len(missing) > 20 else "")
        raise ConflictError(
            _("Chưa thể chốt điểm: còn %(n)s tiêu chí chưa thẩm định: %(shown)s.")
            % {"n": len(missing), "shown": shown},
            extra={"errors": {"items": missing}})
    result = sel.score_tree(criteria=criteria, items=items, criteria_set=criteria_set, na=na, appraised=True)
    for item in items:
        code = item.criterion.code
        if sel.code_covers(na, code):
            continue
        value = result.points[code].value
        fields = {}
        if item.appraisal_state == Item.AppraisalState.PENDING:  # a survey or imported figure
            fields.update(appraisal_state=Item.AppraisalState.ACCEPTED, appraised_by=user, appraised_at=now)
        if item.appraised_points != value:
            fields["appraised_points"] = value
        if fields:
            for name, v in fields.items():
                setattr(item, name, v)
            item._history_user, item._history_date = user, now
            item.save(update_fields=list(fields))
    if not Assessment.objects.filter(pk=assessment.pk, status__in=list(sel.FINALISABLE)).update(
            status=S.FINAL, finalised_at=now, finalised_by=user, appraised_total=result.total, updated_at=now):
        raise ConflictError(_("Trạng thái bản tự đánh giá vừa thay đổi; hãy tải lại trang."))
    FinalisationLog.objects.create(assessment=assessment, action=FinalisationLog.Action.FINALISE,
                                   appraised_total=result.total, user=user, at=now)
    record_history(assessment.pk, user=user, now=now, reason="chốt điểm")
    assessment.refresh_from_db()
    notify(sel.agency_members(assessment=assessment),
            text=f"{assessment.agency.name}: Sở Nội vụ đã chốt điểm thẩm định ({vi_number(result.total, 2)} điểm).",
            url=reverse("scoring:explanations", args=[assessment.pk]),
            key=f"assessment-final:{assessment.pk}:{int(now.timestamp())}")
    return assessment


@transaction.atomic
def assessment_reopen(*, assessment, reason, user, now=None) -> Assessment:
    """Reopen a final assessment for appraisal (officers, with a reason, recorded in the
    finalisation log shown on the appraisal page): final → appraised."""
    now = now or timezone.now()
    _require_officer(user, _("Chỉ cán bộ Sở Nội vụ được mở lại điểm đã chốt."))
    reason = clean_text(reason, field="reason", label=_("lý do mở lại"))
    assessment = locked_assessment(assessment)
    if not Assessment.objects.filter(pk=assessment.pk, status=S.FINAL).update(
            status=S.APPRAISED, finalised_at=None, finalised_by=None, updated_at=now):
        raise ConflictError(_("Chỉ mở lại được đơn vị đã chốt điểm."))
    FinalisationLog.objects.create(assessment=assessment, action=FinalisationLog.Action.REOPEN, reason=reason,
                                   appraised_total=assessment.appraised_total, user=user, at=now)
    record_history(assessment.pk, user=user, now=now, reason=f"mở lại: {reason}")
    assessment.refresh_from_db()
    return assessment
