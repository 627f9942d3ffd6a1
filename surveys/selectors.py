"""Every read of the survey that a page, the API or another app needs.

Anonymity: nothing here returns a respondent's answers next to who they are. Progress
and statuses carry names (for the agency that listed them) but never answers; points and
flags carry answers' aggregates and response ids but never names.
"""
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Q, QuerySet, signals
from django.db.models.base import ModelState
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy

from campaigns import selectors as campaign_selectors
from campaigns.models import Agency, Campaign, StepKind
from cchc_portal.core.utils import q2

from . import sql
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
    """What one respondent answers: the group's questions by section and the rated agencies.
    Built once per group and respondent agency and kept (questionnaire_cached), so what
    every save and submission looks up is computed once."""

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
    def required_keys(self) -> tuple[tuple[tuple[int, int | None], Question, Agency | None], ...]:
        return tuple(((q.pk, a.pk if a else None), q, a) for q, a in self._rows if q.required)

    @cached_property
    def rating_keys(self) -> tuple[tuple[int, int], ...]:
        """(question, rated agency) of every matrix row, sorted (the identical-pattern digest)."""
        return tuple(sorted((q.pk, a.pk) for q, a in self._rows if a is not None))

    @cached_property
    def digest_parts(self) -> tuple[tuple[tuple[int, int], str], ...]:
        """rating_keys with the text each one starts in the digest ("question:agency:")."""
        return tuple((key, f"{key[0]}:{key[1]}:") for key in self.rating_keys)

    @property
    def rating_row_count(self) -> int:
        return len(self.rating_keys)

    @cached_property
    def posted_plan(self) -> "PostedPlan":
        """What a sent page is read with in one pass (services.posted_page)."""
        return PostedPlan(self)


class PostedPlan:
    """A questionnaire as a sent page is read in one pass: each field name → (its question
    as a JSON key, kind, its rated agency as a JSON key or None, option key → its JSON
    text, its place among the digest's rows or None, 1 if its row is required), the
    digest's row prefixes in order and the number of required rows."""

    def __init__(self, questionnaire: Questionnaire):
        places = {key: n for n, key in enumerate(questionnaire.rating_keys)}
        self.fields = {}
        for name, (qid, agency_id, kind, keys) in questionnaire.fields.items():
            question = questionnaire.by_id[qid]
            options = {key: json.dumps(key) for key in keys}
            self.fields[name] = (f'"{qid}"', kind, f'"{agency_id}"' if agency_id is not None else None, options,
                                 places.get((qid, agency_id)), int(question.required))
        self.prefixes = tuple(prefix for _key, prefix in questionnaire.digest_parts)
        self.required = len(questionnaire.required_keys)


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
    clock = time.monotonic()
    mine_key = (group.pk, group.updated_at, campaign.pk, respondent_agency.pk)
    hit = _QUESTIONNAIRES.get(mine_key)
    if hit is not None and hit[0] >= clock:
        return hit[1]
    if len(_QUESTIONNAIRES) > 2000:
        _QUESTIONNAIRES.clear()
    full_key = (group.pk, group.updated_at, campaign.pk, None)
    full = _QUESTIONNAIRES.get(full_key)
    if full is None or full[0] < clock:
        full = _QUESTIONNAIRES[full_key] = (clock + ttl, questionnaire_for(group=group, campaign=campaign))
    mine = Questionnaire(group, full[1].questions, [a for a in full[1].rated if a.pk != respondent_agency.pk])
    _QUESTIONNAIRES[mine_key] = (full[0], mine)
    return mine


# ---------------------------------------------------------------- the answer page


@dataclass(frozen=True)
class AnswerContext:
    """What every answer request of one agency's respondents of one group checks: the
    campaign's status, the agency's survey window (its extension included) and whether
    the agency's survey result was voided."""

    campaign: Campaign
    group: RespondentGroup
    agency: Agency
    window: object  # campaigns.selectors.Window | None
    agency_voided: bool


class _CampaignContext:
    """One campaign's part of the answer contexts, loaded in six queries: its status, the
    survey step's windows, its respondent groups, the agencies whose result was voided and
    the agencies that list respondents."""

    def __init__(self, campaign_id):
        self.campaign = Campaign.objects.get(pk=campaign_id)
        self.window_of = campaign_selectors.step_window_resolver(campaign=self.campaign, kind=StepKind.SURVEY)
        self.groups = {g.pk: g for g in RespondentGroup.objects.filter(campaign_id=campaign_id)}
        self.voided = set(SurveyVoid.objects.filter(campaign_id=campaign_id, agency__isnull=False)
                          .values_list("agency_id", flat=True))
        # the agencies that list respondents (their names head the page), in one query
        self.agencies = {a.pk: a for a in Agency.objects.filter(
            pk__in=RespondentList.objects.filter(campaign_id=campaign_id).values("agency_id")).only(
            "id", "code", "name", "group_id")}
        self.contexts: dict = {}

    def get(self, group_id, agency_id) -> AnswerContext:
        context = self.contexts.get((group_id, agency_id))
        if context is None:
            group = self.groups.get(group_id) or RespondentGroup.objects.get(pk=group_id)
            agency = self.agencies.get(agency_id) or Agency.objects.only("id", "code", "name", "group_id").get(
                pk=agency_id)
            context = self.contexts[(group_id, agency_id)] = AnswerContext(
                campaign=self.campaign, group=group, agency=agency, window=self.window_of(agency_id),
                agency_voided=agency_id in self.voided)
        return context


_CONTEXTS: dict = {}


def answer_context(*, campaign_id, group_id, agency_id) -> AnswerContext:
    """Kept in the process for SURVEY_CONTEXT_CACHE_SECONDS (5), a campaign at a time: the
    respondents' hot path reads it on every request and it changes only by an officer's
    hand (a plan's step, an extension, the campaign's status, a void), which then reaches
    the page within those seconds. The moment a window closes is compared with the clock
    on every request, so a deadline itself is never late. 0 turns the cache off (the test
    settings)."""
    return _campaign_context(campaign_id).get(group_id, agency_id)


def _campaign_context(campaign_id) -> _CampaignContext:
    ttl = getattr(settings, "SURVEY_CONTEXT_CACHE_SECONDS", 5)
    clock = time.monotonic()
    hit = _CONTEXTS.get(campaign_id)
    if hit is None or hit[0] <= clock:
        if len(_CONTEXTS) > 50:
            _CONTEXTS.clear()
        hit = (clock + ttl, _CampaignContext(campaign_id))
        if ttl > 0:
            _CONTEXTS[campaign_id] = hit
    return hit[1]


# ---------------------------------------------------------------- the page's link hint
#
# The answer page's form carries "<group id>.<agency id>" of its respondent (the hidden
# field `link`), so that a sent page can be validated before the link is looked up and
# written in one statement (services.response_submit_posted). It is a hint, not a claim:
# the statement writes only where the link's respondent is of that group and agency, and
# anything else takes the general path, which looks the link up first.

_GROUP_CAMPAIGNS: dict[int, int] = {}  # a respondent group never moves to another campaign


def link_hint(invitation) -> str:
    """The value of the page's `link` field for a link looked up by invitation_by_token."""
    context = invitation_context(invitation)
    return f"{context.group.pk}.{context.agency.pk}"


def hinted_context(value: str) -> AnswerContext | None:
    """The answer context that a posted `link` hint names, or None (no hint, a malformed
    one, a group that does not exist)."""
    group_id, dot, agency_id = (value or "").partition(".")
    if not (dot and group_id.isdigit() and agency_id.isdigit() and len(value) < 24):
        return None
    group_id, agency_id = int(group_id), int(agency_id)
    campaign_id = _GROUP_CAMPAIGNS.get(group_id)
    if campaign_id is None:
        campaign_id = RespondentGroup.objects.filter(pk=group_id).values_list("campaign_id", flat=True).first()
        if campaign_id is None:
            return None
        _GROUP_CAMPAIGNS[group_id] = campaign_id
    campaign = _campaign_context(campaign_id)
    if group_id not in campaign.groups or agency_id not in campaign.agencies:  # only what a respondent can be of
        return None
    return campaign.get(group_id, agency_id)


def _utc(value):
    """A datetime read by a raw query: aware already (PostgreSQL) or text in UTC (SQLite)."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    parsed = parse_datetime(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_ATTNAMES: dict = {}


def as_loaded(model, **values):
    """A model instance as loaded from the database with only these fields (the others are
    deferred: they load if read). What Model.from_db builds, without running __init__ over
    every field: the hot path builds a few of these per request. A model with pre_init or
    post_init receivers goes through from_db, so that they run."""
    attnames = _ATTNAMES.get(model)
    if attnames is None:
        attnames = _ATTNAMES[model] = tuple(f.attname for f in model._meta.concrete_fields)
    names = [n for n in attnames if n in values]
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model.from_db(DEFAULT_DB_ALIAS, names, [values[n] for n in names])
    instance = model.__new__(model)
    instance.__dict__.update({n: values[n] for n in names})
    state = instance._state = ModelState()
    state.adding, state.db = False, DEFAULT_DB_ALIAS
    return instance


_LINK_SQL = """
SELECT i.id, i.status, i.opened_at, i.answered_at, i.respondent_id,
       r.campaign_id, r.group_id, r.respondent_list_id, l.agency_id,
       resp.id, resp.started_at, resp.submitted_at{page}
FROM surveys_invitation i
JOIN surveys_respondent r ON r.id = i.respondent_id
JOIN surveys_respondentlist l ON l.id = r.respondent_list_id
LEFT JOIN surveys_response resp ON resp.invitation_id = i.id
WHERE {where}"""
_PAGE_COLUMNS = ", r.full_name, resp.answers_data"  # what only a rendered page shows


_BY_TOKEN = "i.token_hash = %s"
_BY_PREVIOUS_TOKEN = "i.previous_token_hash = %s AND i.previous_token_hash <> ''"  # the partial index's condition
# name → statement: a link by its token, for a shown page or a posted form; by its previous token
_LINK_STATEMENTS = {
    "survey_link_page": _LINK_SQL.format(where=_BY_TOKEN, page=_PAGE_COLUMNS),
    "survey_link": _LINK_SQL.format(where=_BY_TOKEN, page=""),
    "survey_link_previous": _LINK_SQL.format(where=_BY_PREVIOUS_TOKEN, page=""),
}


def _link(name: str, digest: str, *, page: bool = False) -> Invitation | None:
    """One query for all that the answer page needs of a link. Raw SQL on purpose: this is
    every respondent's every request, and the ORM's compilation of the same join costs
    four times the query itself. The invitation comes back as model instances whose other
    fields are deferred (they load if something reads them). Without `page` (a posted
    form) the respondent's name and the saved answers are not read: a save or a
    submission writes them without reading them, and a draft is the largest value here."""
    name += "_page" if page else ""
    row = sql.fetchone(name, _LINK_STATEMENTS[name], [digest])
    if row is None:
        return None
    (inv_id, status, opened_at, answered_at, respondent_id, campaign_id, group_id, list_id, agency_id,
     response_id, started_at, submitted_at) = row[:12]
    invitation = as_loaded(Invitation, id=inv_id, status=status, opened_at=_utc(opened_at),
                           answered_at=_utc(answered_at), respondent_id=respondent_id)
    invitation.context = answer_context(campaign_id=campaign_id, group_id=group_id, agency_id=agency_id)
    invitation.respondent_row = {"id": respondent_id, "campaign_id": campaign_id, "respondent_list_id": list_id,
                                 "group_id": group_id}
    response = None if response_id is None else {"id": response_id, "invitation_id": inv_id,
                                                 "started_at": _utc(started_at), "submitted_at": _utc(submitted_at)}
    if page:
        full_name, answers_data = row[12:]
        invitation.respondent_row["full_name"] = full_name
        if response is not None:
            response["answers_data"] = (answers_data if isinstance(answers_data, dict)
                                        else json.loads(answers_data or "{}"))
    if response is None:
        Invitation.response.related.set_cached_value(invitation, None)
    else:
        invitation.response = as_loaded(Response, **response)
    return invitation


def link_respondent(invitation) -> Respondent:
    """The respondent of a link looked up by invitation_by_token, built from what the
    lookup read (no query); the page shows their name. Other code may read
    `invitation.respondent` as usual (it then loads)."""
    row = getattr(invitation, "respondent_row", None)
    if row is not None and not Invitation.respondent.is_cached(invitation):
        context = invitation.context
        respondent = as_loaded(Respondent, **row)
        respondent_list = as_loaded(RespondentList, id=row["respondent_list_id"], agency_id=context.agency.pk)
        respondent_list.agency = context.agency
        respondent.respondent_list, respondent.campaign, respondent.group = (respondent_list, context.campaign,
                                                                             context.group)
        invitation.respondent = respondent
    return invitation.respondent


def invitation_by_token(token: str, *, page: bool = True) -> tuple[Invitation | None, bool]:
    """(invitation, replaced): the invitation whose current token this is, or — with
    `replaced` True — whose previous token it was. (None, False) when unknown. The
    invitation carries `context` (answer_context) and its response, if any; with `page`
    also what the page shows (the respondent's name, the saved answers), which a posted
    form does not need (they load if read)."""
    if not token or len(token) > 100:
        return None, False
    digest = token_hash(token)
    invitation = _link("survey_link", digest, page=page)
    if invitation is not None:
        return invitation, False
    old = _link("survey_link_previous", digest)  # a replaced link shows a message, nothing of the page
    return (old, True) if old is not None else (None, False)


def invitation_context(invitation) -> AnswerContext:
    """The answer context of an invitation: the one its lookup (invitation_by_token)
    attached, or else that of its respondent's campaign, group and agency (answer_context)."""
    context = getattr(invitation, "context", None)
    if context is not None:
        return context
    respondent = invitation.respondent
    return answer_context(campaign_id=respondent.campaign_id, group_id=respondent.group_id,
                          agency_id=respondent.respondent_list.agency_id)


def answer_window(*, invitation):
    """The survey window of the respondent's agency (its extension included), or None."""
    return invitation_context(invitation).window


def stored_answers(*, response) -> dict[tuple[int, int | None], list[str] | str]:
    """(question id, rated agency id) → option keys, or the text of a text question."""
    if response is None:
        return {}
    return from_data(response.answers_data)


def missing_rows(questionnaire: Questionnaire, answers: dict) -> list[tuple[Question, Agency | None]]:
    """Required rows without an answer ("don't know" is an answer)."""
    get = answers.get
    return [(q, agency) for key, q, agency in questionnaire.required_keys
            if not (value := get(key)) or (value.__class__ is str and not value.strip())]


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
