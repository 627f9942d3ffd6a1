"""Reads of criteria sets: the tree for pages and the engine, not-applicable codes, problems.

Who sees a set: province staff (admin, officer, appraiser) every set; agency users the sets
of campaigns that cover one of their agencies in the set's group (also before the campaign
opens: the draft criteria are circulated to agencies), and every set of a campaign their
agency runs (a district running its communes' campaign). Anyone else gets 404.
"""
from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from campaigns.models import Agency, AgencyGroup
from campaigns.selectors import user_agency_ids, user_is_province_staff
from scoring import engine
from scoring.criteria_excel import CriterionRow, code_key
from scoring.models import CriteriaAmendment, CriteriaSet, Criterion, Item
from scoring.rules.kinds import BRANCH_RULE, OUTSIDE_MAX_RULES, RuleParamsError
from scoring.rules.text import format_params

# ---------------------------------------------------------------- sets and access


def _group_code(group) -> str:
    return getattr(group, "code", group)


def criteria_set_for(*, campaign, group) -> CriteriaSet | None:
    """The set of one campaign and agency group (an AgencyGroup or its code), or None."""
    return (
        CriteriaSet.objects.select_related("campaign", "group")
        .filter(campaign=campaign, group__code=_group_code(group))
        .first()
    )


def criteria_set_list(*, campaign) -> list[CriteriaSet]:
    """The sets of a campaign with their criterion counts, in agency group order."""
    return list(
        CriteriaSet.objects.filter(campaign=campaign)
        .select_related("group", "copied_from", "copied_from__campaign", "copied_from__group")
        .annotate(criterion_count=Count("criteria"))
        .order_by("group__order", "group__code")
    )


def user_may_see_criteria_set(*, user, criteria_set) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user_is_province_staff(user):
        return True
    own = user_agency_ids(user)
    if not own:
        return False
    campaign = criteria_set.campaign
    if campaign.owner_id in own:
        return True
    return campaign.agencies.filter(pk__in=own, group_id=criteria_set.group_id).exists()


def criteria_sets_visible_to(*, user, campaign) -> list[CriteriaSet]:
    """The sets of a campaign the user may see (for links on the campaign page)."""
    qs = CriteriaSet.objects.filter(campaign=campaign).select_related("group").order_by("group__order")
    if user_is_province_staff(user):
        return list(qs)
    own = user_agency_ids(user)
    if not own:
        return []
    if campaign.owner_id in own:
        return list(qs)
    groups = campaign.agencies.filter(pk__in=own).values("group_id")
    return list(qs.filter(group_id__in=groups))


def criteria_set_get_for_user(*, user, pk) -> CriteriaSet:
    """A set by id, or 404 for a set that does not exist or the user may not see."""
    criteria_set = CriteriaSet.objects.select_related("campaign", "group", "copied_from").filter(pk=pk).first()
    if criteria_set is None or not user_may_see_criteria_set(user=user, criteria_set=criteria_set):
        raise Http404
    return criteria_set


def criteria_set_get_for_user_by_group(*, user, campaign_id, group) -> CriteriaSet:
    """The set of a campaign and group code, or 404 (no such campaign, group or set, or not allowed)."""
    try:
        criteria_set = (
            CriteriaSet.objects.select_related("campaign", "group", "copied_from")
            .filter(campaign_id=int(campaign_id), group__code=_group_code(group))
            .first()
        )
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if criteria_set is None or not user_may_see_criteria_set(user=user, criteria_set=criteria_set):
        raise Http404
    return criteria_set


def default_group_for_user(*, user, campaign) -> AgencyGroup | None:
    """The agency group of the user's covered agencies when there is exactly one."""
    own = user_agency_ids(user)
    groups = set(campaign.agencies.filter(pk__in=own).values_list("group_id", flat=True)) if own else set()
    if len(groups) != 1:
        return None
    return AgencyGroup.objects.filter(pk=groups.pop()).first()


def previous_set_for(*, criteria_set) -> CriteriaSet | None:
    """Where the year-over-year map points: the set it was copied from, else last year's set of
    the same group (the campaign's `previous`)."""
    if criteria_set.copied_from_id:
        return CriteriaSet.objects.select_related("campaign", "group").get(pk=criteria_set.copied_from_id)
    previous_campaign_id = criteria_set.campaign.previous_id
    if previous_campaign_id is None:
        return None
    return (
        CriteriaSet.objects.select_related("campaign", "group")
        .filter(campaign_id=previous_campaign_id, group_id=criteria_set.group_id)
        .first()
    )


def criteria_code_pairs(*, source, campaign) -> list[tuple[int, str, str]]:
    """(group id, last year's code, this year's code) for each of `campaign`'s criteria whose
    year-over-year link points into `source`: the campaign library maps its codes with it."""
    return list(Criterion.objects.filter(criteria_set__campaign=campaign, previous__criteria_set__campaign=source)
                .values_list("criteria_set__group_id", "previous__code", "code"))


def copy_sources_for(*, campaign) -> QuerySet[CriteriaSet]:
    """Sets of other campaigns that may be copied into `campaign`, newest first."""
    return (
        CriteriaSet.objects.exclude(campaign=campaign)
        .select_related("campaign", "group")
        .annotate(criterion_count=Count("criteria"))
        .filter(criterion_count__gt=0)
        .order_by("-campaign__year", "campaign__name", "group__order")
    )


# ---------------------------------------------------------------- the tree


def _criteria(criteria_set) -> list[Criterion]:
    agencies = Agency.objects.only("id", "code", "name", "group_id").order_by("code")
    criteria = list(
        Criterion.objects.filter(criteria_set=criteria_set)
        .select_related("responsible_agency", "previous")
        .prefetch_related(Prefetch("not_applicable_to", queryset=agencies))
    )
    criteria.sort(key=lambda c: code_key(c.code))
    return criteria


def criteria_tree(*, criteria_set) -> list[Criterion]:
    """Every criterion in tree order (1, 1.1, 1.1.1, 1.2, ..., 2), in two queries, each with:
    `depth` (1 = field), `parent_code`, `has_children`, `params_text` (the text form),
    `na_codes` (agency codes it does not apply to), `outside_max` (bonus/penalty) and
    `children_max` (sum of the counted children's maxima, for branches)."""
    criteria = _criteria(criteria_set)
    children: dict[str, list[Criterion]] = {}
    for c in criteria:
        c.parent_code = c.code.rpartition(".")[0]
        children.setdefault(c.parent_code, []).append(c)
    for c in criteria:
        c.has_children = c.code in children
        try:
            c.params_text = format_params(c.rule, c.params)
        except RuleParamsError:
            c.params_text = str(c.params)
        c.na_codes = [a.code for a in c.not_applicable_to.all()]
        c.depth_range = range(c.depth - 1)
    for c in reversed(criteria):  # children before parents
        kids = children.get(c.code, [])
        c.outside_max = all(k.outside_max for k in kids) if kids else c.rule in OUTSIDE_MAX_RULES
        c.children_max = sum((k.max_points for k in kids if not k.outside_max), start=0) if kids else None
        c.siblings = children.get(c.parent_code, [])
    for c in criteria:
        position = c.siblings.index(c)
        c.is_first = position == 0
        c.is_last = position == len(c.siblings) - 1
        del c.siblings
    return criteria


def criteria_nodes(*, criteria_set) -> list[engine.Node]:
    """The set as the engine reads it, in one query, in code order."""
    rows = Criterion.objects.filter(criteria_set=criteria_set).values_list(
        "code", "title", "max_points", "rule", "params", "evidence_required", "capped")
    nodes = [
        engine.Node(code=code, title=title, max_points=max_points, rule=rule, params=params or {},
                    evidence_required=evidence, capped=capped)
        for code, title, max_points, rule, params, evidence, capped in rows
    ]
    return sorted(nodes, key=lambda n: code_key(n.code))


def not_applicable_codes(*, criteria_set, agency) -> set[str]:
    """Codes of the set that do not apply to the agency (one query). Pass the result to
    `engine.score(not_applicable=...)`: a branch takes its subtree with it."""
    through = Criterion.not_applicable_to.through
    return set(
        through.objects.filter(criterion__criteria_set=criteria_set, agency=agency)
        .values_list("criterion__code", flat=True)
    )


def not_applicable_map(*, criteria_set) -> dict[int, set[str]]:
    """Agency id → codes that do not apply to it, for every agency at once (one query)."""
    through = Criterion.not_applicable_to.through
    out: dict[int, set[str]] = {}
    for agency_id, code in through.objects.filter(criterion__criteria_set=criteria_set).values_list(
            "agency_id", "criterion__code"):
        out.setdefault(agency_id, set()).add(code)
    return out


def criteria_totals(*, criteria: list[Criterion]) -> dict:
    """The set's maximum (top-level fields inside the max) and how many items of each kind."""
    fields = [c for c in criteria if c.depth == 1]
    leaves = [c for c in criteria if not getattr(c, "has_children", c.rule != BRANCH_RULE)]
    return {
        "max_points": sum((c.max_points for c in fields if not getattr(c, "outside_max", False)), start=0),
        "fields": len(fields),
        "leaves": len(leaves),
        "evidence_required": sum(1 for c in leaves if c.evidence_required),
    }


# ---------------------------------------------------------------- validation


def criteria_set_problems(*, criteria_set, criteria: list[Criterion] | None = None) -> list[engine.Problem]:
    """Every problem of the set at once, in code order: the engine's tree and parameter checks
    (duplicate or orphan codes, maxima that do not add up, bad parameters, band gaps and
    overlaps) and the database's (parent links, not-applicable agencies of another group).
    Pass `criteria` from `criteria_tree` to
    save the queries."""
    if criteria is None:
        criteria = criteria_tree(criteria_set=criteria_set)
    if not criteria:
        return [engine.Problem("", "Bộ tiêu chí chưa có tiêu chí nào.")]
    nodes = [
        engine.Node(code=c.code, title=c.title, max_points=c.max_points, rule=c.rule, params=c.params or {},
                    evidence_required=c.evidence_required, capped=c.capped)
        for c in criteria
    ]
    problems = list(engine.validate_tree(nodes))
    by_id = {c.pk: c for c in criteria}
    codes = {c.code for c in criteria}
    for c in criteria:
        expected = c.code.rpartition(".")[0]
        actual = by_id[c.parent_id].code if c.parent_id in by_id else ""
        if expected in codes and actual != expected:  # an orphan code is the engine's problem
            problems.append(engine.Problem(c.code, f"Liên kết tiêu chí cha không khớp với mã (cần '{expected}')."))
        for agency in c.not_applicable_to.all():
            if agency.group_id != criteria_set.group_id:
                problems.append(engine.Problem(
                    c.code, f"Đơn vị '{agency.code}' không thuộc nhóm {criteria_set.group.name} của bộ tiêu chí."))
    return sorted(problems, key=lambda p: code_key(p.code) if p.code else ())


# ---------------------------------------------------------------- Excel, amendments, the map


def cooperating_codes(*, criteria_set) -> dict[int, list[str]]:
    """Criterion id → the codes of its co-operating agencies (the province's own index), one query."""
    found: dict[int, list[str]] = {}
    through = Criterion.cooperating_agencies.through
    for criterion_id, code in (through.objects.filter(criterion__criteria_set=criteria_set)
                               .order_by("agency__code").values_list("criterion_id", "agency__code")):
        found.setdefault(criterion_id, []).append(code)
    return found


def criteria_set_rows(*, criteria_set) -> list[CriterionRow]:
    """The set as sheet rows (what `export_criteria` writes)."""
    cooperating = cooperating_codes(criteria_set=criteria_set)
    return [
        CriterionRow(
            row=0, code=c.code, title=c.title, max_points=c.max_points, rule=c.rule, params=c.params or {},
            evidence_required=c.evidence_required, guidance=c.guidance, not_applicable_to=c.na_codes,
            capped=c.capped, responsible_agency=c.responsible_agency.code if c.responsible_agency else "",
            cooperating=cooperating.get(c.pk, []),
        )
        for c in criteria_tree(criteria_set=criteria_set)
    ]


def amendment_list(*, criteria_set) -> QuerySet[CriteriaAmendment]:
    return CriteriaAmendment.objects.filter(criteria_set=criteria_set).select_related("made_by").order_by(
        "-made_at", "-id")


def criteria_mapping_rows(*, criteria_set) -> tuple[list[Criterion], CriteriaSet | None, dict[str, Criterion]]:
    """The year-over-year map: every criterion with its `previous`, last year's set, and that
    set's criteria by code (for the mapping page)."""
    criteria = criteria_tree(criteria_set=criteria_set)
    source = previous_set_for(criteria_set=criteria_set)
    old = {}
    if source is not None:
        old = {c.code: c for c in Criterion.objects.filter(criteria_set=source).only("id", "code", "title",
                                                                                     "max_points", "rule")}
    return criteria, source, old


def criteria_with_items(*, criteria_set) -> set[str]:
    """Codes that already have agencies' items (they cannot be deleted)."""
    return set(Item.objects.filter(criterion__criteria_set=criteria_set)
               .values_list("criterion__code", flat=True).distinct())
