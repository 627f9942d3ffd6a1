"""Questionnaires: groups, questions and the rated agencies, as one respondent answers them."""
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, QuerySet

from campaigns.models import Agency
from surveys.models import (
    Question,
    RespondentGroup,
)


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
