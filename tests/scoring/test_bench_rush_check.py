"""The rush benchmark's check against the database (benchmarks/bench_rush.py `verify`):
a confirmed save is found by its history row; one that is not there, or whose score the
item does not hold though it is the last, is reported lost; a write timed at or after
the cutoff is counted."""
from datetime import timedelta

import pytest
from django.utils import timezone

from benchmarks.bench_rush import percentile, verify
from scoring.services.assessments import item_update

from .assessment_support import item

pytest_plugins = ["tests.scoring.assessment_fixtures"]  # its fixtures: sa_set, assessments, assessment_a/b
pytestmark = pytest.mark.django_db


def confirmed_save(assessment, user, score, explanation):
    """item_update as the page's save calls it, and the record locust writes of its 200."""
    current = item(assessment, "1.1.3")
    saved = item_update(assessment=assessment, code="1.1.3", input={"score": score}, explanation=explanation,
                        version=current.version, user=user)
    return {"kind": "save", "user": user.username, "item": saved.pk, "code": "1.1.3", "score": score,
            "explanation": explanation, "status": 200, "version": saved.version}


def test_confirmed_saves_are_found_and_a_missing_one_is_lost(assessment_a, staff_a):
    first = confirmed_save(assessment_a, staff_a, "0.25", "lần 1")
    second = confirmed_save(assessment_a, staff_a, "0.5", "lần 2")
    later = timezone.now() + timedelta(minutes=1)

    assert verify([first, second], assessment_a.campaign, later) == ([], 0, 0)

    never_stored = {**second, "version": second["version"] + 1, "score": "0.75"}
    lost, _late, _docs = verify([first, second, never_stored], assessment_a.campaign, later)
    assert lost == [never_stored]


def test_the_last_confirmed_score_must_be_the_stored_one(assessment_a, staff_a):
    saved = confirmed_save(assessment_a, staff_a, "0.25", "lần 1")
    other = {**saved, "score": "0.75"}  # a 200 claiming a score the history holds differently

    lost, _late, _docs = verify([other], assessment_a.campaign, timezone.now() + timedelta(minutes=1))

    assert lost == [other, other]  # no history row of it, and not the item's score


def test_history_rows_at_or_after_the_cutoff_are_counted(assessment_a, staff_a):
    before = timezone.now()
    saved = confirmed_save(assessment_a, staff_a, "0.25", "lần 1")

    assert verify([saved], assessment_a.campaign, before) == ([], 1, 0)


def test_percentile_is_the_nearest_rank():
    values = list(range(1, 101))
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (50, 99, 100)
    assert percentile([7], 99) == 7
