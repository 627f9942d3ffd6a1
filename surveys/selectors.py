"""Every read of the survey that a page, the API or another app needs.

Anonymity: nothing here returns a respondent's answers next to who they are. Progress
and statuses carry names (for the agency that listed them) but never answers; points and
flags carry answers' aggregates and response ids but never names.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy

from campaigns import selectors as campaign_selectors
from campaigns.models import Agency, Campaign, StepKind
from cchc_portal.core.utils import q2

from .answers import expand_pending, from_data
from .models import (
    Answer,
    Flag,
    Invitation,
    Question,
    Respondent,
    RespondentGroup,
    RespondentList,
    Response,
    SurveyVoid,
)
from .options import weights
from .tokens import token_hash

# ---------------------------------------------------------------- access


def survey_campaign_get_for_user(*, user, pk) -> Campaign:
    return campaign_selectors.campaign_get_for_user(user=user, pk=pk)


def user_is_survey_officer(user) -> bool:
    return campaign_selectors.user_is_officer(user)


def list_agencies_for_user(*, user, campaign) -> QuerySet[Agency]:
    """Agencies whose respondent list the user may see: officers every covered agency,
    agency members (staff or leader) their own covered agencies."""
    qs = campaign_selectors.campaign_agencies(campaign)
    if user_is_survey_officer(user):
        return qs
    return qs.filter(pk__in=campaign_selectors.user_agency_ids(user))


def list_agency_get_for_user(*, user, campaign, code) -> Agency:
    try:
        return list_agencies_for_user(user=user, campaign=campaign).get(code=code)
    except Agency.DoesNotExist as exc:
        raise Http404 from exc


def respondent_get_for_user(*, user, campaign, pk) -> Respondent:
    agencies = list_agencies_for_user(user=user, campaign=campaign)
    try:
        return (Respondent.objects.select_related("respondent_list__agency", "group")
                .get(pk=pk, campaign=campaign, respondent_list__agency__in=agencies))
    except (Respondent.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def group_get_for_officer(*, user, campaign, pk) -> RespondentGroup:
    if not user_is_survey_officer(user):
        raise Http404
    try:
        return RespondentGroup.objects.select_related("rates_group", "campaign").get(pk=pk, campaign=campaign)
    except (RespondentGroup.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def question_get_for_officer(*, user, campaign, pk) -> Question:
    if not user_is_survey_officer(user):
        raise Http404
    try:
        return Question.objects.select_related("group", "criterion").get(pk=pk, group__campaign=campaign)
    except (Question.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def flag_get_for_officer(*, user, campaign, pk) -> Flag:
    if not user_is_survey_officer(user):
        raise Http404
    try:
        return Flag.objects.get(pk=pk, campaign=campaign)
    except (Flag.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# ---------------------------------------------------------------- questionnaires


def group_list(*, campaign) -> QuerySet[RespondentGroup]:
    return (RespondentGroup.objects.filter(campaign=campaign).select_related("rates_group")
            .annotate(question_count=Count("questions", distinct=True),
                      respondent_count=Count("respondents", distinct=True)).order_by("code"))


def question_list(*, group) -> list[Question]:
    return list(group.questions.select_related("criterion").order_by("order", "id"))


def rated_agencies(*, group, respondent_agency=None, campaign=None) -> list[Agency]:
    """The agencies a group rates in its campaign: the covered agencies of its `rates_group`
    (coverage is the campaign's list), without the respondent's own agency (nobody rates
    themselves)."""
    qs = (campaign or group.campaign).agencies.filter(group_id=group.rates_group_id).order_by("code")
    if respondent_agency is not None:
        qs = qs.exclude(pk=respondent_agency.pk)
    return list(qs.only("id", "code", "name"))


@dataclass
class Section:
    title: str
    questions: list = field(default_factory=list)


class Questionnaire:
    """What one respondent answers: the group's questions by section and the rated agencies."""

    def __init__(self, group: RespondentGroup, questions: list[Question], rated: list[Agency]):
        self.group, self.questions, self.rated = group, questions, rated

    @cached_property
    def sections(self) -> list[Section]:
        out: list[Section] = []
        for q in self.questions:
            if not out or out[-1].title != q.section:
                out.append(Section(q.section))
            out[-1].questions.append(q)
        return out

    @cached_property
    def by_id(self) -> dict[int, Question]:
        return {q.pk: q for q in self.questions}

    @cached_property
    def fields(self) -> dict[str, tuple[int, int | None, str, frozenset[str]]]:
        """The page's field names → (question id, rated agency id or None, kind, option
        keys): `q<question>_a<agency>` for a matrix row, `q<question>` otherwise."""
        out = {}
        for q in self.questions:
            keys = frozenset(o["key"] for o in q.options)
            if q.kind == Question.Kind.RATING:
                out |= {f"q{q.pk}_a{a.pk}": (q.pk, a.pk, q.kind, keys) for a in self.rated}
            else:
                out[f"q{q.pk}"] = (q.pk, None, q.kind, keys)
        return out

    @cached_property
    def _rows(self) -> tuple[tuple[Question, Agency | None], ...]:
        out = []
        for q in self.questions:
            if q.kind == Question.Kind.RATING:
                out += [(q, a) for a in self.rated]
            else:
                out.append((q, None))
        return tuple(out)

    def rows(self) -> list[tuple[Question, Agency | None]]:
        """Every answerable row: one per rated agency for a rating question, one otherwise."""
        return list(self._rows)

    @cached_property
    def rating_keys(self) -> tuple[tuple[int, int], ...]:
        """(question, rated agency) of every matrix row, sorted (the identical-pattern digest)."""
        return tuple(sorted((q.pk, a.pk) for q, a in self._rows if a is not None))


def questionnaire_for(*, group, respondent_agency=None, campaign=None) -> Questionnaire:
    return Questionnaire(group, list(group.questions.order_by("order", "id")),
                         rated_agencies(group=group, respondent_agency=respondent_agency, campaign=campaign))


# ---------------------------------------------------------------- the answer page


def invitation_by_token(token: str) -> tuple[Invitation | None, bool]:
    """(invitation, replaced): the invitation whose current token this is, or, with
    `replaced` True, whose previous token it was; (None, False) when unknown. One query
    brings what the page needs: the respondent, their group, campaign and agency, the
    response if any."""
    if not token or len(token) > 100:
        return None, False
    digest = token_hash(token)
    links = Invitation.objects.select_related("respondent__group", "respondent__campaign",
                                              "respondent__respondent_list__agency", "response")
    invitation = links.filter(token_hash=digest).first()
    if invitation is not None:
        return invitation, False
    old = links.filter(previous_token_hash=digest).exclude(previous_token_hash="").first()
    return (old, True) if old is not None else (None, False)


def answer_window(*, invitation):
    """The survey window of the respondent's agency (its extension included), or None."""
    respondent = invitation.respondent
    return campaign_selectors.step_window_for(agency=respondent.respondent_list.agency,
                                              campaign=respondent.campaign, kind=StepKind.SURVEY)


def agency_voided(*, invitation) -> bool:
    """Whether the survey result of the respondent's agency was voided."""
    respondent = invitation.respondent
    return SurveyVoid.objects.filter(campaign_id=respondent.campaign_id,
                                     agency_id=respondent.respondent_list.agency_id).exists()


def invitation_response(invitation) -> Response | None:
    try:
        return invitation.response
    except Response.DoesNotExist:
        return None


def stored_answers(*, response) -> dict[tuple[int, int | None], list[str] | str]:
    """(question id, rated agency id) → option keys, or the text of a text question."""
    if response is None:
        return {}
    return from_data(response.answers_data)


def missing_rows(questionnaire: Questionnaire, answers: dict) -> list[tuple[Question, Agency | None]]:
    """Required rows without an answer ("don't know" is an answer)."""
    return [(q, agency) for q, agency in questionnaire.rows()
            if q.required and _blank(answers.get((q.pk, agency.pk if agency else None)))]


def _blank(value) -> bool:
    return not value or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------- lists and progress


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


# ---------------------------------------------------------------- survey points


@dataclass(frozen=True)
class SurveyPoint:
    """Points of one survey criterion for one rated agency.

    `points`: max × average weight of the valid answers ("don't know" left out), rounded
    half-up to 2 places; None when fewer respondents than the groups' `min_answers` gave
    a valid answer (`flagged_too_few`), never a silent zero. `answers`: the answers
    counted; `respondents`: the distinct responses they came from.
    """

    points: Decimal | None
    answers: int
    flagged_too_few: bool
    respondents: int = 0
    max_points: Decimal = Decimal("0")
    average_pct: Decimal | None = None


def voided_agency_ids(*, campaign) -> set[int]:
    return set(SurveyVoid.objects.filter(campaign=campaign, agency__isnull=False)
               .values_list("agency_id", flat=True))


def _valid_answers(campaign, question_ids):
    """Answers that count: submitted, not voided, not from an agency whose result was voided."""
    return (Answer.objects.filter(question_id__in=question_ids, rated_agency__isnull=False,
                                  response__submitted_at__isnull=False, response__voided=False)
            .exclude(response__invitation__status=Invitation.Status.VOIDED)
            .exclude(response__invitation__respondent__respondent_list__agency_id__in=list(
                voided_agency_ids(campaign=campaign))))


def survey_points(*, campaign, agency_ids=None) -> dict[tuple[int, int], SurveyPoint]:
    """(rated agency id, criterion id) → SurveyPoint for every survey criterion that a
    rating question feeds and every covered agency of that criterion's group. Five queries
    whatever the number of answers, once the sent responses' answers are written out
    (pending ones are written first: the points never miss a sent answer)."""
    expand_pending(campaign_id=campaign.pk)
    questions = list(Question.objects.filter(group__campaign=campaign, kind=Question.Kind.RATING,
                                             criterion__isnull=False)
                     .select_related("criterion__criteria_set", "group"))
    if not questions:
        return {}
    q_weights = {q.pk: weights(q.options) for q in questions}
    crit_of = {q.pk: q.criterion_id for q in questions}
    criteria, min_answers = {}, defaultdict(int)
    for q in questions:
        criteria[q.criterion_id] = q.criterion
        min_answers[q.criterion_id] = max(min_answers[q.criterion_id], q.group.min_answers)
    valid = _valid_answers(campaign, list(q_weights))
    if agency_ids is not None:
        valid = valid.filter(rated_agency_id__in=list(agency_ids))
    sums: dict[tuple[int, int], list] = defaultdict(lambda: [Decimal(0), 0])
    for aid, qid, option, n in valid.values_list("rated_agency_id", "question_id", "option").annotate(
            n=Count("id")).order_by():
        weight = q_weights[qid].get(option)
        if weight is None:  # "don't know" or an option no longer listed
            continue
        acc = sums[(aid, crit_of[qid])]
        acc[0] += weight * n
        acc[1] += n
    counted = Q()
    for qid, w in q_weights.items():
        counted |= Q(question_id=qid, option__in=[k for k, v in w.items() if v is not None])
    respondents = {
        (r["rated_agency_id"], r["question__criterion_id"]): r["n"]
        for r in valid.filter(counted).values("rated_agency_id", "question__criterion_id")
        .annotate(n=Count("response_id", distinct=True)).order_by()
    }
    set_groups = {c.criteria_set.group_id for c in criteria.values()}
    agencies = campaign.agencies.filter(group_id__in=set_groups).values_list("pk", "group_id")
    if agency_ids is not None:
        agencies = agencies.filter(pk__in=list(agency_ids))
    out = {}
    for aid, group_id in agencies:
        for cid, criterion in criteria.items():
            if criterion.criteria_set.group_id != group_id:
                continue
            total, n = sums.get((aid, cid), (Decimal(0), 0))
            people = respondents.get((aid, cid), 0)
            too_few = people < min_answers[cid] or n == 0
            average = (total / n) if n else None
            points = None if too_few else q2(criterion.max_points * total / (Decimal(100) * n))
            out[(aid, cid)] = SurveyPoint(points, n, too_few, people, criterion.max_points,
                                          None if average is None else q2(average))
    return out


def survey_points_for_agency(*, campaign, agency) -> dict[str, SurveyPoint]:
    """One rated agency's survey points by criterion code, ready for the scoring engine:
    `engine.score(..., survey={code: sp.points for code, sp in result.items()})`."""
    raw = survey_points(campaign=campaign, agency_ids=[agency.pk])
    codes = dict(Question.objects.filter(criterion_id__in={cid for _, cid in raw})
                 .values_list("criterion_id", "criterion__code"))
    return {codes[cid]: sp for (_aid, cid), sp in raw.items()}


# ---------------------------------------------------------------- integrity


def flag_list(*, campaign, status=None) -> QuerySet[Flag]:
    qs = (Flag.objects.filter(campaign=campaign).select_related("agency", "reviewed_by")
          .annotate(response_count=Count("responses")).order_by("-created_at", "-id"))
    if status:
        qs = qs.filter(status=status)
    return qs


def flag_responses(*, flag) -> list[dict]:
    """What an officer needs to judge a flag, without names or answers: the response id,
    the respondent's agency and group, timing and the device fingerprint."""
    rows = []
    for r in flag.responses.select_related("invitation__respondent__respondent_list__agency",
                                           "invitation__respondent__group").order_by("submitted_at"):
        respondent = r.invitation.respondent
        seconds = (r.submitted_at - r.started_at).total_seconds() if r.submitted_at else None
        rows.append({"id": r.pk, "agency": respondent.respondent_list.agency, "group": respondent.group,
                     "started_at": r.started_at, "submitted_at": r.submitted_at, "seconds": seconds,
                     "rows": r.rating_rows, "device": r.ip_hash[:10], "user_agent": r.user_agent,
                     "voided": r.voided})
    return rows


def void_list(*, campaign) -> QuerySet[SurveyVoid]:
    return SurveyVoid.objects.filter(campaign=campaign).select_related("agency", "made_by", "response")
