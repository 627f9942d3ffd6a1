"""The OpenAPI schema is true: schemathesis generates requests from `/api/schema/` for every
operation and sends them, as an officer and as agency staff (token auth), to the WSGI app;
no answer may be a server error, and every answer must have a documented status code and
match its documented body. Ids in paths point at real objects, so requests reach the
services (validation, conflicts), not only the 404 of a random id."""
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, note, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.scoring.appraisal_support import world

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Loaded when the tests are collected: the schema view needs no database.
# (schemathesis.pytest.from_fixture would load it per test, but fails under pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture(autouse=True)
def connections_kept_between_requests():
    """The WSGI app closes the database connection at the end of each request, as it should
    in production; inside a test's transaction (PostgreSQL) that would lose the test's data,
    so, as Django's test client does, the connection stays open for the test's duration."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def ids(campaign, agency_a, staff_a, leader_a, officer):
    w = world(campaign, agency_a)
    return {"campaign": campaign.pk, "assessment": w.a.pk, "code": "1.1", "agency": agency_a.code,
            "kind": "self_assessment"}


def point_at_real_objects(case, ids):
    """Path ids of the world instead of random numbers (most of the time: a random one is
    still tried now and then, through the first example of each operation)."""
    params = case.path_parameters or {}
    path = case.operation.path
    if "id" in params:
        params["id"] = ids["assessment"] if path.startswith("/api/v1/assessments/") else ids["campaign"]
    if "code" in params:
        params["code"] = ids["agency"] if "/respondent-lists/" in path else ids["code"]
    if "kind" in params:
        params["kind"] = ids["kind"]


def call(case, user, ids):
    point_at_real_objects(case, ids)
    token, _ = Token.objects.get_or_create(user=user)
    case.call_and_validate(headers={"Authorization": f"Token {token.key}"}, checks=CHECKS)


FUZZ = settings(max_examples=5, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.filter_too_much])


@schema.parametrize()
@FUZZ
def test_the_api_answers_as_documented_to_officers_and_agency_staff(case, ids, officer, staff_a):
    for user in (officer, staff_a):
        note(f"as {user.username}")
        call(case, user, ids)
