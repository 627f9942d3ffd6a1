"""Survey points: answers' aggregates per rated agency and criterion, never names."""
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from cchc_portal.core.utils import q2
from surveys.answers import expand_pending
from surveys.models import (
    Answer,
    Invitation,
    Question,
    SurveyVoid,
)
from surveys.options import weights


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
