"""Every read of the survey that a page, the API or another app needs.

Anonymity: nothing here returns a respondent's answers next to who they are. Progress
and statuses carry names (for the agency that listed them) but never answers; points and
flags carry answers' aggregates and response ids but never names.
"""
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from campaigns import selectors as campaign_selectors
from campaigns.models import Agency, Campaign, StepKind
from cchc_portal.core.utils import q2

from .models import Answer, Flag, Invitation, Question, Respondent, RespondentGroup, RespondentList, SurveyVoid
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


@dataclass
class Questionnaire:
    """What one respondent answers: the group's questions by section and the rated agencies."""

    group: RespondentGroup
    questions: list[Question]
    rated: list[Agency]

    @property
    def sections(self) -> list[Section]:
        out: list[Section] = []
        for q in self.questions:
            if not out or out[-1].title != q.section:
                out.append(Section(q.section))
            out[-1].questions.append(q)
        return out

    @property
    def rated_ids(self) -> set[int]:
        return {a.pk for a in self.rated}

    @property
    def by_id(self) -> dict[int, Question]:
        return {q.pk: q for q in self.questions}

    def rows(self) -> list[tuple[Question, Agency | None]]:
        """Every answerable row: one per rated agency for a rating question, one otherwise."""
        out = []
        for q in self.questions:
            if q.kind == Question.Kind.RATING:
                out += [(q, a) for a in self.rated]
            else:
                out.append((q, None))
        return out

    @property
    def rating_row_count(self) -> int:
        return sum(len(self.rated) for q in self.questions if q.kind == Question.Kind.RATING)


def questionnaire_for(*, group, respondent_agency=None, campaign=None) -> Questionnaire:
    return Questionnaire(group, list(group.questions.order_by("order", "id")),
                         rated_agencies(group=group, respondent_agency=respondent_agency, campaign=campaign))


_QUESTIONNAIRES: dict = {}


def questionnaire_cached(*, group, campaign, respondent_agency) -> Questionnaire:
    """The answer page's questionnaire, kept in the process for a short while: every save
    and submission needs it, and it only changes before answering starts. The key has the
    group's `updated_at`, which every change of its questions moves (services); the TTL
    (SURVEY_QUESTIONNAIRE_CACHE_SECONDS, 60) covers changes made elsewhere (the admin, the
    campaign's agencies)."""
    ttl = getattr(settings, "SURVEY_QUESTIONNAIRE_CACHE_SECONDS", 60)
    key = (group.pk, group.updated_at, campaign.pk)
    clock = time.monotonic()
    hit = _QUESTIONNAIRES.get(key)
    if hit is None or hit[0] < clock:
        if len(_QUESTIONNAIRES) > 500:
            _QUESTIONNAIRES.clear()
        hit = (clock + ttl, questionnaire_for(group=group, campaign=campaign))
        _QUESTIONNAIRES[key] = hit
    full = hit[1]
    return Questionnaire(group, full.questions, [a for a in full.rated if a.pk != respondent_agency.pk])


# ---------------------------------------------------------------- the answer page


def invitation_by_token(token: str) -> tuple[Invitation | None, bool]:
    """(invitation, replaced): the invitation whose current token this is, or — with
    `replaced` True — whose previous token it was. (None, False) when unknown."""
    if not token or len(token) > 100:
        return None, False
    digest = token_hash(token)
    related = ("respondent__respondent_list__agency", "respondent__group",
               "respondent__campaign", "response")
    inv = Invitation.objects.select_related(*related).filter(token_hash=digest).first()
    if inv is not None:
        return inv, False
    old = Invitation.objects.select_related(*related).filter(previous_token_hash=digest).first()
    return (old, True) if old is not None else (None, False)


def answer_window(*, invitation):
    """The survey window of the respondent's agency (its extension included), or None."""
    respondent = invitation.respondent
    return campaign_selectors.step_window_for(agency=respondent.respondent_list.agency, campaign=respondent.campaign,
                                              kind=StepKind.SURVEY)


def stored_answers(*, response) -> dict[tuple[int, int | None], list[str] | str]:
    """(question id, rated agency id) → option keys, or the text of a text question."""
    out: dict = {}
    if response is None:
        return out
    for qid, aid, option, text in Answer.objects.filter(response=response).values_list(
            "question_id", "rated_agency_id", "option", "text"):
        if option:
            out.setdefault((qid, aid), []).append(option)
        else:
            out[(qid, aid)] = text
    return out


def missing_rows(questionnaire: Questionnaire, answers: dict) -> list[tuple[Question, Agency | None]]:
    """Required rows without an answer ("don't know" is an answer)."""
    missing = []
    for q, agency in questionnaire.rows():
        if not q.required:
            continue
        value = answers.get((q.pk, agency.pk if agency else None))
        if not value or (isinstance(value, str) and not value.strip()):
            missing.append((q, agency))
    return missing


# ---------------------------------------------------------------- lists and progress


def respondent_list_get(*, campaign, agency) -> RespondentList | None:
    return RespondentList.objects.filter(campaign=campaign, agency=agency).first()


def respondent_lists(*, campaign) -> dict[int, RespondentList]:
    """agency id → list, for every agency that has one."""
    return {rl.agency_id: rl for rl in RespondentList.objects.filter(campaign=campaign)
            .annotate(respondent_count=Count("respondents")).order_by()}


def respondent_list_rows(*, campaign, agency) -> QuerySet[Respondent]:
    """An agency's respondents with their group and invitation (names and status only)."""
    return (Respondent.objects.filter(campaign=campaign, respondent_list__agency=agency)
            .select_related("group", "invitation").order_by("group__code", "full_name", "id"))


def respondent_rows_for_agencies(*, campaign, agency_ids) -> QuerySet[Respondent]:
    return (Respondent.objects.filter(campaign=campaign, respondent_list__agency_id__in=list(agency_ids))
            .select_related("group", "invitation", "respondent_list__agency")
            .order_by("respondent_list__agency__code", "group__code", "full_name", "id"))


NOT_INVITED = "not_invited"
STATUS_LABELS = {NOT_INVITED: "Chưa gửi thư mời", **dict(Invitation.Status.choices)}


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
    rating question feeds and every covered agency of that criterion's group. Four queries
    whatever the number of answers."""
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
