"""Respondent lists, invitation candidates and progress.

Anonymity: progress and statuses carry names (for the agency that listed them) but never
answers.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy

from campaigns import selectors as campaign_selectors
from campaigns.models import Agency, StepKind
from surveys.models import (
    Invitation,
    Respondent,
    RespondentGroup,
    RespondentList,
)


def respondent_list_get(*, campaign, agency) -> RespondentList | None:
    return RespondentList.objects.filter(campaign=campaign, agency=agency).first()


def respondent_lists(*, campaign) -> dict[int, RespondentList]:
    """agency id → list, for every agency that has one."""
    return {rl.agency_id: rl for rl in RespondentList.objects.filter(campaign=campaign)
            .annotate(respondent_count=Count("respondents")).order_by()}


@dataclass
class InvitationCandidates:
    """Who the next "send invitations" would e-mail: (respondent, answering window) pairs,
    and how many are left out because their window has closed (or, for the periodic tick,
    not opened yet)."""

    due: list = field(default_factory=list)
    skipped_closed: int = 0
    waiting: int = 0

    def by_agency_and_group(self) -> list[tuple[str, str, int]]:
        """(agency name, group name, number of e-mails), in agency code and group code order."""
        counts: dict[tuple, int] = defaultdict(int)
        for respondent, _window in self.due:
            agency, group = respondent.respondent_list.agency, respondent.group
            counts[(agency.code, group.code, agency.name, group.name)] += 1
        return [(a_name, g_name, n) for (_a, _g, a_name, g_name), n in sorted(counts.items())]


def invitation_candidates(*, campaign, now, only_open=False) -> InvitationCandidates:
    """Respondents of approved lists with no invitation yet, with their effective answering
    window (extensions included); the send service and its confirmation page share it."""
    respondents = list(Respondent.objects.filter(campaign=campaign, invitation__isnull=True,
                                                 respondent_list__status=RespondentList.Status.APPROVED)
                       .select_related("respondent_list__agency", "group", "campaign")
                       .order_by("respondent_list__agency__code", "group__code", "full_name", "id"))
    windows = campaign_selectors.step_windows(campaign=campaign, kind=StepKind.SURVEY,
                                              agency_ids={r.respondent_list.agency_id for r in respondents})
    result = InvitationCandidates()
    for respondent in respondents:
        window = windows.get(respondent.respondent_list.agency_id)
        if window is None or now >= window.closes_at:
            result.skipped_closed += 1
        elif only_open and now < window.opens_at:
            result.waiting += 1
        else:
            result.due.append((respondent, window))
    return result


def respondent_list_rows(*, campaign, agency) -> QuerySet[Respondent]:
    """An agency's respondents with their group and invitation (names and status only)."""
    return (Respondent.objects.filter(campaign=campaign, respondent_list__agency=agency)
            .select_related("group", "invitation").order_by("group__code", "full_name", "id"))


def respondent_rows_for_agencies(*, campaign, agency_ids) -> QuerySet[Respondent]:
    return (Respondent.objects.filter(campaign=campaign, respondent_list__agency_id__in=list(agency_ids))
            .select_related("group", "invitation", "respondent_list__agency")
            .order_by("respondent_list__agency__code", "group__code", "full_name", "id"))


NOT_INVITED = "not_invited"
# A bounce told to the agency as what to do about it: the address is wrong.
STATUS_LABELS = {NOT_INVITED: "Chưa gửi thư mời", **dict(Invitation.Status.choices),
                 Invitation.Status.BOUNCED: gettext_lazy("E-mail không gửi được")}


def respondent_status(respondent) -> str:
    try:
        return respondent.invitation.status
    except Invitation.DoesNotExist:
        return NOT_INVITED


@dataclass
class ProgressRow:
    agency: Agency
    group: RespondentGroup
    respondents: int
    invited: int
    opened: int
    answered: int

    @property
    def answered_pct(self) -> int:
        return round(self.answered * 100 / self.invited) if self.invited else 0


def survey_progress(*, campaign, agency_ids=None) -> list[ProgressRow]:
    """Per respondents' agency and group: listed, invited, opened, answered (3 queries)."""
    qs = Respondent.objects.filter(campaign=campaign)
    if agency_ids is not None:
        qs = qs.filter(respondent_list__agency_id__in=list(agency_ids))
    invited = Q(invitation__isnull=False) & ~Q(invitation__status__in=[Invitation.Status.PENDING,
                                                                      Invitation.Status.VOIDED])
    rows = list(
        qs.values("respondent_list__agency_id", "group_id")
        .annotate(total=Count("id"),
                  invited=Count("id", filter=invited),
                  opened=Count("id", filter=invited & Q(invitation__opened_at__isnull=False)),
                  answered=Count("id", filter=Q(invitation__status=Invitation.Status.ANSWERED)))
        .order_by()
    )
    agencies = Agency.objects.in_bulk({r["respondent_list__agency_id"] for r in rows})
    groups = RespondentGroup.objects.in_bulk({r["group_id"] for r in rows})
    out = [ProgressRow(agencies[r["respondent_list__agency_id"]], groups[r["group_id"]], r["total"],
                       r["invited"], r["opened"], r["answered"]) for r in rows]
    return sorted(out, key=lambda p: (p.agency.code, p.group.code))


def progress_totals(rows: list[ProgressRow]) -> dict[str, int]:
    return {k: sum(getattr(r, k) for r in rows) for k in ("respondents", "invited", "opened", "answered")}
