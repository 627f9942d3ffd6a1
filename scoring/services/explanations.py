"""Explanation requests (yêu cầu giải trình) of the appraisal and the agency's answers: ask,
answer, close overdue requests, follow the explanation step's extensions. The rules of the
appraisal (who, when, the assessment's state) are those of `appraisal`."""
from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.focal.selectors import agency_addresses
from campaigns.models import StepKind, User
from campaigns.selectors import step_window_for, user_is_appraiser, user_is_officer
from campaigns.signals import extension_granted
from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError
from cchc_portal.notifications.services import absolute_url, outbox_enqueue
from evidence.models import Document
from scoring.criteria_excel import code_key
from scoring.models import Assessment, ExplanationRequest, Item, Message
from scoring.selectors import appraisal as sel
from scoring.selectors.assessments import local_text
from scoring.selectors.criteria import not_applicable_codes
from scoring.services.appraisal import (
    check_state,
    check_window,
    clean_codes,
    clean_text,
    locked_assessment,
    notify,
    record_history,
    refresh_totals,
)

logger = logging.getLogger(__name__)

S = Assessment.Status

def _items_for_codes(*, assessment, codes, user) -> list[Item]:
    """Leaf items for the codes (a branch code takes the leaves under it that the user may
    appraise); every one must be the user's to appraise."""
    codes = clean_codes(codes)
    if not codes:
        raise ApplicationError(_("Chưa chọn tiêu chí cần giải trình."), extra={"errors": {"items": [_("Bắt buộc.")]}})
    items = list(Item.objects.filter(assessment=assessment).filter(sel._codes_q(codes))
                 .select_related("criterion"))
    by_code = {i.criterion.code: i for i in items}
    unknown = [c for c in codes if not any(sel.code_covers([c], code) for code in by_code)]
    if unknown:
        raise ApplicationError(
            _("Không có tiêu chí: %(items)s.") % {"items": ', '.join(unknown)},
            extra={"errors": {"items": unknown}})
    allowed = sel.assigned_codes(user=user, assessment=assessment)
    chosen = []
    for c in codes:
        if c in by_code:
            item = by_code[c]
            if allowed is not None and not sel.code_covers(allowed, c):
                raise ApplicationError(_("Bạn không được phân công thẩm định tiêu chí %(c)s.") % {"c": c}, status=403)
            chosen.append(item)
        else:
            under = [i for code, i in by_code.items() if sel.code_covers([c], code)
                     and (allowed is None or sel.code_covers(allowed, code))]
            if not under:
                raise ApplicationError(
                    _("Bạn không được phân công thẩm định tiêu chí nào thuộc %(c)s.") % {"c": c},
                    status=403)
            chosen.extend(under)
    return list({i.pk: i for i in sorted(chosen, key=lambda i: code_key(i.criterion.code))}.values())


def _check_due(*, assessment, due_at, now) -> None:
    if not isinstance(due_at, datetime):
        raise ApplicationError(_("Hạn trả lời không hợp lệ."), extra={"errors": {"due_at": [_("Không hợp lệ.")]}})
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    if due_at <= now:
        raise ApplicationError(_("Hạn trả lời phải sau thời điểm hiện tại."),
                               extra={"errors": {"due_at": [_("Phải ở tương lai.")]}})
    window = step_window_for(agency=assessment.agency, campaign=assessment.campaign, kind=StepKind.EXPLANATION)
    if window is not None and not window.opens_at <= due_at <= window.closes_at:
        raise ApplicationError(
            _("Hạn trả lời phải trong thời gian giải trình của đơn vị: từ %(opens_at)s đến %(closes_at)s.")
              % {"opens_at": local_text(window.opens_at), "closes_at": local_text(window.closes_at)},
            extra={"errors": {"due_at": [_("Ngoài thời gian giải trình.")]}},
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
    assessment = locked_assessment(assessment)
    if not (user_is_officer(user) or user_is_appraiser(user)):
        raise ApplicationError(_("Chỉ Tổ thẩm định được yêu cầu giải trình."), status=403)
    items = _items_for_codes(assessment=assessment, codes=codes, user=user)
    check_state(assessment)
    check_window(user=user, assessment=assessment, now=now)
    question = clean_text(question, field="question", label=_("nội dung yêu cầu giải trình"))
    _check_due(assessment=assessment, due_at=due_at, now=now)
    na = not_applicable_codes(criteria_set=assessment.criteria_set, agency=assessment.agency)
    for item in items:
        if sel.code_covers(na, item.criterion.code):
            raise ApplicationError(_("Tiêu chí %(code)s không áp dụng cho đơn vị.") % {"code": item.criterion.code})
        if item.criterion.rule == "survey":
            raise ApplicationError(_("Tiêu chí %(code)s lấy điểm từ điều tra xã hội học; đơn vị không giải trình "
                                     "được.") % {"code": item.criterion.code})
    busy = sorted(set(ExplanationRequest.items.through.objects.filter(
        item_id__in=[i.pk for i in items], explanationrequest__status=ExplanationRequest.Status.OPEN,
    ).values_list("item__criterion__code", flat=True)), key=code_key)
    if busy:
        raise ConflictError(
            _("Tiêu chí %(items)s đang chờ giải trình theo yêu cầu trước.") % {"items": ', '.join(busy)})
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
            record_history(assessment.pk, user=user, now=now, reason="yêu cầu giải trình")
        assessment.status = S.EXPLANATION_REQUESTED
    refresh_totals(assessment, user=user, now=now)
    codes_text = ", ".join(i.criterion.code for i in items)
    notify(sel.agency_members(assessment=assessment),
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
    queued = 0
    for to, name in agency_addresses(campaign=assessment.campaign, agency=agency,
                                     members=sel.agency_members(assessment=assessment)):
        queued += outbox_enqueue(
            to=to, subject=f"Yêu cầu giải trình – {agency.name}"[:255], template="notice",
            context={"full_name": name, "text": text, "names": names, "detail": f"Nội dung yêu cầu: {request.question}",
                     "url": url},
            key=f"explanation-request:{request.pk}:mail:{to.lower()}",
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
        record_history(assessment_id, user=user, now=now or timezone.now(),
                reason="đã giải trình" if answered else "hết hạn giải trình")


@transaction.atomic
def explanation_answer(*, request, body, documents=(), user, now=None) -> ExplanationRequest:
    """The agency's answer to an open request, before its deadline: a text and, optionally,
    evidence documents of its library (linked to the items asked about, so they count as
    evidence, and kept with the message). The request becomes answered; the assessment
    becomes explained when no request is left open. Refused after `due_at` (DeadlineError)."""
    now = now or timezone.now()
    assessment = locked_assessment(request.assessment)
    if not sel.user_is_agency_member(user=user, assessment=assessment):
        raise ApplicationError(_("Chỉ cán bộ, lãnh đạo của đơn vị được trả lời yêu cầu giải trình."), status=403)
    request = ExplanationRequest.objects.select_for_update().get(pk=request.pk)
    if assessment.status == S.FINAL:
        raise ConflictError(_("Đơn vị đã được chốt điểm; không gửi giải trình được nữa."))
    if request.status != ExplanationRequest.Status.OPEN:
        raise ConflictError(_("Yêu cầu giải trình này đã được trả lời hoặc đã đóng."))
    if now >= request.due_at:
        raise DeadlineError(
            _("Đã hết hạn giải trình lúc %(due_at)s; không gửi được nữa.") % {"due_at": local_text(request.due_at)})
    body = clean_text(body, field="body", label=_("nội dung giải trình"))
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
        raise ConflictError(_("Yêu cầu giải trình này đã được trả lời hoặc đã đóng."))
    request.status, request.answered_at = ExplanationRequest.Status.ANSWERED, now
    _after_requests_changed(assessment.pk, user=user, now=now)
    creator = User.objects.filter(pk=request.created_by_id)
    notify(creator, text=f"{assessment.agency.name} đã giải trình tiêu chí "
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


def on_extension_granted(sender, extension, **kwargs):
    explanation_extend_for_extension(extension=extension)


def connect() -> None:
    """Called once from ScoringConfig.ready(): explanation deadlines follow extensions."""
    extension_granted.connect(on_extension_granted, dispatch_uid="scoring.appraisal.extension_granted")
