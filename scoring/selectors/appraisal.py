"""Reads of the appraisal (thẩm định): assignments, who may appraise what, explanation
threads, finalisation, and the appraised score (the pages built from them:
`scoring.views.appraisal_pages`).

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
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Membership, Role, StepKind
from campaigns.selectors import agency_windows, user_agency_ids, user_is_appraiser, user_is_officer, user_roles
from cchc_portal.core.selectors import one_or_404
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
    ImportedFigure,
    Item,
    Message,
)
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
    return one_or_404(qs, pk=pk)


def user_is_agency_member(*, user, assessment) -> bool:
    return assessment.agency_id in user_agency_ids(user, roles=[Role.STAFF, Role.LEADER])


def assessment_get_for_explanations(*, user, pk) -> Assessment:
    """The explanation page's assessment: its agency's members, and province staff; 404 else."""
    qs = Assessment.objects.select_related("agency", "agency__group", "campaign", "criteria_set")
    assessment = one_or_404(qs, pk=pk)
    if user_is_agency_member(user=user, assessment=assessment) and assessment.campaign.status != Campaign.Status.DRAFT:
        return assessment
    if user_is_officer(user) or (user_is_appraiser(user) and assessment.status in AT_THE_SO):
        return assessment
    raise Http404


def explanation_request_get_for_user(*, user, pk) -> ExplanationRequest:
    request = one_or_404(ExplanationRequest.objects.select_related("assessment", "created_by"), pk=pk)
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


DOCUMENT_FIELDS = ("id", "original_name", "number", "issued_on", "issuer", "summary", "content_type", "file",
                   "uploaded_at", "agency_id", "campaign_id")


# ---------------------------------------------------------------- threads


def _thread_queryset():
    return (Message.objects.select_related("author", "request")
            .prefetch_related(Prefetch("documents", queryset=Document.objects.only(*DOCUMENT_FIELDS)))
            .order_by("created_at", "id"))


def item_threads(*, assessment) -> dict[int, list[Message]]:
    """Item id → its messages (questions and answers, oldest first), in two queries. Each
    message carries `is_question`."""
    threads: dict[int, list[Message]] = defaultdict(list)
    for m in _thread_queryset().filter(request__assessment=assessment):
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


def item_changed_at(item) -> datetime | None:
    """The latest change by the agency to an item: its input or explanation (`updated_at`), a
    document attached, a message in its thread by someone else than the appraiser."""
    moments = [m for m in (item.updated_at, getattr(item, "last_document_at", None),
                           getattr(item, "last_message_at", None)) if m is not None]
    return max(moments) if moments else None


def item_changed_annotations(user):
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


def agency_members(*, assessment) -> list:
    """Users to tell about an explanation request: the agency's staff and leaders."""
    return [m.user for m in Membership.objects.filter(agency=assessment.agency, user__is_active=True)
            .select_related("user")]
