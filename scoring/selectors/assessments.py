"""Reads of assessments: who sees which, what an agency may still edit, the scoring page's
data in a fixed number of queries, scores through the engine, and an item's history.

Who sees an assessment: province staff (admin, officer, appraiser) every one; agency
members (staff, leader) their own agencies'; anyone else gets 404.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.apps import apps
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.links import Link
from campaigns.models import Campaign, Membership, Role, StepKind
from campaigns.selectors import (
    step_window_for,
    step_windows,
    user_agency_ids,
    user_is_officer,
    user_is_province_staff,
)
from cchc_portal.core.selectors import one_or_404
from cchc_portal.core.templatetags.portal import number, points
from evidence.checks import document_checks
from evidence.models import Document
from scoring import engine
from scoring.compute import node_for
from scoring.criteria_excel import code_key
from scoring.models import Assessment, CriteriaSet, Criterion, ExplanationRequest, Item
from scoring.rules.kinds import DEFAULT_STEP, RuleParamsError, bands_of, decimal_param, levels_of
from scoring.selectors.criteria import criteria_nodes, not_applicable_codes
from scoring.selectors.progress import Leaf, Progress, progress_of

EDITABLE = Assessment.Status.DRAFT
NOT_SUBMITTED = (Assessment.Status.DRAFT, Assessment.Status.WITH_LEADER)


def local_text(value: datetime) -> str:
    """A moment as people read it here: "17:00 ngày 15/11/2026" (Vietnam time)."""
    return timezone.localtime(value).strftime("%H:%M ngày %d/%m/%Y")


# ---------------------------------------------------------------- access


def assessment_list_for_user(*, user, campaign=None) -> QuerySet[Assessment]:
    """Assessments the user may see: province staff all, agency members their own."""
    qs = Assessment.objects.select_related("agency", "agency__group", "campaign", "criteria_set")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if not user_is_province_staff(user):
        member = Membership.objects.filter(user=user, agency_id=OuterRef("agency_id"))
        qs = qs.filter(Exists(member)).exclude(campaign__status=Campaign.Status.DRAFT)
    return qs.order_by("-campaign__year", "campaign_id", "agency__group__order", "agency__code")


def assessment_get_for_user(*, user, pk) -> Assessment:
    """One assessment, or 404 when it does not exist or the user may not see it."""
    return one_or_404(assessment_list_for_user(user=user), pk=pk)


def agency_roles_for(*, user, agency) -> set[str]:
    """The user's roles in one agency (staff, leader), one query."""
    if not user or not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, agency=agency).values_list("role", flat=True))


def user_may_download_report(*, user, assessment, roles=None) -> bool:
    """The self-assessment report goes to the agency and the Sở's officers only."""
    if user_is_officer(user):
        return True
    roles = agency_roles_for(user=user, agency=assessment.agency) if roles is None else roles
    return bool(roles & {Role.STAFF, Role.LEADER})


# ---------------------------------------------------------------- what the agency may edit


@dataclass(frozen=True)
class EditScope:
    """What the agency may write now: every item, some items (an explanation request), or none.

    `reason` says why not (Vietnamese); `deadline` tells a time limit from a wrong state;
    `closes_at` is the effective deadline the page counts down to.
    """

    all_items: bool
    item_ids: frozenset = frozenset()
    reason: str = ""
    deadline: bool = False
    closes_at: datetime | None = None
    item_reason: str = ""

    @property
    def any(self) -> bool:
        return self.all_items or bool(self.item_ids)

    def allows(self, item_id) -> bool:
        return self.all_items or item_id in self.item_ids

    def reason_for(self, item_id) -> str:
        if self.allows(item_id):
            return ""
        return self.item_reason if self.item_ids else self.reason


def assessment_edit_scope(*, assessment, now=None, window=None) -> EditScope:
    """The one place that decides whether the agency may still write (2–3 queries).

    In `draft`, everything while the self-assessment step is open for the agency (its
    effective deadline, extensions included) and the campaign is open; under an explanation
    request, only the items asked about until that request's deadline; otherwise nothing.
    """
    now = now or timezone.now()
    status = assessment.status
    if status == Assessment.Status.EXPLANATION_REQUESTED:
        rows = list(
            ExplanationRequest.items.through.objects.filter(
                explanationrequest__assessment=assessment,
                explanationrequest__status=ExplanationRequest.Status.OPEN,
                explanationrequest__due_at__gt=now,
            ).values_list("item_id", "explanationrequest__due_at")
        )
        if not rows:
            return EditScope(False, reason=_("Đã hết hạn giải trình, bổ sung tài liệu; không sửa được nữa."),
                             deadline=True)
        return EditScope(
            False, frozenset(item_id for item_id, _due in rows), closes_at=min(due for _i, due in rows),
            reason=_("Chỉ sửa được các tiêu chí thuộc yêu cầu giải trình."),
            item_reason=_("Tiêu chí này không thuộc yêu cầu giải trình đang mở; không sửa được."),
        )
    if window is None:
        window = step_window_for(agency=assessment.agency, campaign=assessment.campaign,
                                 kind=StepKind.SELF_ASSESSMENT)
    closes_at = window.closes_at if window else None
    if status == Assessment.Status.WITH_LEADER:
        return EditScope(False, reason=_("Bản tự đánh giá đang chờ lãnh đạo đơn vị duyệt; chỉ sửa được khi "
                                         "lãnh đạo trả lại."), closes_at=closes_at)
    if status == Assessment.Status.LOCKED:
        return EditScope(False, reason=_("Đã hết hạn tự đánh giá; bản tự đánh giá đã bị khóa, không ghi được nữa."),
                         deadline=True, closes_at=closes_at)
    if status != EDITABLE:
        return EditScope(False, reason=_("Bản tự đánh giá đã gửi Sở Nội vụ; đơn vị không sửa được nữa."))
    if assessment.campaign.status != Campaign.Status.OPEN:
        return EditScope(False, reason=_("Đợt đánh giá không ở trạng thái đang triển khai."))
    if window is None:
        return EditScope(False, reason=_("Kế hoạch chưa có bước tự đánh giá."), deadline=True)
    if now < window.opens_at:
        reason = _("Chưa đến thời gian tự đánh giá: bắt đầu lúc %(at)s.") % {"at": local_text(window.opens_at)}
        return EditScope(False, reason=reason, deadline=True, closes_at=closes_at)
    if now >= window.closes_at:
        return EditScope(False, reason=_("Đã hết hạn tự đánh giá lúc %(at)s; hệ thống đã khóa, không ghi được nữa.")
                         % {"at": local_text(window.closes_at)}, deadline=True, closes_at=closes_at)
    return EditScope(True, closes_at=closes_at)


# ---------------------------------------------------------------- scores


def _inputs_for_engine(rows):
    """(code, input, external_points, rule) rows → the engine's inputs, survey and imported maps."""
    inputs, survey, imported = {}, {}, {}
    for code, raw, external, rule in rows:
        if raw:
            inputs[code] = raw
        if external is not None:
            (survey if rule == "survey" else imported)[code] = external
    return inputs, survey, imported


def assessment_score(*, assessment) -> engine.Result:
    """The whole tree scored by the engine from the stored inputs (4 queries): the truth that
    `self_total` and every item's stored points agree with."""
    criteria_set = assessment.criteria_set
    nodes = criteria_nodes(criteria_set=criteria_set)
    rows = Item.objects.filter(assessment=assessment).values_list(
        "criterion__code", "input", "external_points", "criterion__rule")
    inputs, survey, imported = _inputs_for_engine(rows)
    evidence = set(
        Item.documents.through.objects.filter(item__assessment=assessment)
        .values_list("item__criterion__code", flat=True)
    )
    return engine.score(
        nodes, inputs=inputs, evidence=evidence, survey=survey, imported=imported,
        not_applicable=not_applicable_codes(criteria_set=criteria_set, agency=assessment.agency),
        bonus_cap=criteria_set.bonus_cap, penalty_cap=criteria_set.penalty_cap,
    )


def assessment_indexes(assessments) -> dict[int, tuple[Decimal, Decimal | None]]:
    """Assessment id → (applicable max, index of its self_total) for many assessments.

    The applicable max depends only on the criteria set and the agency's N/A codes, so the
    engine runs once per distinct (set, N/A codes): a few runs for a whole province.
    """
    assessments = list(assessments)
    set_ids = {a.criteria_set_id for a in assessments}
    if not set_ids:
        return {}
    nodes: dict[int, list[engine.Node]] = defaultdict(list)
    for criterion in Criterion.objects.filter(criteria_set_id__in=set_ids).only(
            "criteria_set_id", "code", "title", "max_points", "rule", "params", "evidence_required", "capped"):
        nodes[criterion.criteria_set_id].append(node_for(criterion))
    na: dict[tuple[int, int], set[str]] = defaultdict(set)
    through = Criterion.not_applicable_to.through
    for set_id, agency_id, code in through.objects.filter(criterion__criteria_set_id__in=set_ids).values_list(
            "criterion__criteria_set_id", "agency_id", "criterion__code"):
        na[(set_id, agency_id)].add(code)
    maxima: dict[tuple[int, frozenset], Decimal] = {}
    out = {}
    for a in assessments:
        key = (a.criteria_set_id, frozenset(na.get((a.criteria_set_id, a.agency_id), ())))
        if key not in maxima:
            try:
                maxima[key] = engine.score(nodes[a.criteria_set_id], not_applicable=key[1]).applicable_max
            except engine.TreeError:
                maxima[key] = Decimal(0)
        applicable_max = maxima[key]
        index = engine.round_points(a.self_total * 100 / applicable_max) if applicable_max > 0 else None
        out[a.pk] = (applicable_max, index)
    return out


# ---------------------------------------------------------------- the scoring page


DOC_FIELDS = ("id", "number", "original_name", "issued_on", "issuer", "summary")


@dataclass(frozen=True)
class DocRef:
    """An evidence document as the page and the report show it (read as plain values: the
    page lists hundreds)."""

    pk: int
    number: str
    original_name: str
    issued_on: object
    issuer: str
    summary: str

    def __str__(self):
        return self.number or self.original_name

    @property
    def label(self) -> str:
        if self.number and self.summary:
            summary = self.summary if len(self.summary) <= 80 else self.summary[:79] + "…"
            return f"{self.number} – {summary}"
        return str(self)


@dataclass
class Row:
    """One node of the tree on the page: a field, a criterion or a scored item."""

    criterion: Criterion
    points: engine.Points
    depth: int
    is_leaf: bool
    item: Item | None = None
    documents: list = field(default_factory=list)
    not_applicable: bool = False
    editable: bool = False
    field_code: str = ""
    levels: list = field(default_factory=list)
    bands_text: str = ""
    step: str = ""
    kind: str = "base"  # "bonus", "penalty" or "mixed": points outside the maximum (engine.Result.kinds)

    @property
    def code(self):
        return self.criterion.code

    @property
    def scored(self) -> bool:
        return bool(self.item is not None and self.item.input)

    @property
    def missing_evidence(self) -> bool:
        return self.is_leaf and self.criterion.evidence_required and not self.documents and not self.not_applicable

    @property
    def zero_without_evidence(self) -> bool:
        return self.missing_evidence and self.scored


@dataclass
class PageData:
    assessment: Assessment
    rows: list[Row]
    result: engine.Result
    scope: EditScope
    library: list[DocRef]
    progress: Progress
    missing_evidence_count: int
    open_requests: list = field(default_factory=list)
    unscored: list[Row] = field(default_factory=list)  # leaves the agency must type and left empty
    checks: dict = field(default_factory=dict)  # document pk: its background check (evidence.checks.CheckInfo)


def _rule_ui(criterion, row: Row) -> None:
    params = criterion.params or {}
    try:
        if criterion.rule == "levels":
            row.levels = levels_of(params)
        elif criterion.rule == "bands":
            row.bands_text = "; ".join(f"{b.range_text()}% → {b.points}" for b in bands_of(params))
        elif criterion.rule in ("manual", "bonus", "penalty", "imported"):
            row.step = str(decimal_param(params, "step", DEFAULT_STEP))
    except RuleParamsError:
        pass


def assessment_page_data(*, assessment, now=None) -> PageData:
    """Everything the scoring page shows, in a fixed number of queries whatever the size of
    the tree: criteria (1), items (1), their documents (1), N/A codes (1), the agency's
    evidence library (1), the effective deadline (2), open explanation requests (1 when
    under one), the linked documents' checks and the assessed period (3)."""
    now = now or timezone.now()
    criteria_set: CriteriaSet = assessment.criteria_set
    criteria = sorted(
        Criterion.objects.filter(criteria_set=criteria_set).only(
            "id", "code", "title", "max_points", "rule", "params", "evidence_required", "capped", "guidance",
            "criteria_set_id"),
        key=lambda c: code_key(c.code),
    )
    items = {
        item.criterion_id: item
        for item in Item.objects.filter(assessment=assessment).only(
            "id", "criterion_id", "assessment_id", "input", "explanation", "self_points", "self_reason",
            "external_points", "appraised_points", "version", "updated_at")
    }
    linked: dict[int, list[DocRef]] = defaultdict(list)
    for row in Item.documents.through.objects.filter(item__assessment=assessment).order_by("document_id").values_list(
            "item_id", *(f"document__{name}" for name in DOC_FIELDS)):
        linked[row[0]].append(DocRef(*row[1:]))
    na = not_applicable_codes(criteria_set=criteria_set, agency=assessment.agency)
    library = [DocRef(*row) for row in Document.objects.filter(
        agency_id=assessment.agency_id, campaign_id=assessment.campaign_id).order_by("-uploaded_at", "-id")
        .values_list(*DOC_FIELDS)]
    scope = assessment_edit_scope(assessment=assessment, now=now)

    inputs, survey, imported = _inputs_for_engine(
        (c.code, items[c.pk].input, items[c.pk].external_points, c.rule) for c in criteria if c.pk in items)
    evidence = {c.code for c in criteria if c.pk in items and linked.get(items[c.pk].pk)}
    result = engine.score(
        [node_for(c) for c in criteria], inputs=inputs, evidence=evidence, survey=survey, imported=imported,
        not_applicable=na, bonus_cap=criteria_set.bonus_cap, penalty_cap=criteria_set.penalty_cap,
    )
    codes = {c.code for c in criteria}
    rows, leaves, missing, unscored = [], [], 0, []
    for c in criteria:
        item = items.get(c.pk)
        prefix = c.code + "."
        is_leaf = not any(code.startswith(prefix) for code in codes) if c.rule == "sum" else True
        points = result.points[c.code]
        row = Row(criterion=c, points=points, depth=c.code.count(".") + 1, is_leaf=is_leaf, item=item,
                  documents=linked.get(item.pk, []) if item else [], not_applicable=not points.applicable,
                  field_code=c.code.split(".")[0], kind=result.kinds.get(c.code, "base"))
        if is_leaf and item is not None:
            row.editable = scope.allows(item.pk) and not row.not_applicable and c.rule != "survey"
            _rule_ui(c, row)
            leaves.append(Leaf(c.code, c.rule, row.scored, not row.not_applicable))
            if not row.not_applicable:
                missing += row.missing_evidence
                # an empty bonus or penalty is "none" (nothing added, no violation), not a gap
                if not row.scored and c.rule not in ("survey", "bonus", "penalty") and not (
                        c.rule == "imported" and item.external_points is not None):
                    unscored.append(row)
        rows.append(row)
    open_requests = []
    if assessment.status in (Assessment.Status.EXPLANATION_REQUESTED, Assessment.Status.EXPLAINED):
        open_requests = list(
            ExplanationRequest.objects.filter(assessment=assessment, status=ExplanationRequest.Status.OPEN)
            .prefetch_related(Prefetch("items", queryset=Item.objects.select_related("criterion").only(
                "id", "criterion__code")))
        )
    checks = document_checks([d for docs in linked.values() for d in docs], campaign=assessment.campaign)
    return PageData(assessment=assessment, rows=rows, result=result, scope=scope, library=library,
                    progress=progress_of(leaves, for_agency=True), missing_evidence_count=missing,
                    open_requests=open_requests, unscored=unscored, checks=checks)


# ---------------------------------------------------------------- what happens next


def _when(value) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def _step(assessment, kind):
    return step_window_for(agency=assessment.agency, campaign=assessment.campaign, kind=kind)


def assessment_next_steps(*, assessment, open_requests=()) -> list[str]:
    """Once the agency has sent its self-assessment (or missed the deadline), what was done and
    what happens next, with the dates of the campaign's plan (2 queries per step asked), in
    place of the self-assessment countdown. Empty while the agency is still scoring."""
    status, S = assessment.status, Assessment.Status
    lines = []
    if status == S.DRAFT:
        return lines
    if status == S.LOCKED:
        lines.append(_("Đã khóa do hết hạn tự đánh giá lúc %(when)s. Liên hệ Sở Nội vụ nếu cần gia hạn.")
                     % {"when": _when(assessment.locked_at or timezone.now())})
        return lines
    if status == S.WITH_LEADER:
        if assessment.sent_to_leader_at:
            lines.append(_("Đã trình lãnh đạo đơn vị duyệt lúc %(when)s.")
                         % {"when": _when(assessment.sent_to_leader_at)})
        window = _step(assessment, StepKind.SELF_ASSESSMENT)
        lines.append(_("Tiếp theo: lãnh đạo đơn vị duyệt và gửi Sở Nội vụ, hạn %(when)s.")
                     % {"when": _when(window.closes_at)} if window
                     else _("Tiếp theo: lãnh đạo đơn vị duyệt và gửi Sở Nội vụ."))
        lines.append(_("Nếu lãnh đạo trả lại, cán bộ sửa theo ý kiến và trình lại."))
        return lines
    if assessment.submitted_at:
        who = assessment.submitted_by.display_name if assessment.submitted_by else ""
        text = _("Đã gửi Sở Nội vụ lúc %(when)s (%(who)s duyệt).") if who else _("Đã gửi Sở Nội vụ lúc %(when)s.")
        lines.append(text % {"when": _when(assessment.submitted_at), "who": who})
    if status in (S.SUBMITTED, S.IN_APPRAISAL):
        window = _step(assessment, StepKind.APPRAISAL)
        lines.append(_("Tiếp theo: Tổ thẩm định xem xét bản tự đánh giá từ %(start)s đến %(end)s.")
                     % {"start": _when(window.opens_at), "end": _when(window.closes_at)} if window
                     else _("Tiếp theo: Tổ thẩm định xem xét bản tự đánh giá."))
        lines.append(_("Nếu cần, Tổ thẩm định yêu cầu giải trình, bổ sung tài liệu; đơn vị được thông báo và trả lời "
                       "trên trang này."))
    elif status == S.EXPLANATION_REQUESTED:
        for request in open_requests:
            n = len(request.items.all())
            lines.append(_("Tổ thẩm định yêu cầu giải trình %(n)s tiêu chí, hạn trả lời %(when)s.")
                         % {"n": n, "when": _when(request.due_at)})
        if not open_requests:
            lines.append(_("Tổ thẩm định đã yêu cầu giải trình, bổ sung tài liệu kiểm chứng."))
    elif status == S.EXPLAINED:
        window = _step(assessment, StepKind.APPRAISAL_2) or _step(assessment, StepKind.APPRAISAL)
        lines.append(_("Đơn vị đã giải trình; Tổ thẩm định xem xét đến %(when)s.") % {"when": _when(window.closes_at)}
                     if window else _("Đơn vị đã giải trình; Tổ thẩm định đang xem xét."))
    elif status in (S.APPRAISED, S.FINAL):
        if status == S.FINAL and assessment.finalised_at:
            lines.append(_("Sở Nội vụ đã chốt điểm lúc %(when)s.") % {"when": _when(assessment.finalised_at)})
        else:
            lines.append(_("Tổ thẩm định đã thẩm định xong; chờ Sở Nội vụ chốt điểm."))
        window = _step(assessment, StepKind.PUBLICATION)
        if window:
            lines.append(_("Kết quả được công bố từ %(start)s đến %(end)s.")
                         % {"start": _when(window.opens_at), "end": _when(window.closes_at)})
    return lines


# ---------------------------------------------------------------- history


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    who: str
    when: datetime
    reason: str
    changes: list[Change]


def _input_text(raw) -> str:
    """An input as people read it, numbers in the active language: "score: 4,5"."""
    if not raw:
        return "–"
    return "; ".join(f"{k}: {number(v) if k in _NUMBER_KEYS else v}" for k, v in raw.items())


_NUMBER_KEYS = frozenset({"score", "numerator", "denominator", "count"})


def _points_text(value) -> str:
    """Points in the active language: "4,00" in Vietnamese."""
    return points(value)


def item_history(*, item) -> list[HistoryEntry]:
    """Every change of the agency's input, explanation, points and evidence of one item,
    newest first (who, when, old → new), in two queries."""
    records = list(Item.history.filter(id=item.pk).select_related("history_user").order_by("history_date",
                                                                                          "history_id"))
    through = apps.get_model("scoring", "HistoricalItem_documents")
    docs_of: dict[int, dict[int, str]] = defaultdict(dict)
    for row in through.objects.filter(history_id__in=[r.history_id for r in records]).select_related("document"):
        docs_of[row.history_id][row.document_id] = row.document.original_name if row.document else f"#{row.document_id}"
    entries = []
    previous = None
    for record in records:
        docs = docs_of.get(record.history_id, {})
        changes = []
        if previous is None:
            if record.input or record.explanation or docs:
                changes.append(Change(_("Tạo"), "–", _input_text(record.input)))
        else:
            old_docs = previous[1]
            p = previous[0]
            if p.input != record.input:
                changes.append(Change(_("Số liệu tự chấm"), _input_text(p.input), _input_text(record.input)))
            if p.explanation != record.explanation:
                changes.append(Change(_("Giải trình"), p.explanation or "–", record.explanation or "–"))
            if p.self_points != record.self_points:
                changes.append(Change(_("Điểm tự chấm"), _points_text(p.self_points),
                                      _points_text(record.self_points)))
            added = [name for pk, name in docs.items() if pk not in old_docs]
            removed = [name for pk, name in old_docs.items() if pk not in docs]
            if added or removed:
                changes.append(Change(_("Tài liệu kiểm chứng"), ", ".join(removed) or "–",
                                      ", ".join(added) or "–"))
            if p.appraised_points != record.appraised_points:
                changes.append(Change(_("Điểm thẩm định"), _points_text(p.appraised_points),
                                      _points_text(record.appraised_points)))
        if changes:
            who = record.history_user.display_name if record.history_user else _("Hệ thống")
            entries.append(HistoryEntry(who=who, when=record.history_date,
                                        reason=record.history_change_reason or "", changes=changes))
        previous = (record, docs)
    entries.reverse()
    return entries


# ---------------------------------------------------------------- links for other pages


def assessment_links(campaign, user) -> list[Link]:
    """Links on the campaign and home pages (registered in campaigns.links)."""
    links = []
    if user_is_officer(user) and campaign.status == Campaign.Status.DRAFT:
        links.append(Link(_("Mở đợt đánh giá"), reverse("scoring:campaign_open", args=[campaign.pk]), 10))
    if campaign.status == Campaign.Status.DRAFT:
        return links
    if user_is_province_staff(user):
        links.append(Link(_("Bản tự đánh giá của các đơn vị"),
                          reverse("scoring:assessment_list") + f"?campaign={campaign.pk}", 20))
        return links
    own = list(Assessment.objects.filter(campaign=campaign, agency_id__in=user_agency_ids(user))
               .select_related("agency").order_by("agency__code"))
    for a in own:
        label = _("Tự đánh giá, chấm điểm") if len(own) == 1 else _("Tự đánh giá: %(agency)s") % {"agency": a.agency}
        links.append(Link(label, reverse("scoring:assessment_page", args=[a.pk]), 15))
    return links


def overdue_candidates(*, now=None) -> list[tuple[int, int, int]]:
    """(assessment id, campaign id, agency id) of unsubmitted assessments whose effective self-assessment
    deadline has passed (2 queries per open campaign)."""
    now = now or timezone.now()
    pending = list(
        Assessment.objects.filter(status__in=NOT_SUBMITTED, campaign__status=Campaign.Status.OPEN)
        .values_list("pk", "campaign_id", "agency_id")
    )
    by_campaign: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, campaign_id, agency_id in pending:
        by_campaign[campaign_id].append((pk, agency_id))
    out = []
    for campaign_id, rows in by_campaign.items():
        windows = step_windows(campaign=Campaign(pk=campaign_id), kind=StepKind.SELF_ASSESSMENT,
                               agency_ids=[agency_id for _pk, agency_id in rows])
        for pk, agency_id in rows:
            window = windows.get(agency_id)
            if window is not None and now >= window.closes_at:
                out.append((pk, campaign_id, agency_id))
    return out
