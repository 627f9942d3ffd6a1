"""Reads of the province's own index (Campaign.Kind.PROVINCE): who answers for each item,
a department's items, and the Sở's aggregation board.

A criterion's responsibility (a lead agency and co-operating ones) is set on any node; a
leaf without its own takes its nearest ancestor's, so assigning a field assigns its items.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from campaigns.models import Agency, Campaign, Membership, StepKind
from campaigns.selectors import step_windows, user_is_officer
from scoring.criteria_excel import code_key
from scoring.models import Assessment, CriteriaSet, Criterion, Item, ItemNote, LeadStatus, Rule


@dataclass
class Responsibility:
    lead: Agency | None = None
    cooperating: list[Agency] = field(default_factory=list)

    @property
    def agency_ids(self) -> set[int]:
        return {a.pk for a in ([self.lead] if self.lead else []) + self.cooperating}


def province_assessment(*, campaign) -> Assessment | None:
    """The one assessment of a province campaign (the province itself)."""
    if campaign.kind != Campaign.Kind.PROVINCE:
        return None
    return Assessment.objects.select_related("campaign", "agency", "criteria_set").filter(campaign=campaign).first()


def responsibility_map(*, criteria_set) -> dict[str, Responsibility]:
    """Code → the effective responsibility of every criterion (inherited from the nearest
    ancestor that has one), in two queries."""
    agencies = Agency.objects.only("id", "code", "name").order_by("code")
    criteria = sorted(
        Criterion.objects.filter(criteria_set=criteria_set).select_related("responsible_agency")
        .prefetch_related(Prefetch("cooperating_agencies", queryset=agencies)).only(
            "id", "code", "responsible_agency__id", "responsible_agency__code", "responsible_agency__name"),
        key=lambda c: c.code.count("."))
    found: dict[str, Responsibility] = {}
    for c in criteria:  # parents before children
        own = Responsibility(c.responsible_agency, list(c.cooperating_agencies.all()))
        parent = found.get(c.code.rpartition(".")[0])
        found[c.code] = own if own.lead or own.cooperating or parent is None else parent
    return found


def _answering_agency_ids(criteria_set) -> set[int]:
    """Ids of every agency leading or helping with a criterion of the set."""
    ids = set()
    for resp in responsibility_map(criteria_set=criteria_set).values():
        ids |= resp.agency_ids
    return ids


def province_campaign_agencies(*, campaign) -> list[Agency]:
    """Every agency answering for (or helping with) an item of the campaign's set."""
    assessment = province_assessment(campaign=campaign)
    if assessment is None:
        return []
    return list(Agency.objects.filter(pk__in=_answering_agency_ids(assessment.criteria_set)).order_by("code"))


def province_participant_ids(campaign) -> set[int]:
    """Ids of the agencies answering for (or helping with) an item of the campaign's criteria,
    from the criteria themselves, so before the campaign opens too (campaigns.participants:
    they name focal officers, get extensions and reminders)."""
    ids = set()
    for criteria_set in CriteriaSet.objects.filter(campaign=campaign):
        ids |= _answering_agency_ids(criteria_set)
    return ids


def province_leads_owing(*, assessment) -> dict[int, int]:
    """Lead agency id → how many of the items it leads are still unsent (being scored or
    returned): the departments the `departments` step's reminders go to. The items the
    Ministry scores itself (from its survey, or imported figures) are owed by no one."""
    resp = responsibility_map(criteria_set=assessment.criteria_set)
    owing: dict[int, int] = {}
    for code in Item.objects.filter(assessment=assessment, lead_status__in=[LeadStatus.DRAFT, LeadStatus.RETURNED]
                                    ).exclude(criterion__rule__in=[Rule.SURVEY, Rule.IMPORTED]
                                              ).values_list("criterion__code", flat=True):
        lead = resp.get(code, Responsibility()).lead
        if lead is not None:
            owing[lead.pk] = owing.get(lead.pk, 0) + 1
    return owing


def _overdue_at(campaign, agency_ids) -> dict[int, datetime]:
    """Agency id → its effective close of the departments' step (extensions included)."""
    windows = step_windows(campaign=campaign, kind=StepKind.DEPARTMENTS, agency_ids=list(agency_ids))
    return {agency_id: window.closes_at for agency_id, window in windows.items()}


@dataclass
class BoardRow:
    item: Item
    lead: Agency | None
    cooperating: list[Agency]
    evidence_count: int
    note_count: int
    closes_at: datetime | None
    overdue: bool
    role: str = ""  # for a department: "lead" or "cooperating"

    @property
    def code(self) -> str:
        return self.item.criterion.code


@dataclass
class Board:
    assessment: Assessment
    rows: list[BoardRow]
    counts: dict[str, int]
    total: Decimal

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.overdue)


def _items(assessment) -> QuerySet[Item]:
    return (Item.objects.filter(assessment=assessment)
            .select_related("criterion", "reviewed_by", "updated_by")
            .annotate(evidence_count=Count("documents", distinct=True), note_count=Count("notes", distinct=True)))


def province_board(*, assessment, agency=None, now=None) -> Board:
    """Every item of the province's assessment: who answers for it, its status, points,
    evidence and notes counted, and whether the lead is overdue. With `agency`, only the
    items it leads or helps with (a department's page). A fixed number of queries."""
    now = now or timezone.now()
    resp = responsibility_map(criteria_set=assessment.criteria_set)
    items = sorted(_items(assessment), key=lambda i: code_key(i.criterion.code))
    lead_ids = {r.lead.pk for r in resp.values() if r.lead}
    closes = _overdue_at(assessment.campaign, lead_ids)
    rows, counts = [], {s: 0 for s in LeadStatus.values}
    for item in items:
        r = resp.get(item.criterion.code, Responsibility())
        role = ""
        if agency is not None:
            if r.lead and r.lead.pk == agency.pk:
                role = "lead"
            elif agency.pk in {a.pk for a in r.cooperating}:
                role = "cooperating"
            else:
                continue
        closes_at = closes.get(r.lead.pk) if r.lead else None
        overdue = bool(closes_at and now >= closes_at and item.lead_status in (LeadStatus.DRAFT, LeadStatus.RETURNED))
        rows.append(BoardRow(item, r.lead, r.cooperating, item.evidence_count, item.note_count, closes_at,
                             overdue, role))
        counts[item.lead_status] += 1
    return Board(assessment, rows, counts, assessment.self_total)


def province_item_get_for_user(*, user, assessment, code) -> tuple[Item, Responsibility]:
    """An item of the province's assessment with its responsibility, or 404 unless the user is
    an officer or a member of its lead or a co-operating agency."""
    item = Item.objects.select_related("criterion", "assessment", "assessment__campaign").filter(
        assessment=assessment, criterion__code=code).first()
    if item is None:
        raise Http404
    resp = responsibility_map(criteria_set=assessment.criteria_set).get(code, Responsibility())
    if not user_is_officer(user) and not Membership.objects.filter(
            user=user, agency_id__in=resp.agency_ids).exists():
        raise Http404
    return item, resp


def province_item_notes(*, item) -> list[ItemNote]:
    return list(ItemNote.objects.filter(item=item).select_related("agency", "author").prefetch_related("documents"))


def province_campaign_get_for_user(*, user, pk) -> tuple[Campaign, Assessment]:
    """A province campaign and its assessment, or 404 (not a province campaign, not open
    yet, or the user neither an officer nor a member of an agency answering for an item)."""
    campaign = Campaign.objects.filter(pk=pk, kind=Campaign.Kind.PROVINCE).first()
    assessment = province_assessment(campaign=campaign) if campaign is not None else None
    if assessment is None:
        raise Http404
    if user_is_officer(user):
        return campaign, assessment
    if not Membership.objects.filter(user=user, agency_id__in=_answering_agency_ids(assessment.criteria_set)).exists():
        raise Http404
    return campaign, assessment


def province_agency_get_for_user(*, user, campaign, assessment, code) -> Agency:
    """An agency answering for items of the campaign, seen by an officer or its own member."""
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise Http404
    if not user_is_officer(user) and not Membership.objects.filter(user=user, agency=agency).exists():
        raise Http404
    return agency


def province_agencies_of_user(*, user, assessment) -> list[Agency]:
    """The user's agencies that answer for or help with an item."""
    return list(Agency.objects.filter(pk__in=_answering_agency_ids(assessment.criteria_set), memberships__user=user)
                .distinct().order_by("code"))
