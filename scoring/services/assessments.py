"""Writes of assessments: opening a campaign with one assessment per agency, the agency's
scores, explanations and evidence links, its internal flow (staff → leader → the Sở), and
the lock at the cutoff.

Every agency write goes through `_check_agency_write`, so the page, the API and any import
refuse late writes the same way (DeadlineError, 409, in Vietnamese). Stored points are
always computed by `scoring.compute.item_points`; `self_total` by the engine over the whole
tree (`assessment_score`), so both match a recomputation to the last digit.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import links
from campaigns.models import Agency, Campaign, Role, StepKind
from campaigns.selectors import step_window_for, users_for_agency
from campaigns.services import campaign_open
from campaigns.signals import extension_granted
from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError, StaleVersionError
from cchc_portal.notifications.services import notification_create
from evidence.models import Document
from evidence.services import document_upload
from scoring.compute import item_points
from scoring.engine import NOT_APPLICABLE
from scoring.inputs import clean_item_input
from scoring.models import Assessment, CriteriaSet, Criterion, Item
from scoring.selectors.assessments import (
    NOT_SUBMITTED,
    agency_roles_for,
    assessment_edit_scope,
    assessment_links,
    assessment_score,
    local_text,
    overdue_candidates,
)
from scoring.selectors.criteria import not_applicable_map
from scoring.services.criteria import criteria_sets_lock_for_campaign, on_criteria_amended

logger = logging.getLogger(__name__)

ITEM_FIELDS = ["input", "explanation", "self_points", "self_reason", "updated_by", "updated_at"]


# ---------------------------------------------------------------- opening a campaign


@dataclass
class EnsureResult:
    created: int = 0
    items_created: int = 0
    missing: list[Agency] = field(default_factory=list)  # covered agencies whose group has no criteria set

    @property
    def missing_codes(self) -> list[str]:
        return [a.code for a in self.missing]


@dataclass
class OpenResult(EnsureResult):
    campaign: Campaign | None = None


@transaction.atomic
def assessments_ensure(*, campaign) -> EnsureResult:
    """One assessment per covered agency on its group's criteria set, with one item per leaf.

    Idempotent: run it again after adding an agency or a criterion and only what is missing
    is created. An agency whose group has no criteria set is reported in `missing`.
    """
    report = EnsureResult()
    sets = {s.group_id: s for s in CriteriaSet.objects.filter(campaign=campaign)}
    agencies = list(campaign.agencies.select_related("group").order_by("group__order", "code"))
    before = dict(Assessment.objects.filter(campaign=campaign).values_list("agency_id", "pk"))
    new = []
    for agency in agencies:
        criteria_set = sets.get(agency.group_id)
        if criteria_set is None:
            report.missing.append(agency)
        elif agency.pk not in before:
            new.append(Assessment(campaign=campaign, agency=agency, criteria_set=criteria_set))
    Assessment.objects.bulk_create(new, ignore_conflicts=True)
    report.created = len(new)
    if not sets:
        return report
    leaves: dict[int, list[Criterion]] = {}
    for criterion in Criterion.objects.filter(criteria_set__in=sets.values()).exclude(rule="sum").only(
            "id", "code", "title", "criteria_set_id", "max_points", "rule", "params", "evidence_required",
            "capped"):
        leaves.setdefault(criterion.criteria_set_id, []).append(criterion)
    have = set(Item.objects.filter(assessment__campaign=campaign).values_list("assessment_id", "criterion_id"))
    na = {s.pk: not_applicable_map(criteria_set=s) for s in sets.values()}
    items, touched, old = [], set(), set(before.values())
    for assessment in Assessment.objects.filter(campaign=campaign).only("id", "agency_id", "criteria_set_id"):
        for criterion in leaves.get(assessment.criteria_set_id, []):
            if (assessment.pk, criterion.pk) in have:
                continue
            item = Item(assessment=assessment, criterion=criterion, input={})
            points = item_points(item, raw={}, has_evidence=False, external=None)
            item.self_points = points.value
            not_applicable = criterion.code in na[assessment.criteria_set_id].get(assessment.agency_id, ())
            item.self_reason = NOT_APPLICABLE if not_applicable else points.reason
            items.append(item)
            if assessment.pk in old:  # a new assessment's total is 0 until something is entered
                touched.add(assessment.pk)
    Item.objects.bulk_create(items, batch_size=500, ignore_conflicts=True)
    report.items_created = len(items)
    for assessment in Assessment.objects.filter(pk__in=touched).select_related("criteria_set", "agency"):
        _store_total(assessment)
    return report


@transaction.atomic
def campaign_open_with_assessments(*, campaign, user, now=None) -> OpenResult:
    """draft → open, the criteria sets locked, and an assessment for every covered agency,
    all in one transaction. Agencies whose group has no set are reported, not a failure."""
    now = now or timezone.now()
    campaign = campaign_open(campaign=campaign, user=user, now=now)
    criteria_sets_lock_for_campaign(campaign=campaign, user=user, now=now)
    ensured = assessments_ensure(campaign=campaign)
    return OpenResult(created=ensured.created, items_created=ensured.items_created, missing=ensured.missing,
                      campaign=campaign)


def assessments_refresh_for_criteria(*, criteria_set, codes=None, amendment=None) -> int:
    """After an amendment of a locked set: items for new leaves, every stored point of the
    set's items recomputed with the amended rules, and the totals. Returns items changed."""
    if criteria_set.campaign.status != Campaign.Status.DRAFT:
        assessments_ensure(campaign=criteria_set.campaign)
    na = not_applicable_map(criteria_set=criteria_set)
    changed = []
    items = (Item.objects.filter(assessment__criteria_set=criteria_set).select_related("criterion", "assessment")
             .prefetch_related("documents"))
    for item in items:
        points = item_points(item)
        reason = NOT_APPLICABLE if item.criterion.code in na.get(item.assessment.agency_id, ()) else points.reason
        if (item.self_points, item.self_reason) != (points.value, reason[:255]):
            item.self_points, item.self_reason = points.value, reason[:255]
            changed.append(item)
    Item.objects.bulk_update(changed, ["self_points", "self_reason"], batch_size=500)
    for assessment in Assessment.objects.filter(criteria_set=criteria_set).select_related("criteria_set", "agency"):
        _store_total(assessment)
    return len(changed)


# ---------------------------------------------------------------- who may write, and when


def _require_role(*, user, assessment, role) -> None:
    if role not in agency_roles_for(user=user, agency=assessment.agency):
        if role == Role.LEADER:
            raise ApplicationError(_("Chỉ lãnh đạo đơn vị được duyệt hoặc trả lại bản tự đánh giá."), status=403)
        raise ApplicationError(_("Chỉ cán bộ đầu mối của đơn vị được chấm điểm và gửi bản tự đánh giá."), status=403)


def _refuse(scope, item_id=None):
    reason = scope.reason_for(item_id) if item_id is not None else scope.reason
    raise (DeadlineError if scope.deadline else ConflictError)(reason)


def item_editable_by_agency(*, item, now=None) -> tuple[bool, str]:
    """Whether the agency may change this item now, and why not (Vietnamese)."""
    scope = assessment_edit_scope(assessment=item.assessment, now=now)
    if not scope.allows(item.pk):
        return False, scope.reason_for(item.pk)
    return True, ""


def _check_agency_write(*, assessment, item=None, now=None):
    """Raise DeadlineError/ConflictError unless the agency may write (this item) now."""
    scope = assessment_edit_scope(assessment=assessment, now=now)
    if item is None:
        if not scope.any:
            _refuse(scope)
    elif not scope.allows(item.pk):
        _refuse(scope, item.pk)
    return scope


def _locked(assessment) -> Assessment:
    """The assessment read afresh inside the write's transaction, its row locked (PostgreSQL),
    so a save cannot slip past a submission or a lock happening at the same moment."""
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("campaign", "agency", "criteria_set")
        .get(pk=assessment.pk)
    )


def _item_for(*, assessment, code) -> Item:
    item = (
        Item.objects.select_related("criterion")
        .filter(assessment=assessment, criterion__code=code)
        .first()
    )
    if item is None:
        raise ApplicationError(
            _("Không có tiêu chí “%(code)s” trong bản tự đánh giá này.") % {"code": code},
            status=404)
    item.assessment = assessment
    return item


def _refuse_not_applicable(item, assessment) -> None:
    if item.criterion.not_applicable_to.filter(pk=assessment.agency_id).exists():
        raise ApplicationError(
            _("Tiêu chí %(code)s không áp dụng cho đơn vị; không chấm điểm.") % {"code": item.criterion.code})


# ---------------------------------------------------------------- totals


def _store_total(assessment):
    """Recompute the whole tree with the engine and store the total (the truth for lists)."""
    result = assessment_score(assessment=assessment)
    Assessment.objects.filter(pk=assessment.pk).update(self_total=result.total)
    assessment.self_total = result.total
    return result


# ---------------------------------------------------------------- items


def _current(item) -> dict:
    who = item.updated_by.display_name if item.updated_by_id and item.updated_by else ""
    return {
        "input": item.input, "explanation": item.explanation, "version": item.version,
        "self_points": None if item.self_points is None else str(item.self_points),
        "updated_by": who, "updated_at": item.updated_at.isoformat() if item.updated_at else None,
    }


def int_version(version) -> int:
    """The `version` a save is based on, as an int; ApplicationError (400) when missing or bad."""
    try:
        return int(version)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(_("Thiếu hoặc sai phiên bản (version) của tiêu chí."),
                               extra={"errors": {"version": [_("Bắt buộc, là số nguyên.")]}}) from exc


def checked_explanation(explanation, *, stored) -> str:
    """An item's explanation to save (None keeps the stored one), stripped; at most 10,000 characters."""
    explanation = str(stored if explanation is None else explanation).strip()
    if len(explanation) > 10000:
        raise ApplicationError(_("Giải trình dài quá 10.000 ký tự."),
                               extra={"errors": {"explanation": [_("Quá dài.")]}})
    return explanation


@transaction.atomic
def item_update(*, assessment, code, input, explanation, version, user, now=None) -> Item:  # noqa: A002
    """Save the agency's input and explanation of one item, based on `version`.

    `input` None keeps the stored input ({} clears it); `explanation` None keeps the stored
    text. A save based on an old version raises StaleVersionError (409) with the current
    value in `extra["current"]`, never overwriting. Returns the saved item; its
    `tree_result` is the engine's result for the whole tree after the save.
    """
    now = now or timezone.now()
    assessment = _locked(assessment)
    _require_role(user=user, assessment=assessment, role=Role.STAFF)
    item = _item_for(assessment=assessment, code=code)
    _check_agency_write(assessment=assessment, item=item, now=now)
    _refuse_not_applicable(item, assessment)
    version = int_version(version)
    cleaned = item.input if input is None else clean_item_input(criterion=item.criterion, raw=input)
    explanation = checked_explanation(explanation, stored=item.explanation)
    if cleaned == item.input and explanation == item.explanation:
        # nothing to change (an autosave of the same text, or a stale page typing what is stored):
        # no new version, no history, no conflict
        item.tree_result = assessment_score(assessment=assessment)
        return item
    if not Item.objects.filter(pk=item.pk, version=version).update(version=version + 1):
        current = Item.objects.select_related("updated_by").get(pk=item.pk)
        who = current.updated_by.display_name if current.updated_by else _("người khác")
        if current.updated_at:
            message = _("Tiêu chí %(code)s vừa được %(who)s sửa lúc %(at)s. Hãy xem giá trị hiện tại rồi lưu lại.") % {
                "code": code, "who": who, "at": local_text(current.updated_at)}
        else:
            message = _("Tiêu chí %(code)s vừa được %(who)s sửa. Hãy xem giá trị hiện tại rồi lưu lại.") % {
                "code": code, "who": who}
        raise StaleVersionError(message, extra={"current": _current(current)})
    points = item_points(item, raw=cleaned or None)
    item.input, item.explanation = cleaned, explanation
    item.self_points, item.self_reason = points.value, points.reason[:255]
    item.version = version + 1
    item.updated_by, item.updated_at = user, now
    item._history_user, item._history_date = user, now
    item.full_clean(exclude=["assessment", "criterion", "updated_by", "appraised_by", "documents"],
                    validate_unique=False, validate_constraints=False)
    item.save(update_fields=ITEM_FIELDS)
    item.tree_result = _store_total(assessment)
    return item


def _documents_of_agency(assessment, documents):
    ids = {getattr(d, "pk", d) for d in documents}
    found = list(Document.objects.filter(pk__in=ids, agency_id=assessment.agency_id,
                                         campaign_id=assessment.campaign_id))
    if len(found) != len(ids):
        raise ApplicationError(_("Tài liệu không thuộc thư viện tài liệu của đơn vị trong đợt đánh giá này."),
                               status=404)
    return found


def _relink(item, *, user, now, change, reason):
    """Apply an m2m change to an item's documents, then recompute its points and bump its
    version, leaving ONE history record that holds the new set of documents."""
    Item.objects.filter(pk=item.pk).update(version=F("version") + 1)
    item.refresh_from_db(fields=["version"])
    item.skip_history_when_saving = True
    try:
        change(item.documents)
    finally:
        del item.skip_history_when_saving
    points = item_points(item)
    item.self_points, item.self_reason = points.value, points.reason[:255]
    item.updated_by, item.updated_at = user, now
    item._history_user, item._history_date = user, now
    item._change_reason = reason
    item.save(update_fields=ITEM_FIELDS)
    return item


@transaction.atomic
def item_link_documents(*, assessment, codes, documents, user, now=None) -> list[Item]:
    """Link evidence documents of the agency's library to one or more items (by code).

    Respects the cutoff like every agency write; each item gets a new version and its
    points recomputed (an evidence-required item scores only with evidence).
    """
    now = now or timezone.now()
    assessment = _locked(assessment)
    _require_role(user=user, assessment=assessment, role=Role.STAFF)
    codes = [codes] if isinstance(codes, str) else list(dict.fromkeys(codes))
    if not codes:
        raise ApplicationError(_("Chưa chọn tiêu chí để gắn tài liệu."), extra={"errors": {"items": [_("Bắt buộc.")]}})
    docs = _documents_of_agency(assessment, documents)
    if not docs:
        raise ApplicationError(_("Chưa chọn tài liệu."), extra={"errors": {"documents": [_("Bắt buộc.")]}})
    scope = assessment_edit_scope(assessment=assessment, now=now)
    items = [_item_for(assessment=assessment, code=code) for code in codes]
    for item in items:
        if not scope.allows(item.pk):
            _refuse(scope, item.pk)
    names = ", ".join(d.original_name for d in docs)[:80]
    ids = {d.pk for d in docs}
    saved = []
    for item in items:
        if ids <= set(item.documents.values_list("pk", flat=True)):
            saved.append(item)  # already linked: no new version
            continue
        saved.append(_relink(item, user=user, now=now, change=lambda m: m.add(*docs),
                             reason=f"gắn tài liệu: {names}"))
    result = _store_total(assessment)
    for item in saved:
        item.tree_result = result
    return saved


@transaction.atomic
def assessment_evidence_upload(*, assessment, files, codes=(), user, number="", issued_on=None, issuer="",
                               summary="", now=None) -> list:
    """Upload files to the agency's evidence library and link them to items (by code).

    The cutoff is checked BEFORE anything is stored (the items given must be editable; with
    no items, something in the assessment must be). One refused file refuses the request
    (400, naming the file); nothing of it stays linked. Returns [(document, created)].
    """
    now = now or timezone.now()
    assessment = _locked(assessment)
    _require_role(user=user, assessment=assessment, role=Role.STAFF)
    codes = [codes] if isinstance(codes, str) else list(dict.fromkeys(c for c in codes if c))
    scope = _check_agency_write(assessment=assessment, now=now)
    for code in codes:
        item = _item_for(assessment=assessment, code=code)
        if not scope.allows(item.pk):
            _refuse(scope, item.pk)
    files = list(files or [])
    if not files:
        raise ApplicationError(_("Hãy chọn ít nhất một tệp."), extra={"errors": {"file": [_("Bắt buộc.")]}})
    results = []
    for f in files:
        try:
            results.append(document_upload(agency=assessment.agency, campaign=assessment.campaign, file=f,
                                           user=user, number=number, issued_on=issued_on, issuer=issuer,
                                           summary=summary, now=now))
        except ApplicationError as exc:
            name = getattr(f, "name", "") or _("tệp")
            raise ApplicationError(
                _("Tệp “%(name)s”: %(message)s") % {"name": name, "message": exc.message},
                extra=exc.extra,
                status=exc.status) from exc
    if codes:
        item_link_documents(assessment=assessment, codes=codes, documents=[d for d, _c in results], user=user,
                            now=now)
    return results


@transaction.atomic
def item_unlink_document(*, assessment, code, document, user, now=None) -> Item:
    """Take one document off an item (the document stays in the agency's library)."""
    now = now or timezone.now()
    assessment = _locked(assessment)
    _require_role(user=user, assessment=assessment, role=Role.STAFF)
    item = _item_for(assessment=assessment, code=code)
    _check_agency_write(assessment=assessment, item=item, now=now)
    doc_id = getattr(document, "pk", document)
    doc = item.documents.filter(pk=doc_id).first()
    if doc is None:
        raise ApplicationError(_("Tài liệu này không gắn với tiêu chí."), status=404)
    item = _relink(item, user=user, now=now, change=lambda m: m.remove(doc),
                   reason=f"bỏ tài liệu: {doc.original_name}"[:100])
    item.tree_result = _store_total(assessment)
    return item


# ---------------------------------------------------------------- the agency's flow


def _record(assessment, *, user, now, reason):
    """A history record of an assessment after a conditional update (which saves no history)."""
    assessment.refresh_from_db()
    assessment._history_user, assessment._history_date = user, now
    Assessment.history.bulk_history_create([assessment], update=True, default_user=user,
                                           default_change_reason=reason[:100], default_date=now)
    return assessment


def _notify(users, *, text, assessment, key):
    url = reverse("scoring:assessment_page", args=[assessment.pk])
    for user in users:
        notification_create(user=user, text=text, url=url, key=f"{key}:{user.pk}")


def _members(assessment, role):
    return list(users_for_agency(agency=assessment.agency, roles=[role]))


def _transition(assessment, *, source, message, **changes) -> None:
    if not Assessment.objects.filter(pk=assessment.pk, status=source).update(**changes):
        raise ConflictError(message)


@transaction.atomic
def assessment_send_to_leader(*, assessment, user, now=None) -> Assessment:
    """Staff send the self-assessment to the agency's leader (trình lãnh đạo): draft → with_leader."""
    now = now or timezone.now()
    assessment = _locked(assessment)
    _require_role(user=user, assessment=assessment, role=Role.STAFF)
    if assessment.status == Assessment.Status.DRAFT:
        _check_agency_write(assessment=assessment, now=now)
    _transition(assessment, source=Assessment.Status.DRAFT,
                message=_("Chỉ gửi lãnh đạo được bản tự đánh giá đang chấm."),
                status=Assessment.Status.WITH_LEADER, sent_to_leader_at=now, updated_at=now)
    _record(assessment, user=user, now=now, reason="trình lãnh đạo")
    _notify(_members(assessment, Role.LEADER), assessment=assessment,
            text=f"{assessment.agency.name}: bản tự đánh giá chờ lãnh đạo duyệt.",
            key=f"assessment-leader:{assessment.pk}:{int(now.timestamp())}")
    return assessment


def _leader_window(assessment, now):
    """The leader acts before the same cutoff as the staff (a draft in the leader's hands is
    locked at the deadline too)."""
    window = step_window_for(agency=assessment.agency, campaign=assessment.campaign, kind=StepKind.SELF_ASSESSMENT)
    if window is None or now >= window.closes_at:
        if window:
            raise DeadlineError(_("Đã hết hạn tự đánh giá lúc %(closes_at)s; không duyệt hoặc trả lại được nữa.")
                                % {"closes_at": local_text(window.closes_at)})
        raise DeadlineError(_("Đã hết hạn tự đánh giá; không duyệt hoặc trả lại được nữa."))


@transaction.atomic
def assessment_approve(*, assessment, user, now=None) -> Assessment:
    """The leader approves, which submits the self-assessment to the Sở: with_leader → submitted."""
    now = now or timezone.now()
    assessment = _locked(assessment)
    _require_role(user=user, assessment=assessment, role=Role.LEADER)
    if assessment.status == Assessment.Status.WITH_LEADER:
        _leader_window(assessment, now)
    _transition(assessment, source=Assessment.Status.WITH_LEADER,
                message=_("Chỉ duyệt được bản tự đánh giá đang chờ lãnh đạo duyệt."),
                status=Assessment.Status.SUBMITTED, submitted_at=now, submitted_by=user, updated_at=now)
    _record(assessment, user=user, now=now, reason="lãnh đạo duyệt, gửi Sở Nội vụ")
    _notify(_members(assessment, Role.STAFF), assessment=assessment,
            text=f"{assessment.agency.name}: lãnh đạo đã duyệt và gửi bản tự đánh giá đến Sở Nội vụ.",
            key=f"assessment-submitted:{assessment.pk}")
    return assessment


@transaction.atomic
def assessment_return(*, assessment, user, comment, now=None) -> Assessment:
    """The leader returns the self-assessment to the staff with a comment: with_leader → draft."""
    now = now or timezone.now()
    assessment = _locked(assessment)
    _require_role(user=user, assessment=assessment, role=Role.LEADER)
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(_("Cần ghi ý kiến khi trả lại."), extra={"errors": {"comment": [_("Bắt buộc.")]}})
    if assessment.status == Assessment.Status.WITH_LEADER:
        _leader_window(assessment, now)
    _transition(assessment, source=Assessment.Status.WITH_LEADER,
                message=_("Chỉ trả lại được bản tự đánh giá đang chờ lãnh đạo duyệt."),
                status=Assessment.Status.DRAFT, leader_comment=comment[:5000], updated_at=now)
    _record(assessment, user=user, now=now, reason="lãnh đạo trả lại")
    _notify(_members(assessment, Role.STAFF), assessment=assessment,
            text=f"{assessment.agency.name}: lãnh đạo trả lại bản tự đánh giá: {comment[:200]}",
            key=f"assessment-returned:{assessment.pk}:{int(now.timestamp())}")
    return assessment


# ---------------------------------------------------------------- the cutoff


def assessment_lock_overdue(*, now=None) -> list[int]:
    """Lock unsubmitted (draft, with_leader) assessments whose effective self-assessment
    deadline has passed, as they are. Each lock is a conditional update, so two ticks running
    at once lock each assessment once; returns the ids this call locked."""
    now = now or timezone.now()
    locked = []
    for pk, campaign_id, agency_id in overdue_candidates(now=now):
        with transaction.atomic():
            # read the window again: an extension granted since the candidates were listed wins
            window = step_window_for(agency=Agency(pk=agency_id), campaign=Campaign(pk=campaign_id),
                                     kind=StepKind.SELF_ASSESSMENT)
            if window is None or now < window.closes_at:
                continue
            if Assessment.objects.filter(pk=pk, status__in=NOT_SUBMITTED).update(
                    status=Assessment.Status.LOCKED, locked_at=now, updated_at=now):
                _record(Assessment(pk=pk), user=None, now=now, reason="tự động khóa khi hết hạn tự đánh giá")
                locked.append(pk)
    if locked:
        logger.info("locked %d overdue assessments", len(locked))
    return locked


def assessment_unlock_for_extension(*, extension, now=None) -> int:
    """An extension of the self-assessment step that ends in the future turns that agency's
    locked assessment back to draft (recorded in its history). Returns how many changed."""
    now = now or timezone.now()
    step = extension.step
    if step.kind != StepKind.SELF_ASSESSMENT or extension.closes_at <= now:
        return 0
    changed = 0
    for pk in Assessment.objects.filter(campaign_id=step.campaign_id, agency_id=extension.agency_id,
                                        status=Assessment.Status.LOCKED).values_list("pk", flat=True):
        if Assessment.objects.filter(pk=pk, status=Assessment.Status.LOCKED).update(
                status=Assessment.Status.DRAFT, locked_at=None, updated_at=now):
            _record(Assessment(pk=pk), user=extension.granted_by, now=now,
                    reason=f"mở lại do gia hạn đến {local_text(extension.closes_at)}")
            changed += 1
    return changed


def _on_extension_granted(sender, extension, **kwargs):
    assessment_unlock_for_extension(extension=extension)


def connect() -> None:
    """Called once from ScoringConfig.ready(): signal receivers and page links."""
    extension_granted.connect(_on_extension_granted, dispatch_uid="scoring.assessments.extension_granted")
    links.register(assessment_links)
    on_criteria_amended(assessments_refresh_for_criteria)
