"""Reads of the appraisal (thẩm định): assignments, who may appraise what, the work queue,
the appraisal page, explanation threads, finalisation, and the appraised score.

Who sees what
    Province staff (admin, officer, appraiser) see every assessment that reached the Sở
    (submitted or later); officers see every assessment. Agency members see the explanation
    requests and threads of their own agencies. Anyone else gets 404.
    An appraiser may appraise (write) only items covered by an assignment of the campaign:
    a code covers its subtree, and an assignment with a group covers only that group's
    agencies. Officers and admins may appraise everything.

The appraised score
    The engine over the tree with, per leaf, the appraiser's input when the item was
    adjusted, the agency's own input otherwise (accepted or not yet appraised); survey and
    imported figures, evidence, N/A codes and the set's bonus/penalty caps as for the
    self-score. ``Assessment.appraised_total`` stores its total.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.links import Link
from campaigns.models import Campaign, Membership, Role, StepKind
from campaigns.selectors import agency_windows, user_agency_ids, user_is_appraiser, user_is_officer, user_roles
from evidence.models import Document
from scoring import engine
from scoring.compute import node_for
from scoring.criteria_excel import code_key
from scoring.models import (
    AppraisalSeen,
    Assessment,
    Assignment,
    Criterion,
    ExplanationRequest,
    FinalisationLog,
    ImportedFigure,
    Item,
    Message,
)
from scoring.rules import DEFAULT_STEP, RuleParamsError, decimal_param, levels_of
from scoring.selectors.criteria import not_applicable_codes
from scoring.selectors.progress import (  # noqa: F401 - code_covers and item_counts_as_appraised are used here too
    Progress,
    appraisal_progress_of,
    appraiser_progress_by_assessment,
    code_covers,
    item_counts_as_appraised,
    na_codes_for,
)

S = Assessment.Status
# Where the appraiser may write (items under an open explanation request wait for the answer).
APPRAISABLE = frozenset({S.SUBMITTED, S.IN_APPRAISAL, S.EXPLANATION_REQUESTED, S.EXPLAINED, S.APPRAISED})
# What the appraisal team sees: everything that reached the Sở.
AT_THE_SO = APPRAISABLE | {S.FINAL}
FINALISABLE = frozenset({S.SUBMITTED, S.IN_APPRAISAL, S.EXPLAINED, S.APPRAISED})
EXTERNAL_RULES = frozenset({"survey", "imported"})
APPRAISAL_STEPS = (StepKind.APPRAISAL, StepKind.APPRAISAL_2)
PAGE_SIZE = 25


# ---------------------------------------------------------------- assignments


def _codes_q(codes, prefix="criterion__code") -> Q:
    q = Q(pk__in=[])
    for c in codes:
        q |= Q(**{prefix: c}) | Q(**{f"{prefix}__startswith": c + "."})
    return q


def assignment_list(*, campaign) -> QuerySet[Assignment]:
    return (Assignment.objects.filter(campaign=campaign).select_related("appraiser", "group")
            .order_by("appraiser__username", "group__order", "id"))


def user_assignments(*, user, campaign_id) -> list[Assignment]:
    """The user's assignments in a campaign (one query)."""
    return list(Assignment.objects.filter(campaign_id=campaign_id, appraiser=user).select_related("group"))


def assigned_codes(*, user, assessment) -> list[str] | None:
    """Codes the user may appraise in this assessment: None means everything (officers)."""
    if user_is_officer(user):
        return None
    if not user_is_appraiser(user):
        return []
    group_id = assessment.agency.group_id
    codes: list[str] = []
    for a in user_assignments(user=user, campaign_id=assessment.campaign_id):
        if a.group_id is None or a.group_id == group_id:
            codes.extend(a.codes or [])
    return codes


def appraiser_may_appraise(*, user, item) -> bool:
    """Whether `user` may appraise `item` (officers everything, appraisers their assignment).

    Says nothing about the assessment's state or the step windows: ``item_appraise`` checks those.
    """
    codes = assigned_codes(user=user, assessment=item.assessment)
    return codes is None or code_covers(codes, item.criterion.code)


def user_assignment_q(*, user, campaign_id, prefix="", assignments=None) -> Q | None:
    """A filter on Item (or, with `prefix`, a related path to it) for the items assigned to the
    user in the campaign; None for officers (everything)."""
    if user_is_officer(user):
        return None
    if assignments is None:
        assignments = user_assignments(user=user, campaign_id=campaign_id)
    q = Q(pk__in=[])
    for a in assignments:
        part = _codes_q(a.codes or [], prefix=f"{prefix}criterion__code")
        if a.group_id is not None:
            part &= Q(**{f"{prefix}assessment__agency__group_id": a.group_id})
        q |= part
    return q


# ---------------------------------------------------------------- access


def assessment_list_for_appraisal(*, user, campaign=None, assignments=None) -> QuerySet[Assessment]:
    """Assessments the appraisal team works on; an appraiser sees those of the agency groups
    their assignments cover (in the queue); officers every one at the Sở."""
    qs = Assessment.objects.select_related("agency", "agency__group", "campaign", "criteria_set")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    qs = qs.filter(status__in=AT_THE_SO)
    if user_is_officer(user):
        return qs
    if not user_is_appraiser(user) or campaign is None:
        return qs.none()
    if assignments is None:
        assignments = user_assignments(user=user, campaign_id=campaign.pk)
    if not assignments:
        return qs.none()
    if any(a.group_id is None for a in assignments):
        return qs
    return qs.filter(agency__group_id__in={a.group_id for a in assignments})


def assessment_get_for_appraisal(*, user, pk) -> Assessment:
    """The appraisal page's assessment: province staff, once it reached the Sở (officers
    always); 404 for anyone else (agency staff included)."""
    roles = user_roles(user)
    if not roles & {Role.ADMIN, Role.OFFICER, Role.APPRAISER}:
        raise Http404
    qs = Assessment.objects.select_related("agency", "agency__group", "campaign", "criteria_set",
                                           "criteria_set__group", "finalised_by")
    if not user_is_officer(user):
        qs = qs.filter(status__in=AT_THE_SO)
    try:
        return qs.get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def user_is_agency_member(*, user, assessment) -> bool:
    return assessment.agency_id in user_agency_ids(user, roles=[Role.STAFF, Role.LEADER])


def assessment_get_for_explanations(*, user, pk) -> Assessment:
    """The explanation page's assessment: its agency's members, and province staff; 404 else."""
    qs = Assessment.objects.select_related("agency", "agency__group", "campaign", "criteria_set")
    try:
        assessment = qs.get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if user_is_agency_member(user=user, assessment=assessment) and assessment.campaign.status != Campaign.Status.DRAFT:
        return assessment
    if user_is_officer(user) or (user_is_appraiser(user) and assessment.status in AT_THE_SO):
        return assessment
    raise Http404


def explanation_request_get_for_user(*, user, pk) -> ExplanationRequest:
    try:
        request = ExplanationRequest.objects.select_related("assessment", "created_by").get(pk=pk)
    except (ExplanationRequest.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    request.assessment = assessment_get_for_explanations(user=user, pk=request.assessment_id)
    return request


# ---------------------------------------------------------------- windows


def appraisal_window_reason(*, assessment, now=None, windows=None) -> str:
    """Empty when an appraiser may act now, else why not (Vietnamese). Appraisers work from
    the submission until the appraisal step closes for the agency (an early start is fine:
    the agency can no longer change what it submitted), and again while the second
    appraisal step is open; with neither step in the plan, any time. Officers are not bound."""
    now = now or timezone.now()
    if windows is None:
        windows = agency_windows(agency=assessment.agency, campaign=assessment.campaign)
    first, second = windows.get(StepKind.APPRAISAL), windows.get(StepKind.APPRAISAL_2)
    if first is None and second is None:
        return ""
    if first is not None and now < first.closes_at:
        return ""
    if second is not None and second.is_open(now):
        return ""
    spans = "; ".join(
        f"{w.label} {timezone.localtime(w.opens_at):%d/%m/%Y} – {timezone.localtime(w.closes_at):%d/%m/%Y}"
        for w in (first, second) if w is not None)
    return _("Ngoài thời gian thẩm định (%(spans)s).") % {"spans": spans}


# ---------------------------------------------------------------- scores


def _leaf_codes(codes) -> set[str]:
    codes = set(codes)
    parents = {c.rpartition(".")[0] for c in codes}
    return {c for c in codes if c not in parents}


def engine_maps(items, *, appraised: bool):
    """Items (with `criterion` and prefetched or annotated documents) → the engine's inputs,
    evidence, survey and imported maps, for the self-score or the appraised score."""
    inputs, evidence, survey, imported = {}, set(), {}, {}
    for item in items:
        code, rule = item.criterion.code, item.criterion.rule
        raw = item.input
        if appraised and item.appraisal_state == Item.AppraisalState.ADJUSTED:
            raw = item.appraised_input
        if raw:
            inputs[code] = raw
        if item.external_points is not None:
            (survey if rule == "survey" else imported)[code] = item.external_points
        has = getattr(item, "has_evidence", None)
        if has is None:
            has = bool(item.documents.all())
        if has:
            evidence.add(code)
    return inputs, evidence, survey, imported


def score_tree(*, criteria, items, criteria_set, na, appraised: bool) -> engine.Result:
    inputs, evidence, survey, imported = engine_maps(items, appraised=appraised)
    return engine.score(
        [node_for(c) for c in criteria], inputs=inputs, evidence=evidence, survey=survey, imported=imported,
        not_applicable=na, bonus_cap=criteria_set.bonus_cap, penalty_cap=criteria_set.penalty_cap,
    )


def _criteria(criteria_set) -> list[Criterion]:
    return sorted(
        Criterion.objects.filter(criteria_set=criteria_set).only(
            "id", "code", "title", "max_points", "rule", "params", "evidence_required", "capped", "guidance",
            "criteria_set_id"),
        key=lambda c: code_key(c.code),
    )


def _items_with_evidence(assessment) -> list[Item]:
    return list(
        Item.objects.filter(assessment=assessment).select_related("criterion")
        .annotate(has_evidence=Exists(Item.documents.through.objects.filter(item_id=OuterRef("pk"))))
    )


def appraised_score(*, assessment) -> engine.Result:
    """The appraised score of the whole tree (4 queries)."""
    criteria_set = assessment.criteria_set
    return score_tree(
        criteria=_criteria(criteria_set), items=_items_with_evidence(assessment), criteria_set=criteria_set,
        na=not_applicable_codes(criteria_set=criteria_set, agency=assessment.agency), appraised=True,
    )


def unappraised_codes(*, assessment, criteria=None, items=None, na=None) -> list[str]:
    """Applicable leaves not appraised yet (a leaf without an item counts as not appraised)."""
    criteria_set = assessment.criteria_set
    if criteria is None:
        criteria = _criteria(criteria_set)
    if items is None:
        items = list(Item.objects.filter(assessment=assessment).select_related("criterion"))
    if na is None:
        na = not_applicable_codes(criteria_set=criteria_set, agency=assessment.agency)
    by_code = {i.criterion.code: i for i in items}
    out = []
    for code in sorted(_leaf_codes(c.code for c in criteria), key=code_key):
        if code_covers(na, code):
            continue
        item = by_code.get(code)
        if item is None or not item_counts_as_appraised(item):
            out.append(code)
    return out


def open_request_codes(*, assessment) -> list[str]:
    return sorted(
        set(ExplanationRequest.items.through.objects.filter(
            explanationrequest__assessment=assessment, explanationrequest__status=ExplanationRequest.Status.OPEN,
        ).values_list("item__criterion__code", flat=True)),
        key=code_key,
    )


# ---------------------------------------------------------------- evidence links


@dataclass(frozen=True)
class DocumentLink:
    document: Document
    url: str
    preview_url: str
    kind: str  # "pdf", "image" or ""


def _reverse_or_empty(name, pk) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def document_link(document) -> DocumentLink:
    """Where to open a document: the evidence app's download and inline preview views when
    they exist, else the stored file's URL."""
    content_type = getattr(document, "content_type", "") or ""
    kind = "pdf" if content_type == "application/pdf" else "image" if content_type.startswith("image/") else ""
    url = _reverse_or_empty("evidence:download", document.pk)
    if not url:
        try:
            url = document.file.url
        except ValueError:
            url = ""
    preview = _reverse_or_empty("evidence:preview", document.pk) if kind else ""
    return DocumentLink(document, url, preview, kind)


DOCUMENT_FIELDS = ("id", "original_name", "number", "issued_on", "issuer", "summary", "content_type", "file",
                   "uploaded_at", "agency_id", "campaign_id")


# ---------------------------------------------------------------- threads


def _thread_queryset():
    return (Message.objects.select_related("author", "request")
            .prefetch_related(Prefetch("documents", queryset=Document.objects.only(*DOCUMENT_FIELDS)))
            .order_by("created_at", "id"))


def item_threads(*, assessment) -> dict[int, list[Message]]:
    """Item id → its messages (questions and answers, oldest first), in two queries. Each
    message carries `links` (DocumentLink of its documents) and `is_question`."""
    threads: dict[int, list[Message]] = defaultdict(list)
    for m in _thread_queryset().filter(request__assessment=assessment):
        m.links = [document_link(d) for d in m.documents.all()]
        m.is_question = m.author_id == m.request.created_by_id
        threads[m.item_id].append(m)
    return threads


def explanation_request_list(*, assessment) -> list[ExplanationRequest]:
    """The assessment's requests, open first then newest, with items and their criteria."""
    requests = list(
        ExplanationRequest.objects.filter(assessment=assessment).select_related("created_by")
        .prefetch_related(Prefetch("items", queryset=Item.objects.select_related("criterion")
                                   .order_by("criterion__order", "criterion__code")))
    )
    order = {ExplanationRequest.Status.OPEN: 0, ExplanationRequest.Status.ANSWERED: 1,
             ExplanationRequest.Status.CLOSED: 2}
    requests.sort(key=lambda r: (order.get(r.status, 3), -r.created_at.timestamp()))
    for r in requests:
        r.codes = sorted((i.criterion.code for i in r.items.all()), key=code_key)
    return requests


@dataclass
class ExplanationPage:
    assessment: Assessment
    requests: list[ExplanationRequest]
    threads: dict[int, list[Message]]
    may_answer: bool
    library: list[Document]


def explanation_page_data(*, user, assessment, now=None) -> ExplanationPage:
    """The agency's explanation page: requests with their items and per-item threads."""
    now = now or timezone.now()
    requests = explanation_request_list(assessment=assessment)
    threads = item_threads(assessment=assessment)
    member = user_is_agency_member(user=user, assessment=assessment)
    for r in requests:
        r.items_list = list(r.items.all())
        for it in r.items_list:
            it.thread = threads.get(it.pk, [])
        r.can_answer = member and r.status == ExplanationRequest.Status.OPEN and now < r.due_at
    library = []
    if member:
        library = list(Document.objects.filter(agency_id=assessment.agency_id, campaign_id=assessment.campaign_id)
                       .only(*DOCUMENT_FIELDS).order_by("-uploaded_at", "-id")[:200])
    return ExplanationPage(assessment, requests, threads, member, library)


# ---------------------------------------------------------------- the appraisal page


@dataclass
class AppraisalRow:
    criterion: Criterion
    depth: int
    is_leaf: bool
    self_points: engine.Points
    appraised_points: engine.Points
    item: Item | None = None
    documents: list = field(default_factory=list)
    thread: list = field(default_factory=list)
    open_request: ExplanationRequest | None = None
    answered: bool = False
    may_appraise: bool = False
    assigned: bool = False
    locked_reason: str = ""
    reason_shown: bool = False  # the page says the assessment-wide reasons once, at the top
    changed: bool = False
    levels: list = field(default_factory=list)
    step: str = ""
    values: dict = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.criterion.code

    @property
    def not_applicable(self) -> bool:
        return not self.self_points.applicable

    @property
    def diff(self) -> Decimal:
        return self.appraised_points.value - self.self_points.value

    @property
    def state(self) -> str:
        if self.item is None:
            return Item.AppraisalState.PENDING
        if item_counts_as_appraised(self.item) and self.item.appraisal_state == Item.AppraisalState.PENDING:
            return "external"
        return self.item.appraisal_state

    @property
    def external(self) -> bool:
        return self.criterion.rule in EXTERNAL_RULES and self.item is not None \
            and self.item.external_points is not None


@dataclass
class FieldSummary:
    criterion: Criterion
    self_points: engine.Points
    appraised_points: engine.Points
    rows: list[AppraisalRow]
    pending: int = 0
    may_accept: int = 0

    @property
    def diff(self) -> Decimal:
        return self.appraised_points.value - self.self_points.value


@dataclass
class AppraisalPage:
    assessment: Assessment
    fields: list[FieldSummary]
    self_result: engine.Result
    appraised_result: engine.Result
    is_officer: bool
    window_reason: str
    seen_at: datetime | None
    requests: list[ExplanationRequest]
    log: list[FinalisationLog]
    unappraised: list[str]
    open_codes: list[str]
    explanation_window: object = None
    status_reason: str = ""
    changed_count: int = 0
    progress: Progress = Progress(0, 0)  # of the reader's share: what "x/y đã thẩm định" shows

    @property
    def total_diff(self) -> Decimal:
        return self.appraised_result.total - self.self_result.total

    @property
    def can_finalise(self) -> bool:
        return (self.is_officer and self.assessment.status in FINALISABLE and not self.unappraised
                and not self.open_codes)

    @property
    def can_request(self) -> bool:
        return any(r.may_appraise for f in self.fields for r in f.rows)


def _rule_ui(row: AppraisalRow) -> None:
    c, params = row.criterion, row.criterion.params or {}
    try:
        if c.rule == "levels":
            row.levels = [lv.label for lv in levels_of(params)]
        elif c.rule in ("manual", "bonus", "penalty", "imported"):
            row.step = str(decimal_param(params, "step", DEFAULT_STEP))
    except RuleParamsError:
        pass
    item = row.item
    shown = item.appraised_input if item.appraisal_state == Item.AppraisalState.ADJUSTED else item.input
    row.values = dict(shown or {})


def item_changed_at(item) -> datetime | None:
    """The latest change by the agency to an item: its input or explanation (`updated_at`), a
    document attached, a message in its thread by someone else than the appraiser."""
    moments = [m for m in (item.updated_at, getattr(item, "last_document_at", None),
                           getattr(item, "last_message_at", None)) if m is not None]
    return max(moments) if moments else None


def _changed_annotations(user):
    return {
        "last_document_at": Subquery(
            Document.objects.filter(items=OuterRef("pk")).order_by("-uploaded_at").values("uploaded_at")[:1]),
        "last_message_at": Subquery(
            Message.objects.filter(item=OuterRef("pk")).exclude(author=user).order_by("-created_at")
            .values("created_at")[:1]),
        "has_open_request": Exists(ExplanationRequest.objects.filter(
            items=OuterRef("pk"), status=ExplanationRequest.Status.OPEN)),
        "has_answered_request": Exists(ExplanationRequest.objects.filter(
            items=OuterRef("pk"), status=ExplanationRequest.Status.ANSWERED)),
    }


def appraisal_seen_at(*, user, assessment) -> datetime | None:
    return AppraisalSeen.objects.filter(user=user, assessment=assessment).values_list("seen_at", flat=True).first()


def appraisal_page_data(*, user, assessment, now=None) -> AppraisalPage:
    """Everything the appraisal page shows, in a fixed number of queries whatever the size
    of the tree (about 14): criteria, items, their documents, N/A codes, threads, requests,
    the log, windows, the user's assignments and when they last looked."""
    now = now or timezone.now()
    criteria_set = assessment.criteria_set
    criteria = _criteria(criteria_set)
    documents_qs = Document.objects.only(*DOCUMENT_FIELDS).order_by("id")
    items = list(
        Item.objects.filter(assessment=assessment).select_related("criterion", "appraised_by")
        .annotate(**_changed_annotations(user))
        .prefetch_related(Prefetch("documents", queryset=documents_qs))
    )
    by_criterion = {i.criterion_id: i for i in items}
    na = not_applicable_codes(criteria_set=criteria_set, agency=assessment.agency)
    self_result = score_tree(criteria=criteria, items=items, criteria_set=criteria_set, na=na, appraised=False)
    appraised_result = score_tree(criteria=criteria, items=items, criteria_set=criteria_set, na=na, appraised=True)
    threads = item_threads(assessment=assessment)
    requests = explanation_request_list(assessment=assessment)
    open_by_item = {}
    for r in requests:
        if r.status == ExplanationRequest.Status.OPEN:
            for it in r.items.all():
                open_by_item[it.pk] = r
    is_officer = user_is_officer(user)
    codes = assigned_codes(user=user, assessment=assessment)
    windows = agency_windows(agency=assessment.agency, campaign=assessment.campaign)
    window_reason = "" if is_officer else appraisal_window_reason(assessment=assessment, now=now, windows=windows)
    seen_at = appraisal_seen_at(user=user, assessment=assessment)
    status_reason = ""
    if assessment.status == S.FINAL:
        status_reason = _("Đã chốt điểm; muốn sửa phải mở lại (cán bộ Sở Nội vụ).")
    elif assessment.status not in APPRAISABLE:
        status_reason = _("Bản tự đánh giá chưa gửi Sở Nội vụ.")

    from evidence.checks import attach_checks

    attach_checks([d for item in items for d in item.documents.all()], campaign=assessment.campaign)
    leaf_codes = _leaf_codes(c.code for c in criteria)
    fields: list[FieldSummary] = []
    page = AppraisalPage(
        assessment=assessment, fields=fields, self_result=self_result, appraised_result=appraised_result,
        is_officer=is_officer, window_reason=window_reason, seen_at=seen_at, requests=requests,
        log=list(FinalisationLog.objects.filter(assessment=assessment).select_related("user")),
        unappraised=unappraised_codes(assessment=assessment, criteria=criteria, items=items, na=na),
        open_codes=sorted({it.criterion.code for it in items if it.pk in open_by_item}, key=code_key),
        explanation_window=windows.get(StepKind.EXPLANATION), status_reason=status_reason,
    )
    for c in criteria:
        is_leaf = c.code in leaf_codes
        row = AppraisalRow(criterion=c, depth=c.code.count(".") + 1, is_leaf=is_leaf,
                           self_points=self_result.points[c.code], appraised_points=appraised_result.points[c.code])
        if c.depth == 1:
            fields.append(FieldSummary(criterion=c, self_points=row.self_points,
                                       appraised_points=row.appraised_points, rows=[]))
        if not fields:
            continue
        fields[-1].rows.append(row)
        item = by_criterion.get(c.pk)
        if not is_leaf or item is None:
            continue
        row.item = item
        row.documents = [document_link(d) for d in item.documents.all()]
        row.thread = threads.get(item.pk, [])
        row.open_request = open_by_item.get(item.pk)
        row.answered = bool(item.has_answered_request)
        row.assigned = codes is None or code_covers(codes, c.code)
        changed_at = item_changed_at(item)
        row.changed = seen_at is not None and changed_at is not None and changed_at > seen_at
        if row.not_applicable:
            row.locked_reason = _("Không áp dụng cho đơn vị.")
        elif status_reason:
            row.locked_reason = status_reason
        elif not row.assigned:
            row.locked_reason = _("Không thuộc phần được phân công.")
        elif row.open_request is not None:
            row.locked_reason = _("Đang chờ đơn vị giải trình.")
        elif window_reason:
            row.locked_reason = window_reason
        row.may_appraise = not row.locked_reason
        row.reason_shown = row.locked_reason not in ("", status_reason, window_reason)
        _rule_ui(row)
        if not row.not_applicable:
            page.changed_count += row.changed
            if item.appraisal_state == Item.AppraisalState.PENDING and not item_counts_as_appraised(item):
                fields[-1].pending += 1
                fields[-1].may_accept += row.may_appraise
    page.progress = appraisal_progress_of(
        items, na_of=lambda item: na, in_share=lambda item: codes is None or code_covers(codes, item.criterion.code))
    return page


# ---------------------------------------------------------------- the work queue


@dataclass
class QueueRow:
    assessment: Assessment
    assigned: int = 0
    pending: int = 0
    accepted: int = 0
    adjusted: int = 0
    open_requests: int = 0
    answered: int = 0
    changed: int = 0
    seen_at: datetime | None = None

    @property
    def done(self) -> int:
        return self.assigned - self.pending


def appraisal_queue(*, user, campaign, q="", show="", page_number=1, assignments=None, progress=None):
    """The appraiser's work: one row per agency (assessment at the Sở) with counts over the
    applicable items assigned to the user: pending, accepted, adjusted, explanation open /
    answered, and what changed since they last looked. A page of rows in 6 queries (with the
    user's `assignments` given) whatever the number of agencies or items. "todo" keeps the
    agencies whose `progress` (``appraiser_progress_by_assessment``) is not complete."""
    if assignments is None:
        assignments = user_assignments(user=user, campaign_id=campaign.pk)
    qs = assessment_list_for_appraisal(user=user, campaign=campaign, assignments=assignments).order_by(
        "agency__group__order", "agency__code")
    if q:
        qs = qs.filter(Q(agency__code__icontains=q) | Q(agency__name__icontains=q))
    assignment_q = user_assignment_q(user=user, campaign_id=campaign.pk, assignments=assignments)
    if show == "todo":
        if progress is None:
            progress = appraiser_progress_by_assessment(campaign=campaign, appraiser=user, assignments=assignments)
        qs = qs.filter(pk__in=[pk for pk, p in progress.items() if p.done < p.total])
    elif show in ("changed", "answered"):
        items_q = Item.objects.filter(assessment=OuterRef("pk"))
        if assignment_q is not None:
            items_q = items_q.filter(assignment_q)
        if show == "answered":
            items_q = items_q.filter(explanation_requests__status=ExplanationRequest.Status.ANSWERED)
        else:
            seen = OuterRef("seen_at_mine")
            items_q = items_q.filter(
                Q(updated_at__gt=seen) | Q(documents__uploaded_at__gt=seen)
                | (Q(messages__created_at__gt=seen) & ~Q(messages__author=user)))
            qs = qs.annotate(seen_at_mine=Subquery(
                AppraisalSeen.objects.filter(user=user, assessment=OuterRef("pk")).values("seen_at")[:1]))
        qs = qs.filter(Exists(items_q))
    page = Paginator(qs, PAGE_SIZE).get_page(page_number)
    rows = {a.pk: QueueRow(a) for a in page.object_list}
    if not rows:
        return page, []
    seen = dict(AppraisalSeen.objects.filter(user=user, assessment_id__in=rows).values_list("assessment_id",
                                                                                            "seen_at"))
    items = Item.objects.filter(assessment_id__in=rows)
    if assignment_q is not None:
        items = items.filter(assignment_q)
    items = items.select_related("criterion").only(
        "id", "assessment_id", "appraisal_state", "external_points", "updated_at", "criterion__rule",
        "criterion__code",
    ).annotate(**_changed_annotations(user))
    na = na_codes_for(page.object_list)
    for item in items:
        if code_covers(na[item.assessment_id], item.criterion.code):
            continue  # not applicable to the agency: nobody appraises it
        row = rows[item.assessment_id]
        row.assigned += 1
        if item.has_open_request:
            row.open_requests += 1
        elif item.has_answered_request:
            row.answered += 1
        if not item_counts_as_appraised(item):
            row.pending += 1
        elif item.appraisal_state == Item.AppraisalState.ADJUSTED:
            row.adjusted += 1
        else:
            row.accepted += 1
        seen_at = seen.get(item.assessment_id)
        changed_at = item_changed_at(item)
        if seen_at is not None and changed_at is not None and changed_at > seen_at:
            row.changed += 1
    for pk, row in rows.items():
        row.seen_at = seen.get(pk)
    return page, list(rows.values())


def appraisal_campaigns_for_user(*, user) -> list[Campaign]:
    """Campaigns with appraisal work for the user: officers every non-draft one, appraisers
    those they are assigned in; newest first."""
    qs = Campaign.objects.exclude(status=Campaign.Status.DRAFT).order_by("-year", "name")
    if user_is_officer(user):
        return list(qs)
    return list(qs.filter(assignments__appraiser=user).distinct())


# ---------------------------------------------------------------- imported figures


def imported_figure_list(*, campaign, limit=200) -> list[ImportedFigure]:
    return list(
        ImportedFigure.objects.filter(item__assessment__campaign=campaign)
        .select_related("item__assessment__agency", "item__criterion", "imported_by")[:limit]
    )


# ---------------------------------------------------------------- links


def appraisal_links(campaign, user) -> list[Link]:
    """Links on the campaign and home pages (registered in campaigns.links)."""
    if campaign.status == Campaign.Status.DRAFT:
        return []
    links = []
    if user_is_officer(user):
        links.append(Link(_("Phân công thẩm định"), reverse("scoring:assignment_list", args=[campaign.pk]), 30))
        links.append(Link(_("Thẩm định"), reverse("scoring:appraisal_queue", args=[campaign.pk]), 31))
        links.append(Link(_("Nhập số liệu từ hệ thống khác"),
                          reverse("scoring:imported_figures", args=[campaign.pk]), 32))
    elif user_is_appraiser(user) and user_assignments(user=user, campaign_id=campaign.pk):
        links.append(Link(_("Việc thẩm định của tôi"), reverse("scoring:appraisal_queue", args=[campaign.pk]), 30))
    else:
        own = user_agency_ids(user, roles=[Role.STAFF, Role.LEADER])
        if own:
            for a in (Assessment.objects.filter(campaign=campaign, agency_id__in=own,
                                                explanation_requests__isnull=False)
                      .select_related("agency").distinct().order_by("agency__code")):
                links.append(Link(_("Giải trình: %(agency)s") % {"agency": a.agency},
                                  reverse("scoring:explanations", args=[a.pk]), 16))
    return links


def agency_members(*, assessment) -> list:
    """Users to tell about an explanation request: the agency's staff and leaders."""
    return [m.user for m in Membership.objects.filter(agency=assessment.agency, user__is_active=True)
            .select_related("user")]
