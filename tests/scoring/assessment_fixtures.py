"""Fixtures of the self-assessment tests; a test module loads them with
`pytest_plugins = ["tests.scoring.assessment_fixtures"]`.

`sa_set`: the department criteria set of the `campaign` fixture holding SMALL_TREE (one leaf
of each rule kind); `assessments` ({agency code: assessment}), `assessment_a` /
`assessment_b`: the assessments of agencies A and B created by `assessments_ensure`.
"""
import pytest

from scoring.models import Assessment
from scoring.services.assessments import assessments_ensure
from tests.factories import group
from tests.scoring.factories import SMALL_TREE, criteria_set_with_tree


@pytest.fixture
def sa_set(campaign):
    return criteria_set_with_tree(SMALL_TREE, campaign=campaign, group=group("department"))


@pytest.fixture
def assessments(sa_set, staff_a, leader_a, staff_b):
    assessments_ensure(campaign=sa_set.campaign)
    return {a.agency.code: a for a in Assessment.objects.select_related(
        "agency", "campaign", "criteria_set").filter(campaign=sa_set.campaign)}


@pytest.fixture
def assessment_a(assessments):
    return assessments["SA"]


@pytest.fixture
def assessment_b(assessments):
    return assessments["SB"]
