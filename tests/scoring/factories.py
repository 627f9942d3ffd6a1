"""Criteria factories other areas reuse (assessments, appraisal, results, surveys).

    cs = CriteriaSetFactory(campaign=campaign, group=group("department"))
    nodes = build_tree(cs, SMALL_TREE)            # {code: Criterion}
    nodes = build_tree(cs, [("1", "10"), ("1.1", "10", "manual", "step=0.5", {"evidence_required": True})])

A row is (code, max_points[, rule[, rule_params text[, {other fields}]]]); rule defaults to
"sum", the text form of rule_params is that of scoring.rules (parsed with parse_params).
`not_applicable_to` in the extra dict takes agencies (objects). Parents come from the codes.
"""
from decimal import Decimal

import factory

from scoring.models import CriteriaSet, Criterion
from scoring.rules.text import parse_params
from tests.factories import CampaignFactory, group

# A valid tree with one leaf of each kind an agency types into, and a survey leaf (max 20).
SMALL_TREE = [
    ("1", "10"),
    ("1.1", "4"),
    ("1.1.1", "1", "levels", "Đúng hạn=1; Trễ hạn=0.5; Không ban hành=0", {"evidence_required": True}),
    ("1.1.2", "2", "bands", ">90:2; 70-90:1; <70:0"),
    ("1.1.3", "1", "manual", "step=0.25"),
    ("1.2", "3", "ratio", ""),
    ("1.3", "3", "deduction", "per=0.5"),
    ("1.4", "2", "bonus", "step=0.5"),
    ("2", "10"),
    ("2.1", "5", "imported", ""),
    ("2.2", "5", "survey", ""),
    ("2.3", "2", "penalty", "step=0.5"),
]


class CriteriaSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriteriaSet
        django_get_or_create = ("campaign", "group")

    campaign = factory.SubFactory(CampaignFactory)
    group = factory.LazyFunction(lambda: group("department"))


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion
        skip_postgeneration_save = True

    criteria_set = factory.SubFactory(CriteriaSetFactory)
    code = factory.Sequence(lambda n: str(n + 1))
    title = factory.LazyAttribute(lambda o: f"Tiêu chí {o.code}")
    max_points = Decimal("1")
    rule = "manual"
    params = factory.LazyFunction(dict)
    order = 0

    @factory.post_generation
    def not_applicable_to(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.not_applicable_to.set(extracted)


def _key(code):
    return tuple(int(part) for part in code.split("."))


def build_tree(criteria_set, rows=SMALL_TREE) -> dict[str, Criterion]:
    """Create the rows under `criteria_set` (parents first, whatever the order given)."""
    made: dict[str, Criterion] = {}
    for position, row in enumerate(sorted(rows, key=lambda r: _key(r[0]))):
        code, max_points = row[0], row[1]
        rule = row[2] if len(row) > 2 else "sum"
        params = parse_params(rule, row[3] if len(row) > 3 else "")
        extra = dict(row[4]) if len(row) > 4 else {}
        extra.setdefault("title", f"Tiêu chí {code}")
        made[code] = CriterionFactory(
            criteria_set=criteria_set, parent=made.get(code.rpartition(".")[0]), code=code,
            max_points=Decimal(str(max_points)), rule=rule, params=params, order=position, **extra,
        )
    return made


def criteria_set_with_tree(rows=SMALL_TREE, **kwargs) -> CriteriaSet:
    """A set (CriteriaSetFactory kwargs) holding the rows."""
    criteria_set = CriteriaSetFactory(**kwargs)
    build_tree(criteria_set, rows)
    return criteria_set
