"""The OpenAPI schema names every body after its own operation and documents the errors
each operation answers with."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from cchc_portal.core.schema import component_name


@pytest.fixture(scope="module")
def schema():
    GENERATOR_STATS.reset()
    generated = SchemaGenerator().get_schema(request=None, public=True)
    warnings = list(GENERATOR_STATS._warn_cache)
    GENERATOR_STATS.reset()
    return generated, warnings


def body_ref(operation, kind="request"):
    if kind == "request":
        content = operation["requestBody"]["content"]
    else:
        content = operation["responses"][kind]["content"]
    return next(iter(content.values()))["schema"]["$ref"].rsplit("/", 1)[-1]


def test_no_two_serializers_share_a_component_name(schema):
    generated, warnings = schema
    assert not [w for w in warnings if "identical names" in w], warnings
    paths = generated["paths"]
    components = generated["components"]["schemas"]
    step = body_ref(paths["/api/v1/campaigns/{id}/steps/{kind}/"]["patch"])
    item = body_ref(paths["/api/v1/assessments/{id}/items/{code}/"]["patch"])
    appraisal = body_ref(paths["/api/v1/assessments/{id}/items/{code}/appraisal/"]["patch"])
    assert len({step, item, appraisal}) == 3
    assert set(components[step]["properties"]) == {"opens_at", "closes_at"}
    assert "version" in components[item]["properties"]
    assert "comment" in components[appraisal]["properties"]
    me = body_ref(paths["/api/v1/me/"]["get"], "200")
    agencies = paths["/api/v1/agencies/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert me != agencies["items"]["$ref"].rsplit("/", 1)[-1]
    assert "roles" in components[me]["properties"]


def test_nested_serializers_are_named_after_their_view():
    from campaigns.api.views import MeApi, StepUpdateApi

    assert component_name(MeApi.OutputSerializer) == "MeOutput"
    assert component_name(StepUpdateApi.InputSerializer) == "StepUpdateInput"


def test_every_operation_documents_its_errors(schema):
    generated, _ = schema
    operations = [(path, method, op) for path, item in generated["paths"].items()
                  for method, op in item.items()]
    assert len(operations) >= 50
    for path, method, op in operations:
        codes = set(op["responses"])
        assert {"401", "403"} <= codes, (method, path)
        if method != "get":
            assert {"400", "409"} <= codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        for code in ("400", "401", "403", "404", "409"):
            if code in codes:
                ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/Error"), (method, path, code)


@pytest.mark.django_db
def test_an_unmatched_api_path_answers_json(client, settings):
    settings.DEBUG = False
    r = client.delete("/api/v1/campaigns/1/respondents/khong-phai-so/")
    assert r.status_code == 404 and r.json() == {"detail": "Không tìm thấy.", "errors": {}}
    page = client.get("/khong-co-trang-nay/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_plan_date_outside_the_campaign_years_is_refused(api, campaign, officer):
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    body = {"opens_at": datetime(302, 2, 20, tzinfo=tz).isoformat(),
            "closes_at": datetime(2026, 12, 20, tzinfo=tz).isoformat()}
    r = api.as_user(officer).patch(f"/api/v1/campaigns/{campaign.pk}/steps/self_assessment/", body, format="json")
    assert r.status_code == 400 and "2000–2100" in r.json()["detail"]
    assert campaign.steps.get(kind="self_assessment").opens_at.year >= 2000
