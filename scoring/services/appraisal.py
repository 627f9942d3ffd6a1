"""Writes of the appraisal (thẩm định): assignments, appraising items, explanation requests
and their answers, finalisation (chốt điểm) and reopening.

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
from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.models import AgencyGroup, Campaign, StepKind, User
from campaigns.selectors import step_window_for, user_is_appraiser, user_is_officer
from campaigns.signals import extension_granted
from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError
from cchc_portal.core.numbers import vi_number
from cchc_portal.notifications.services import absolute_url, notification_create, outbox_enqueue
from evidence.models import Document
from scoring.compute import item_points
from scoring.criteria_excel import code_key
from scoring.models import (
    AppraisalSeen,
    Assessment,
    Assignment,
    Criterion,
    ExplanationRequest,
    FinalisationLog,
    Item,
    Message,
)
from scoring.rules.inputs import clean_input
from scoring.rules.kinds import InputError, RuleParamsError
from scoring.selectors import appraisal as sel
from scoring.selectors.assessments import local_text
from scoring.selectors.criteria import not_applicable_codes

logger = logging.getLogger(__name__)

S = Assessment.Status
APPRAISAL_FIELDS = ["appraised_input", "appraised_points", "appraisal_state", "appraisal_comment", "appraised_by",
                    "appraised_at"]
TEXT_MAX = 5000


def _require_officer(user, message="Chỉ cán bộ Sở Nội vụ được thực hiện thao tác này.") -> None:
    if not user_is_officer(user):
        raise ApplicationError(message, status=403)


def _locked(assessment) -> Assessment:
    """The assessment read afresh inside the transaction, its row locked (PostgreSQL), so an
    appraisal write cannot slip past a finalisation happening at the same moment."""
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("campaign", "agency", "criteria_set")
        .get(pk=assessment.pk)
    )


def _text(value, *, field, label, required=True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ApplicationError(f"Cần nhập {label}.", extra={"errors": {field: ["Bắt buộc."]}})
    if len(text) > TEXT_MAX:
        raise ApplicationError(f"{label.capitalize()} dài quá {TEXT_MAX} ký tự.",
                               extra={"errors": {field: ["Quá dài."]}})
    return text


def _record(assessment_id, *, user, now, reason) -> None:
    """A history record of the assessment after a conditional update (which saves none)."""
    assessment = Assessment.objects.get(pk=assessment_id)
    Assessment.history.bulk_history_create([assessment], update=True, default_user=user,
                                           default_change_reason=reason[:100], default_date=now)


def _notify(users, *, text, url, key) -> None:
    for user in users:
        notification_create(user=user, text=text, url=url, key=f"{key}:{user.pk}")


# ---------------------------------------------------------------- assignments


def _clean_codes(codes) -> list[str]:
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
    _require_officer(user, "Chỉ cán bộ Sở Nội vụ được phân công thẩm định.")
    if campaign.status == Campaign.Status.DRAFT:
        raise ConflictError("Đợt đánh giá chưa mở; chưa phân công thẩm định được.")
    if not isinstance(appraiser, User) or not appraiser.is_active:
        raise ApplicationError("Không có người dùng này.", extra={"errors": {"username": ["Không tồn tại."]}})
    if not (user_is_appraiser(appraiser) or user_is_officer(appraiser)):
        raise ApplicationError(f"{appraiser.display_name} không thuộc Tổ thẩm định.",
                               extra={"errors": {"username": ["Không có vai trò thẩm định."]}})
    if group is not None and not isinstance(group, AgencyGroup):
        found = AgencyGroup.objects.filter(code=group).first()
        if found is None:
            raise ApplicationError(f"Không có nhóm cơ quan “{group}”.", extra={"errors": {"group": ["Không tồn tại."]}})
        group = found
    if group is not None and not campaign.groups.filter(pk=group.pk).exists():
        raise ApplicationError(f"Đợt đánh giá không đánh giá nhóm {group.name}.",
                               extra={"errors": {"group": ["Không thuộc đợt đánh giá."]}})
    codes = _clean_codes(codes)
    if not codes:
        raise ApplicationError("Chưa chọn tiêu chí nào để phân công.", extra={"errors": {"codes": ["Bắt buộc."]}})
    known = Criterion.objects.filter(criteria_set__campaign=campaign)
    if group is not None:
        known = known.filter(criteria_set__group=group)
    known = set(known.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ApplicationError(f"Không có tiêu chí: {', '.join(unknown)}.", extra={"errors": {"codes": unknown}})
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
    _require_officer(user, "Chỉ cán bộ Sở Nội vụ được phân công thẩm định.")
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
        raise ApplicationError(f"Bạn không được phân công thẩm định tiêu chí {item.criterion.code}.", status=403)
    _check_state(assessment)
    if sel.code_covers(not_applicable_codes(criteria_set=assessment.criteria_set, agency=assessment.agency),
                       item.criterion.code):
        raise ApplicationError(f"Tiêu chí {item.criterion.code} không áp dụng cho đơn vị; không thẩm định.")
    request = _open_request_for(item)
    if request is not None:
        raise ConflictError(f"Tiêu chí {item.criterion.code} đang chờ đơn vị giải trình (hạn "
                            f"{local_text(request.due_at)}); thẩm định sau khi đơn vị trả lời hoặc hết hạn.")
    _check_window(user=user, assessment=assessment, now=now)


def _check_state(assessment) -> None:
    if assessment.status == S.FINAL:
        raise ConflictError("Đơn vị đã được chốt điểm; không sửa được điểm thẩm định. Cán bộ Sở Nội vụ có thể mở "
                            "lại (ghi rõ lý do).")
    if assessment.status not in sel.APPRAISABLE:
        raise ConflictError("Bản tự đánh giá chưa gửi Sở Nội vụ; chưa thẩm định được.")


def _check_window(*, user, assessment, now) -> None:
    if user_is_officer(user):
        return
    reason = sel.appraisal_window_reason(assessment=assessment, now=now)
    if reason:
        raise DeadlineError(reason)


def _clean_appraisal_input(criterion, raw) -> dict | None:
    """None when the appraiser takes the agency's own input, else the checked input."""
    if raw in (None, {}):
        return None
    if not isinstance(raw, dict):
        raise ApplicationError("Dữ liệu thẩm định phải là một đối tượng JSON.",
                               extra={"errors": {"input": ["Phải là một đối tượng JSON."]}})
    try:
        return clean_input(criterion.rule, criterion.params or {}, criterion.max_points, raw)
    except (InputError, RuleParamsError) as error:
        raise ApplicationError(f"Tiêu chí {criterion.code}: {error.message}",
                               extra={"errors": {"input": [error.message]}}) from error


def _start_appraisal(assessment, *, user, now) -> None:
    """The first appraisal action: submitted → in_appraisal (conditional, so it happens once)."""
    if Assessment.objects.filter(pk=assessment.pk, status=S.SUBMITTED).update(status=S.IN_APPRAISAL, updated_at=now):
        assessment.status = S.IN_APPRAISAL
        _record(assessment.pk, user=user, now=now, reason="bắt đầu thẩm định")


def _refresh(assessment, *, user=None, now=None) -> None:
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
            _record(assessment.pk, user=user, now=now, reason="đã thẩm định mọi tiêu chí")


def _apply(item, *, cleaned, comment, user, now) -> Item:
    """Score the appraisal of one item and store it (no checks: callers check)."""
    criterion = item.criterion
    self_points = item_points(item).value
    external = criterion.rule == "survey" or (criterion.rule == "imported" and item.external_points is not None)
    if external and cleaned is not None:
        source = "kết quả điều tra xã hội học" if criterion.rule == "survey" else "số liệu nhập từ hệ thống khác"
        raise ApplicationError(f"Tiêu chí {criterion.code} lấy điểm từ {source}; không nhập điểm thẩm định.",
                               extra={"errors": {"input": ["Không nhận dữ liệu nhập."]}})
    own = item.input or {}
    raw = own if cleaned is None else cleaned
    points = item_points(item, raw=raw or None)
    if points.value != self_points and not comment:
        raise ApplicationError(
            f"Tiêu chí {criterion.code}: điểm thẩm định {vi_number(points.value)} khác điểm tự chấm "
            f"{vi_number(self_points)}; cần ghi ý kiến thẩm định.",
            extra={"errors": {"comment": ["Bắt buộc khi điểm thẩm định khác điểm tự chấm."]}},
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
    assessment = _locked(item.assessment)
    item = _item_locked(item)
    item.assessment = assessment
    _check_may_appraise(user=user, assessment=assessment, item=item, now=now)
    cleaned = _clean_appraisal_input(item.criterion, input)
    comment = _text(comment, field="comment", label="ý kiến thẩm định", required=False)
    _start_appraisal(assessment, user=user, now=now)
    _apply(item, cleaned=cleaned, comment=comment, user=user, now=now)
    _refresh(assessment, user=user, now=now)
    return item


@transaction.atomic
def field_accept_self_scores(*, assessment, field_code, user, now=None) -> list[Item]:
    """"Accept the self-scores of this field": every applicable item of the field not yet
    appraised, that the user may appraise and that waits for no explanation, is recorded
    as accepted (by whom, when) at the agency's own points. Returns the items accepted."""
    now = now or timezone.now()
    assessment = _locked(assessment)
    _check_state(assessment)
    _check_window(user=user, assessment=assessment, now=now)
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
        raise ApplicationError(f"Lĩnh vực {field_code} không còn tiêu chí nào bạn được phân công mà chưa thẩm định.")
    _start_appraisal(assessment, user=user, now=now)
    for item in items:
        item.assessment = assessment
        _apply(item, cleaned=None, comment="", user=user, now=now)
    _refresh(assessment, user=user, now=now)
    return items


# ---------------------------------------------------------------- explanation requests


def _items_for_codes(*, assessment, codes, user) -> list[Item]:
    """Leaf items for the codes (a branch code takes the leaves under it that the user may
    appraise); every one must be the user's to appraise."""
    codes = _clean_codes(codes)
    if not codes:
        raise ApplicationError("Chưa chọn tiêu chí cần giải trình.", extra={"errors": {"items": ["Bắt buộc."]}})
    items = list(Item.objects.filter(assessment=assessment).filter(sel._codes_q(codes))
                 .select_related("criterion"))
    by_code = {i.criterion.code: i for i in items}
    unknown = [c for c in codes if not any(sel.code_covers([c], code) for code in by_code)]
    if unknown:
        raise ApplicationError(f"Không có tiêu chí: {', '.join(unknown)}.", extra={"errors": {"items": unknown}})
    allowed = sel.assigned_codes(user=user, assessment=assessment)
    chosen = []
    for c in codes:
        if c in by_code:
            item = by_code[c]
            if allowed is not None and not sel.code_covers(allowed, c):
                raise ApplicationError(f"Bạn không được phân công thẩm định tiêu chí {c}.", status=403)
            chosen.append(item)
        else:
            under = [i for code, i in by_code.items() if sel.code_covers([c], code)
                     and (allowed is None or sel.code_covers(allowed, code))]
            if not under:
                raise ApplicationError(f"Bạn không được phân công thẩm định tiêu chí nào thuộc {c}.", status=403)
            chosen.extend(under)
    return list({i.pk: i for i in sorted(chosen, key=lambda i: code_key(i.criterion.code))}.values())


def _check_due(*, assessment, due_at, now) -> None:
    if not isinstance(due_at, datetime):
        raise ApplicationError("Hạn trả lời không hợp lệ.", extra={"errors": {"due_at": ["Không hợp lệ."]}})
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    if due_at <= now:
        raise ApplicationError("Hạn trả lời phải sau thời điểm hiện tại.",
                               extra={"errors": {"due_at": ["Phải ở tương lai."]}})
    window = step_window_for(agency=assessment.agency, campaign=assessment.campaign, kind=StepKind.EXPLANATION)
    if window is not None and not window.opens_at <= due_at <= window.closes_at:
        raise ApplicationError(
            f"Hạn trả lời phải trong thời gian giải trình của đơn vị: từ {local_text(window.opens_at)} "
            f"đến {local_text(window.closes_at)}.",
            extra={"errors": {"due_at": ["Ngoài thời gian giải trình."]}},
        )


@transaction.atomic
def explanation_request_create(*, assessment, codes, question, due_at, user, now=None) -> ExplanationRequest:
    """Ask the agency to explain or add evidence (giải trình, bổ sung tài liệu kiểm chứng)
    for chosen items by `due_at`, which must fall in the explanation step's effective window
    for the agency (extensions included; any future moment if the plan has no such step).

    Only those items reopen for the agency until the deadline; their appraisal goes back to
    pending (a second round follows the answer). The question opens each item's thread.
    The assessment moves to explanation_requested.
    """
    now = now or timezone.now()
    assessment = _locked(assessment)
    if not (user_is_officer(user) or user_is_appraiser(user)):
        raise ApplicationError("Chỉ Tổ thẩm định được yêu cầu giải trình.", status=403)
    items = _items_for_codes(assessment=assessment, codes=codes, user=user)
    _check_state(assessment)
    _check_window(user=user, assessment=assessment, now=now)
    question = _text(question, field="question", label="nội dung yêu cầu giải trình")
    _check_due(assessment=assessment, due_at=due_at, now=now)
    na = not_applicable_codes(criteria_set=assessment.criteria_set, agency=assessment.agency)
    for item in items:
        if sel.code_covers(na, item.criterion.code):
            raise ApplicationError(f"Tiêu chí {item.criterion.code} không áp dụng cho đơn vị.")
        if item.criterion.rule == "survey":
            raise ApplicationError(f"Tiêu chí {item.criterion.code} lấy điểm từ điều tra xã hội học; đơn vị không "
                                   "giải trình được.")
    busy = sorted(set(ExplanationRequest.items.through.objects.filter(
        item_id__in=[i.pk for i in items], explanationrequest__status=ExplanationRequest.Status.OPEN,
    ).values_list("item__criterion__code", flat=True)), key=code_key)
    if busy:
        raise ConflictError(f"Tiêu chí {', '.join(busy)} đang chờ giải trình theo yêu cầu trước.")
    finished = ExplanationRequest.objects.filter(assessment=assessment).exclude(status=ExplanationRequest.Status.OPEN)
    open_rounds = ExplanationRequest.objects.filter(assessment=assessment, status=ExplanationRequest.Status.OPEN)
    last_open = open_rounds.order_by("-round").values_list("round", flat=True).first()
    last_done = finished.order_by("-round").values_list("round", flat=True).first()
    round_no = last_open or ((last_done or 0) + 1)
    request = ExplanationRequest(assessment=assessment, question=question, due_at=due_at, created_by=user,
                                 round=round_no, status=ExplanationRequest.Status.OPEN)
    request.full_clean()
    request.save()
    request.items.set(items)
    Message.objects.bulk_create([Message(request=request, item=i, author=user, body=question) for i in items])
    # a second round follows the answer; the first round's points stay in the item's history
    Item.objects.filter(pk__in=[i.pk for i in items]).update(appraisal_state=Item.AppraisalState.PENDING,
                                                             appraised_points=None)
    if Assessment.objects.filter(pk=assessment.pk, status__in=list(sel.APPRAISABLE)).update(
            status=S.EXPLANATION_REQUESTED, updated_at=now):
        if assessment.status != S.EXPLANATION_REQUESTED:
            _record(assessment.pk, user=user, now=now, reason="yêu cầu giải trình")
        assessment.status = S.EXPLANATION_REQUESTED
    _refresh(assessment, user=user, now=now)
    codes_text = ", ".join(i.criterion.code for i in items)
    _notify(sel.agency_members(assessment=assessment),
            text=f"{assessment.agency.name}: Tổ thẩm định yêu cầu giải trình tiêu chí {codes_text}, hạn "
                 f"{local_text(due_at)}.",
            url=reverse("scoring:explanations", args=[assessment.pk]), key=f"explanation-request:{request.pk}")
    _email_explanation_request(request=request, assessment=assessment, items=items)
    return request


def _email_explanation_request(*, request, assessment, items) -> int:
    """The request by e-mail too (through the outbox): to the agency's staff and leaders and
    to the agency's own address, once per address, with the question, the items and the
    deadline. Returns how many e-mails were queued."""
    agency = assessment.agency
    due = timezone.localtime(request.due_at).strftime("%d/%m/%Y %H:%M")
    text = (f"Tổ thẩm định yêu cầu {agency.name} giải trình, bổ sung tài liệu kiểm chứng các tiêu chí dưới đây "
            f"trong đợt “{assessment.campaign.name}”. Hạn trả lời: {due}.")
    ordered = sorted(items, key=lambda i: code_key(i.criterion.code))
    names = [f"{i.criterion.code}. {i.criterion.title}" for i in ordered]
    url = absolute_url(reverse("scoring:explanations", args=[assessment.pk]))
    recipients = {}
    for member in sel.agency_members(assessment=assessment):
        if member.email:
            recipients.setdefault(member.email.lower(), (member.email, member.display_name))
    if agency.email:
        recipients.setdefault(agency.email.lower(), (agency.email, agency.name))
    queued = 0
    for address, (to, name) in sorted(recipients.items()):
        queued += outbox_enqueue(
            to=to, subject=f"Yêu cầu giải trình – {agency.name}"[:255], template="notice",
            context={"full_name": name, "text": text, "names": names, "detail": f"Nội dung yêu cầu: {request.question}",
                     "url": url},
            key=f"explanation-request:{request.pk}:mail:{address}",
        ) is not None
    return queued


def _after_requests_changed(assessment_id, *, user=None, now=None) -> None:
    """explanation_requested → explained (some answer came) or back to in_appraisal (none
    did) once no request is open."""
    if ExplanationRequest.objects.filter(assessment_id=assessment_id, status=ExplanationRequest.Status.OPEN).exists():
        return
    answered = ExplanationRequest.objects.filter(assessment_id=assessment_id,
                                                 status=ExplanationRequest.Status.ANSWERED).exists()
    target = S.EXPLAINED if answered else S.IN_APPRAISAL
    if Assessment.objects.filter(pk=assessment_id, status=S.EXPLANATION_REQUESTED).update(status=target,
                                                                                          updated_at=now):
        _record(assessment_id, user=user, now=now or timezone.now(),
                reason="đã giải trình" if answered else "hết hạn giải trình")


@transaction.atomic
def explanation_answer(*, request, body, documents=(), user, now=None) -> ExplanationRequest:
    """The agency's answer to an open request, before its deadline: a text and, optionally,
    evidence documents of its library (linked to the items asked about, so they count as
    evidence, and kept with the message). The request becomes answered; the assessment
    becomes explained when no request is left open. Refused after `due_at` (DeadlineError)."""
    now = now or timezone.now()
    assessment = _locked(request.assessment)
    if not sel.user_is_agency_member(user=user, assessment=assessment):
        raise ApplicationError("Chỉ cán bộ, lãnh đạo của đơn vị được trả lời yêu cầu giải trình.", status=403)
    request = ExplanationRequest.objects.select_for_update().get(pk=request.pk)
    if assessment.status == S.FINAL:
        raise ConflictError("Đơn vị đã được chốt điểm; không gửi giải trình được nữa.")
    if request.status != ExplanationRequest.Status.OPEN:
        raise ConflictError("Yêu cầu giải trình này đã được trả lời hoặc đã đóng.")
    if now >= request.due_at:
        raise DeadlineError(f"Đã hết hạn giải trình lúc {local_text(request.due_at)}; không gửi được nữa.")
    body = _text(body, field="body", label="nội dung giải trình")
    items = list(request.items.select_related("criterion"))
    documents = list(documents or [])
    if documents:
        from scoring.services.assessments import item_link_documents

        item_link_documents(assessment=assessment, codes=[i.criterion.code for i in items], documents=documents,
                            user=user, now=now)
        documents = list(Document.objects.filter(pk__in=[getattr(d, "pk", d) for d in documents]))
    messages = Message.objects.bulk_create([Message(request=request, item=i, author=user, body=body) for i in items])
    for m in messages:
        if documents:
            m.documents.set(documents)
    if not ExplanationRequest.objects.filter(pk=request.pk, status=ExplanationRequest.Status.OPEN).update(
            status=ExplanationRequest.Status.ANSWERED, answered_at=now, updated_at=now):
        raise ConflictError("Yêu cầu giải trình này đã được trả lời hoặc đã đóng.")
    request.status, request.answered_at = ExplanationRequest.Status.ANSWERED, now
    _after_requests_changed(assessment.pk, user=user, now=now)
    creator = User.objects.filter(pk=request.created_by_id)
    _notify(creator, text=f"{assessment.agency.name} đã giải trình tiêu chí "
                          f"{', '.join(i.criterion.code for i in items)}.",
            url=reverse("scoring:appraisal_page", args=[assessment.pk]), key=f"explanation-answer:{request.pk}")
    return request


def explanation_close_overdue(*, now=None) -> list[int]:
    """Close open requests whose deadline has passed (the periodic tick calls this). Each
    close is a conditional update, so two ticks at once close each request once; returns the
    ids this call closed. The assessment leaves explanation_requested when none is left open."""
    now = now or timezone.now()
    closed = []
    due = ExplanationRequest.objects.filter(status=ExplanationRequest.Status.OPEN, due_at__lte=now)
    for pk, assessment_id in due.values_list("pk", "assessment_id"):
        with transaction.atomic():
            if ExplanationRequest.objects.filter(pk=pk, status=ExplanationRequest.Status.OPEN, due_at__lte=now) \
                    .update(status=ExplanationRequest.Status.CLOSED, updated_at=now):
                closed.append(pk)
                _after_requests_changed(assessment_id, now=now)
    if closed:
        logger.info("closed %d overdue explanation requests", len(closed))
    return closed


def explanation_extend_for_extension(*, extension, now=None) -> int:
    """An extension of the explanation step for an agency moves the deadline of its open
    requests in that campaign to the new close (never earlier). Returns how many moved."""
    now = now or timezone.now()
    step = extension.step
    if step.kind != StepKind.EXPLANATION or extension.closes_at <= now:
        return 0
    return ExplanationRequest.objects.filter(
        assessment__campaign_id=step.campaign_id, assessment__agency_id=extension.agency_id,
        status=ExplanationRequest.Status.OPEN, due_at__lt=extension.closes_at,
    ).update(due_at=extension.closes_at, updated_at=now)


def _on_extension_granted(sender, extension, **kwargs):
    explanation_extend_for_extension(extension=extension)


# ---------------------------------------------------------------- finalisation


@transaction.atomic
def assessment_finalize(*, assessment, user, now=None) -> Assessment:
    """Fix the appraised scores (chốt điểm): officers only; every applicable leaf appraised
    (accepted or adjusted; a survey or imported leaf also once its figure is there) and no
    explanation request open. Survey and imported leaves take their figure; every leaf's
    appraised points and the appraised total are stored as the engine gives them. The
    assessment becomes final and every appraisal write is refused until reopened."""
    now = now or timezone.now()
    _require_officer(user, "Chỉ cán bộ Sở Nội vụ được chốt điểm.")
    assessment = _locked(assessment)
    if assessment.status == S.FINAL:
        raise ConflictError("Đơn vị đã được chốt điểm.")
    open_codes = sel.open_request_codes(assessment=assessment)
    if open_codes:
        raise ConflictError(f"Chưa thể chốt điểm: tiêu chí {', '.join(open_codes)} đang chờ đơn vị giải trình.",
                            extra={"errors": {"items": open_codes}})
    if assessment.status not in sel.FINALISABLE:
        raise ConflictError("Chưa thể chốt điểm: bản tự đánh giá chưa gửi Sở Nội vụ.")
    criteria_set = assessment.criteria_set
    criteria = sel._criteria(criteria_set)
    items = sel._items_with_evidence(assessment)
    na = not_applicable_codes(criteria_set=criteria_set, agency=assessment.agency)
    missing = sel.unappraised_codes(assessment=assessment, criteria=criteria, items=items, na=na)
    if missing:
        shown = ", ".join(missing[:20]) + (f" và {len(missing) - 20} tiêu chí khác" if len(missing) > 20 else "")
        raise ConflictError(f"Chưa thể chốt điểm: còn {len(missing)} tiêu chí chưa thẩm định: {shown}.",
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
        raise ConflictError("Trạng thái bản tự đánh giá vừa thay đổi; hãy tải lại trang.")
    FinalisationLog.objects.create(assessment=assessment, action=FinalisationLog.Action.FINALISE,
                                   appraised_total=result.total, user=user, at=now)
    _record(assessment.pk, user=user, now=now, reason="chốt điểm")
    assessment.refresh_from_db()
    _notify(sel.agency_members(assessment=assessment),
            text=f"{assessment.agency.name}: Sở Nội vụ đã chốt điểm thẩm định ({vi_number(result.total, 2)} điểm).",
            url=reverse("scoring:explanations", args=[assessment.pk]),
            key=f"assessment-final:{assessment.pk}:{int(now.timestamp())}")
    return assessment


@transaction.atomic
def assessment_reopen(*, assessment, reason, user, now=None) -> Assessment:
    """Reopen a final assessment for appraisal (officers, with a reason, recorded in the
    finalisation log shown on the appraisal page): final → appraised."""
    now = now or timezone.now()
    _require_officer(user, "Chỉ cán bộ Sở Nội vụ được mở lại điểm đã chốt.")
    reason = _text(reason, field="reason", label="lý do mở lại")
    assessment = _locked(assessment)
    if not Assessment.objects.filter(pk=assessment.pk, status=S.FINAL).update(
            status=S.APPRAISED, finalised_at=None, finalised_by=None, updated_at=now):
        raise ConflictError("Chỉ mở lại được đơn vị đã chốt điểm.")
    FinalisationLog.objects.create(assessment=assessment, action=FinalisationLog.Action.REOPEN, reason=reason,
                                   appraised_total=assessment.appraised_total, user=user, at=now)
    _record(assessment.pk, user=user, now=now, reason=f"mở lại: {reason}")
    assessment.refresh_from_db()
    return assessment


# ---------------------------------------------------------------- registration


def connect() -> None:
    """Called once from ScoringConfig.ready(): page links and the extension receiver."""
    from campaigns import links

    extension_granted.connect(_on_extension_granted, dispatch_uid="scoring.appraisal.extension_granted")
    links.register(sel.appraisal_links)
