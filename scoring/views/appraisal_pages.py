"""The appraisal's pages as the views show them: the appraisal page, the explanation page,
the work queue, evidence links and the campaign page's links. Reads come from
`scoring.selectors.appraisal`; this module only shapes them and reverses URLs."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.links import Link
from campaigns.models import Campaign, Role, StepKind
from campaigns.selectors import agency_windows, user_agency_ids, user_is_appraiser, user_is_officer
from evidence.checks import attach_checks
from evidence.excerpts import attach_excerpts
from evidence.models import Document
from scoring import engine
from scoring.criteria_excel import code_key
from scoring.models import (
    AppraisalSeen,
    Assessment,
    Criterion,
    ExplanationRequest,
    FinalisationLog,
    Item,
    Message,
)
from scoring.rules.kinds import DEFAULT_STEP, RuleParamsError, decimal_param, levels_of
from scoring.selectors.appraisal import (
    APPRAISABLE,
    DOCUMENT_FIELDS,
    EXTERNAL_RULES,
    FINALISABLE,
    PAGE_SIZE,
    S,
    _criteria,
    _leaf_codes,
    appraisal_seen_at,
    appraisal_window_reason,
    assessment_list_for_appraisal,
    assigned_codes,
    explanation_request_list,
    item_changed_annotations,
    item_changed_at,
    item_threads,
    score_tree,
    unappraised_codes,
    user_assignment_q,
    user_assignments,
    user_is_agency_member,
)
from scoring.selectors.criteria import not_applicable_codes
from scoring.selectors.progress import (
    Progress,
    appraisal_progress_of,
    appraiser_progress_by_assessment,
    code_covers,
    item_counts_as_appraised,
    na_codes_for,
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


def threads_with_links(threads: dict[int, list[Message]]) -> dict[int, list[Message]]:
    """Each message of `item_threads` gets `links`: the DocumentLink of its documents."""
    for messages in threads.values():
        for m in messages:
            m.links = [document_link(d) for d in m.documents.all()]
    return threads


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
    threads = threads_with_links(item_threads(assessment=assessment))
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
        .annotate(**item_changed_annotations(user))
        .prefetch_related(Prefetch("documents", queryset=documents_qs))
    )
    by_criterion = {i.criterion_id: i for i in items}
    na = not_applicable_codes(criteria_set=criteria_set, agency=assessment.agency)
    self_result = score_tree(criteria=criteria, items=items, criteria_set=criteria_set, na=na, appraised=False)
    appraised_result = score_tree(criteria=criteria, items=items, criteria_set=criteria_set, na=na, appraised=True)
    threads = threads_with_links(item_threads(assessment=assessment))
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
    attach_checks([d for item in items for d in item.documents.all()], campaign=assessment.campaign)
    # one line of each document's text around its criterion's keywords (one query)
    attach_excerpts((d, item.criterion.title) for item in items for d in item.documents.all())
    status_reason = ""
    if assessment.status == S.FINAL:
        status_reason = _("Đã chốt điểm; muốn sửa phải mở lại (cán bộ Sở Nội vụ).")
    elif assessment.status not in APPRAISABLE:
        status_reason = _("Bản tự đánh giá chưa gửi Sở Nội vụ.")

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
    ).annotate(**item_changed_annotations(user))
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
