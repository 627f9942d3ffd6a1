"""The counts every page and the API show, each defined once.

Where an agency stands (its *stage*)
    An assessment's status, except that a draft in which the agency has scored nothing yet
    (none of its own items has an input: the "0/y đã chấm" of its page) is "Chưa bắt đầu";
    an agency the campaign covers without an assessment (the campaign not opened yet, or no
    criteria set for its group) is "Chưa bắt đầu" too. The officer's home page, the progress
    board and the API count stages with `campaign_status_counts`.

What an agency has scored
    `assessment_progress`: the applicable leaves the agency scores itself (survey and
    imported leaves are filled in by the Sở and are listed apart), and how many have an input.

What an appraiser has appraised
    `appraisal_progress_of` over the applicable items in the appraiser's share (officers:
    every item): how many count as appraised (`item_counts_as_appraised`). The appraisal page,
    the work queue and `appraiser_progress` (the whole campaign) all use it.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from scoring.criteria_excel import code_key
from scoring.models import Assessment, Criterion, Item

S = Assessment.Status
NOT_STARTED = "not_started"
STAGES = (NOT_STARTED, S.DRAFT, S.WITH_LEADER, S.LOCKED, S.SUBMITTED, S.IN_APPRAISAL, S.EXPLANATION_REQUESTED,
          S.EXPLAINED, S.APPRAISED, S.FINAL)
# Leaves whose points the Sở fills in (survey results, imported figures): never the agency's to score.
PROVINCE_RULES = frozenset({"survey", "imported"})


# ---------------------------------------------------------------- stages


def stage_label(stage: str) -> str:
    if stage == NOT_STARTED:
        return _("Chưa bắt đầu")
    return str(S(stage).label)


def stage_expression():
    """The stage of an assessment as a database expression (annotate `stage=`): a draft
    without one scored item of the agency's own (what `assessment_progress` counts as done)
    has not started."""
    scored = Exists(Item.objects.filter(assessment=OuterRef("pk")).exclude(input={})
                    .exclude(criterion__rule__in=PROVINCE_RULES))
    return Case(When(Q(status=S.DRAFT) & ~scored, then=Value(NOT_STARTED)), default=F("status"),
                output_field=CharField())


def with_stage(qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return qs.annotate(stage=stage_expression())


def campaign_status_counts(*, campaign) -> dict[str, int]:
    """{stage: number of agencies} over every agency the campaign covers, each stage of
    STAGES present (two queries)."""
    covered = campaign.agencies.values("pk")
    counts = dict.fromkeys(STAGES, 0)
    rows = (with_stage(Assessment.objects.filter(campaign=campaign, agency_id__in=covered))
            .order_by().values_list("stage").annotate(n=Count("id")))
    for stage, n in rows:
        counts[stage] = counts.get(stage, 0) + n
    counts[NOT_STARTED] += campaign.agencies.count() - sum(counts.values())
    return counts


def stage_rows(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(stage, label, number) in the order of STAGES."""
    return [(stage, stage_label(stage), counts.get(stage, 0)) for stage in STAGES]


# ---------------------------------------------------------------- progress


@dataclass(frozen=True)
class Progress:
    """`done` of `total`; `province_codes`: leaves the Sở fills in (left out of the total)."""

    done: int
    total: int
    province_codes: tuple[str, ...] = ()

    @property
    def percent(self) -> int:
        return round(self.done * 100 / self.total) if self.total else 0


@dataclass(frozen=True)
class Leaf:
    """What progress needs of one item."""

    code: str
    rule: str
    scored: bool
    applicable: bool


def code_covers(codes, code: str) -> bool:
    """Whether any of `codes` is `code` or one of its ancestors ("1" covers "1.2.3")."""
    return any(code == c or code.startswith(c + ".") for c in codes)


def progress_of(leaves: Iterable[Leaf], *, for_agency: bool = True) -> Progress:
    """The agency's progress over its applicable leaves: survey and imported leaves are the
    Sở's (listed in `province_codes`, not counted) when `for_agency`."""
    done = total = 0
    province = []
    for leaf in leaves:
        if not leaf.applicable:
            continue
        if for_agency and leaf.rule in PROVINCE_RULES:
            province.append(leaf.code)
            continue
        total += 1
        done += leaf.scored
    return Progress(done=done, total=total, province_codes=tuple(sorted(province, key=code_key)))


def assessment_progress(*, assessment, for_agency: bool = True) -> Progress:
    """The scoring page's "x/y tiêu chí đã chấm" for one assessment (two queries). Without
    `for_agency`, every applicable leaf counts, a survey or imported one once its figure is there."""
    from scoring.selectors.criteria import not_applicable_codes

    na = not_applicable_codes(criteria_set=assessment.criteria_set, agency=assessment.agency)
    rows = Item.objects.filter(assessment=assessment).values_list(
        "criterion__code", "criterion__rule", "input", "external_points")
    return progress_of(
        (Leaf(code, rule, bool(raw) or (not for_agency and external is not None), not code_covers(na, code))
         for code, rule, raw, external in rows), for_agency=for_agency)


# ---------------------------------------------------------------- appraisal


def item_counts_as_appraised(item) -> bool:
    """Accepted or adjusted; a survey or imported leaf also once its figure is there."""
    if item.appraisal_state != Item.AppraisalState.PENDING:
        return True
    return item.criterion.rule in PROVINCE_RULES and item.external_points is not None


def appraisal_progress_of(items, *, na_of, in_share) -> Progress:
    """Of the `items` that apply to their agency (`na_of(item)`: its N/A codes) and are in
    the reader's share (`in_share(item)`), how many count as appraised."""
    done = total = 0
    for item in items:
        if code_covers(na_of(item), item.criterion.code) or not in_share(item):
            continue
        total += 1
        done += item_counts_as_appraised(item)
    return Progress(done=done, total=total)


def na_codes_for(assessments) -> dict[int, set[str]]:
    """Assessment id → the codes that do not apply to its agency, for many assessments (one query)."""
    assessments = list(assessments)
    pairs = defaultdict(set)
    through = Criterion.not_applicable_to.through
    for set_id, agency_id, code in through.objects.filter(
            criterion__criteria_set_id__in={a.criteria_set_id for a in assessments},
            agency_id__in={a.agency_id for a in assessments}).values_list(
            "criterion__criteria_set_id", "agency_id", "criterion__code"):
        pairs[(set_id, agency_id)].add(code)
    return {a.pk: pairs.get((a.criteria_set_id, a.agency_id), set()) for a in assessments}


def appraiser_progress_by_assessment(*, campaign, appraiser, assignments=None) -> dict[int, Progress]:
    """Assessment id → what the user has appraised of their share of it, for every assessment
    at the Sở in the campaign (three queries with `assignments` given): officers' share is
    every item. The work queue's "còn tiêu chí chưa thẩm định" filter and its total use it."""
    from scoring.selectors.appraisal import assessment_list_for_appraisal, user_assignment_q, user_assignments

    if assignments is None:
        assignments = user_assignments(user=appraiser, campaign_id=campaign.pk)
    assessments = list(assessment_list_for_appraisal(user=appraiser, campaign=campaign, assignments=assignments)
                       .select_related(None).only("id", "criteria_set_id", "agency_id"))
    if not assessments:
        return {}
    items = Item.objects.filter(assessment_id__in=[a.pk for a in assessments])
    share = user_assignment_q(user=appraiser, campaign_id=campaign.pk, assignments=assignments)
    if share is not None:
        items = items.filter(share)
    by_assessment = defaultdict(list)
    for item in items.select_related("criterion").only(
            "id", "assessment_id", "appraisal_state", "external_points", "criterion__code", "criterion__rule"):
        by_assessment[item.assessment_id].append(item)
    na = na_codes_for(assessments)
    return {a.pk: appraisal_progress_of(by_assessment.get(a.pk, []), na_of=lambda item, a=a: na.get(a.pk, ()),
                                        in_share=lambda item: True) for a in assessments}


def appraiser_progress(*, campaign, appraiser, assignments=None, by_assessment=None) -> Progress:
    """What the user has appraised of their share over every assessment at the Sở in the campaign."""
    if by_assessment is None:
        by_assessment = appraiser_progress_by_assessment(campaign=campaign, appraiser=appraiser,
                                                         assignments=assignments)
    return Progress(done=sum(p.done for p in by_assessment.values()),
                    total=sum(p.total for p in by_assessment.values()))


def stages_of(assessments) -> dict[int, str]:
    """Assessment id → its stage, for assessments already loaded (one query)."""
    ids = [a.pk for a in assessments]
    if not ids:
        return {}
    return dict(with_stage(Assessment.objects.filter(pk__in=ids)).values_list("pk", "stage"))


def assessment_appraisal_progress(*, user, assessment) -> Progress:
    """What `user` has appraised of their share of one assessment (the appraisal page's
    "x/y đã thẩm định"; three or four queries)."""
    from scoring.selectors.appraisal import assigned_codes
    from scoring.selectors.criteria import not_applicable_codes

    codes = assigned_codes(user=user, assessment=assessment)
    na = not_applicable_codes(criteria_set=assessment.criteria_set, agency=assessment.agency)
    items = Item.objects.filter(assessment=assessment).select_related("criterion").only(
        "id", "appraisal_state", "external_points", "criterion__code", "criterion__rule")
    return appraisal_progress_of(items, na_of=lambda item: na,
                                 in_share=lambda item: codes is None or code_covers(codes, item.criterion.code))
