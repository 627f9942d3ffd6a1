"""API v1 of the self-assessment (../shared/API.md)."""
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import Campaign
from scoring.models import Assessment, CriteriaSet
from tests.factories import CampaignFactory, StepFactory, group
from tests.scoring.factories import build_tree

from .assessment_support import close_self_assessment, item, pdf_file

pytest_plugins = ["tests.scoring.assessment_fixtures"]  # its fixtures: sa_set, assessments, assessment_a/b
pytestmark = pytest.mark.django_db


def patch(client, a, code, body):
    return client.patch(f"/api/v1/assessments/{a.pk}/items/{code}/", body, format="json")


def test_officer_opens_the_campaign_staff_refused(api, officer, staff_a, agency_a, commune):
    draft = CampaignFactory(status=Campaign.Status.DRAFT)
    draft.groups.set([group("department"), group("commune")])
    draft.agencies.set([agency_a, commune])
    StepFactory(campaign=draft)
    build_tree(CriteriaSet.objects.create(campaign=draft, group=group("department")), [("1", "2", "manual")])
    assert api.as_user(staff_a).post(f"/api/v1/campaigns/{draft.pk}/open/").status_code == 403
    r = api.as_user(officer).post(f"/api/v1/campaigns/{draft.pk}/open/")
    assert r.status_code == 200
    assert r.json() == {"id": draft.pk, "status": "open", "assessments_created": 1, "items_created": 1,
                        "missing_agencies": ["XA"]}
    r = api.as_user(officer).post(f"/api/v1/campaigns/{draft.pk}/open/")
    assert r.status_code == 409 and r.json()["detail"]


def test_list_has_the_contract_fields_and_only_what_the_caller_may_see(api, assessments, staff_a, officer, campaign):
    r = api.as_user(staff_a).get(f"/api/v1/assessments/?campaign={campaign.pk}")
    assert r.status_code == 200
    [row] = r.json()
    assert {"id", "agency_code", "status", "total", "index"} <= set(row)
    assert row["agency_code"] == "SA" and row["total"] == "0.00" and row["index"] == "0.00"
    assert row["max_points"] == "20.00"  # fields 1 and 2; survey included, bonus and penalty outside the max
    codes = {a["agency_code"] for a in api.as_user(officer).get(f"/api/v1/assessments/?campaign={campaign.pk}").json()}
    assert codes == {"SA", "SB"}
    assert api.as_user(officer).get("/api/v1/assessments/?campaign=x").status_code == 400


def test_detail_lists_items_with_points_as_strings(api, assessment_a, staff_a, appraiser, staff_b):
    r = api.as_user(staff_a).get(f"/api/v1/assessments/{assessment_a.pk}/")
    assert r.status_code == 200
    items = {i["code"]: i for i in r.json()["items"]}
    assert list(items) == ["1.1.1", "1.1.2", "1.1.3", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3"]
    first = items["1.1.1"]
    assert {"code", "input", "explanation", "evidence_ids", "self_points", "appraised_points", "version", "reason",
            "max_points"} <= set(first)
    assert first["self_points"] == "0.00" and first["max_points"] == "1.00" and first["version"] == 1
    assert api.as_user(appraiser).get(f"/api/v1/assessments/{assessment_a.pk}/").status_code == 200
    assert api.as_user(staff_b).get(f"/api/v1/assessments/{assessment_a.pk}/").status_code == 404


@pytest.mark.parametrize("code, body, points", [
    ("1.1.1", {"level": "trễ hạn"}, "0.00"),  # levels (evidence required, none yet)
    ("1.1.2", {"numerator": 95, "denominator": 100}, "2.00"),
    ("1.1.3", {"score": "0.25"}, "0.25"),
    ("1.2", {"numerator": 9, "denominator": 10}, "2.70"),
    ("1.3", {"count": 1}, "2.50"),
    ("1.4", {"score": 1.5}, "1.50"),
    ("2.1", {"score": "5"}, "5.00"),
    ("2.3", {"score": "2"}, "2.00"),
])
def test_patch_each_rule_kind(api, assessment_a, staff_a, code, body, points):
    r = patch(api.as_user(staff_a), assessment_a, code, {"input": body, "explanation": "Số liệu 2026", "version": 1})
    assert r.status_code == 200, r.json()
    data = r.json()
    assert data["self_points"] == points and data["version"] == 2 and data["explanation"] == "Số liệu 2026"
    assert data["total"] == str(Assessment.objects.get(pk=assessment_a.pk).self_total)


def test_patch_refusals(api, assessment_a, staff_a, staff_b, leader_a):
    client = api.as_user(staff_a)
    r = patch(client, assessment_a, "1.1.3", {"input": {"score": "1.1"}, "version": 1})
    assert r.status_code == 400 and "Điểm phải từ 0 đến 1" in r.json()["detail"] and r.json()["errors"]["input"]
    r = patch(client, assessment_a, "1.1.3", {"input": {"score": "1"}})
    assert r.status_code == 400 and "version" in r.json()["errors"]
    assert patch(client, assessment_a, "1.1.3", {"input": {"score": "1"}, "version": 1}).status_code == 200
    r = patch(client, assessment_a, "1.1.3", {"input": {"score": "0"}, "version": 1})
    assert r.status_code == 409 and r.json()["current"]["input"] == {"score": "1"} and r.json()["current"][
        "version"] == 2
    assert patch(client, assessment_a, "9.9", {"input": {}, "version": 1}).status_code == 404
    assert patch(api.as_user(staff_b), assessment_a, "1.1.3", {"input": {}, "version": 2}).status_code == 404
    assert patch(api.as_user(leader_a), assessment_a, "1.1.3", {"input": {}, "version": 2}).status_code == 403
    close_self_assessment(assessment_a.campaign)
    r = patch(api.as_user(staff_a), assessment_a, "1.1.3", {"input": {"score": "0"}, "version": 2})
    assert r.status_code == 409 and "hết hạn tự đánh giá" in r.json()["detail"]
    assert item(assessment_a, "1.1.3").input == {"score": "1"}


def test_evidence_upload_several_files_items_comma_separated_and_vietnamese_date(api, assessment_a, staff_a):
    r = api.as_user(staff_a).post(
        f"/api/v1/assessments/{assessment_a.pk}/evidence/",
        {"file": [pdf_file("a.pdf", "A"), pdf_file("b.pdf", "B")], "items": ["1.1.1,1.2", "1.3"],
         "number": "15/BC-STC", "issued_on": "20/01/2026", "issuer": "Sở Tài chính", "summary": "Báo cáo CCHC"},
        format="multipart")
    assert r.status_code == 201, r.json()
    docs = r.json()["documents"]
    assert [d["name"] for d in docs] == ["a.pdf", "b.pdf"] and docs[0]["issued_on"] == "2026-01-20"
    assert r.json()["items"] == ["1.1.1", "1.2", "1.3"]
    detail = api.as_user(staff_a).get(f"/api/v1/assessments/{assessment_a.pk}/").json()
    ids = sorted(d["id"] for d in docs)
    assert {i["code"]: i["evidence_ids"] for i in detail["items"] if i["evidence_ids"]} == {
        "1.1.1": ids, "1.2": ids, "1.3": ids}


def test_evidence_upload_refusals(api, assessment_a, staff_a, staff_b):
    client = api.as_user(staff_a)
    url = f"/api/v1/assessments/{assessment_a.pk}/evidence/"
    html = SimpleUploadedFile("bao-cao.pdf", b"<html><body>not a pdf</body></html>", content_type="application/pdf")
    r = client.post(url, {"file": [html], "items": "1.1.1"}, format="multipart")
    assert r.status_code == 400 and "bao-cao.pdf" in r.json()["detail"]
    r = client.post(url, {"items": "1.1.1"}, format="multipart")
    assert r.status_code == 400 and "file" in r.json()["errors"]
    r = client.post(url, {"file": [pdf_file()], "issued_on": "31/02/2026"}, format="multipart")
    assert r.status_code == 400 and "dd/mm/yyyy" in r.json()["detail"]
    r = client.post(url, {"file": [pdf_file()], "items": "7.7"}, format="multipart")
    assert r.status_code == 404
    assert api.as_user(staff_b).post(url, {"file": [pdf_file()]}, format="multipart").status_code == 404
    assert assessment_a.agency.documents.count() == 0
    close_self_assessment(assessment_a.campaign)
    r = api.as_user(staff_a).post(url, {"file": [pdf_file()], "items": "1.1.1"}, format="multipart")
    assert r.status_code == 409 and assessment_a.agency.documents.count() == 0


def test_flow_send_approve_and_return(api, assessments, staff_a, leader_a, staff_b):
    a, b = assessments["SA"], assessments["SB"]
    assert api.as_user(staff_b).post(f"/api/v1/assessments/{a.pk}/send-to-leader/").status_code == 404
    assert api.as_user(leader_a).post(f"/api/v1/assessments/{a.pk}/send-to-leader/").status_code == 403
    r = api.as_user(staff_a).post(f"/api/v1/assessments/{a.pk}/send-to-leader/")
    assert r.status_code == 200 and r.json()["status"] == "with_leader"
    assert api.as_user(staff_a).post(f"/api/v1/assessments/{a.pk}/approve/").status_code == 403
    r = api.as_user(leader_a).post(f"/api/v1/assessments/{a.pk}/return/", {}, format="json")
    assert r.status_code == 400 and "ý kiến" in r.json()["detail"]
    r = api.as_user(leader_a).post(f"/api/v1/assessments/{a.pk}/return/", {"comment": "Bổ sung"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "draft"
    api.as_user(staff_a).post(f"/api/v1/assessments/{a.pk}/send-to-leader/")
    r = api.as_user(leader_a).post(f"/api/v1/assessments/{a.pk}/approve/")
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["submitted_at"]
    assert api.as_user(leader_a).post(f"/api/v1/assessments/{a.pk}/approve/").status_code == 409
    close_self_assessment(b.campaign)
    r = api.as_user(staff_b).post(f"/api/v1/assessments/{b.pk}/send-to-leader/")
    assert r.status_code == 409 and "hết hạn" in r.json()["detail"]


def test_anonymous_is_refused(api, assessment_a):
    assert api.get("/api/v1/assessments/").status_code == 401
    assert api.get(f"/api/v1/assessments/{assessment_a.pk}/").status_code == 401


def test_total_and_index_follow_the_engine(api, assessment_a, staff_a):
    client = api.as_user(staff_a)
    patch(client, assessment_a, "1.1.2", {"input": {"numerator": 1, "denominator": 1}, "version": 1})
    patch(client, assessment_a, "1.2", {"input": {"numerator": 1, "denominator": 3}, "version": 1})
    row = client.get(f"/api/v1/assessments/?campaign={assessment_a.campaign_id}").json()[0]
    assert row["total"] == "3.00" and Decimal(row["index"]) == Decimal("15.00")  # 2 + 3 × 1/3 of 20


def test_patch_keeps_the_api_text_and_takes_a_comma_too(api, assessment_a, staff_a, staff_b):
    client = api.as_user(staff_a)
    r = patch(client, assessment_a, "1.1.3", {"input": {"score": "0,75"}, "version": 1})
    assert r.status_code == 200 and r.json()["self_points"] == "0.75" and r.json()["input"] == {"score": "0.75"}
    r = patch(client, assessment_a, "1.2", {"input": {"numerator": "1.125", "denominator": "2"}, "version": 1})
    assert r.status_code == 200 and r.json()["input"] == {"numerator": "1.125", "denominator": "2"}  # never 1125
    r = patch(client, assessment_a, "1.1.2", {"input": {"numerator": 10, "denominator": 8}, "version": 1})
    assert r.status_code == 200 and r.json()["self_points"] == "2.00"  # over 100 %: the max
    r = patch(client, assessment_a, "1.1.3", {"input": {"score": "0,5,5"}, "version": 2})
    assert r.status_code == 400 and "'0,5,5' có nhiều dấu phân cách thập phân" in r.json()["detail"]
    assert patch(api.as_user(staff_b), assessment_a, "1.1.3", {"input": {}, "version": 2}).status_code == 404
