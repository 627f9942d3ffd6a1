"""/api/v1/ of the province's own index: items, score, notes, send, return/accept, responsibility."""
import pytest

from campaigns.models import Role
from scoring.selectors.province import province_assessment
from tests.scoring.assessment_support import pdf_file
from tests.scoring.province_support import member, province_agencies, province_campaign


@pytest.fixture
def world(officer):
    campaign, province, deps = province_campaign(officer)
    return campaign, province_assessment(campaign=campaign), deps


def base(campaign):
    return f"/api/v1/campaigns/{campaign.pk}/province"


def test_items_for_the_officer_and_for_a_department(world, officer, staff_a, api, django_assert_max_num_queries):
    campaign, assessment, deps = world
    client = api.as_user(officer)
    with django_assert_max_num_queries(12):
        rows = client.get(f"{base(campaign)}/items/").json()
    assert len(rows) == assessment.items.count()
    row = next(r for r in rows if r["code"] == "6.2")
    assert (row["lead"], row["cooperating"], row["status"], row["self_points"]) == ("CT", ["STC"], "draft", "0.00")
    client = api.as_user(member(deps["STP"]))
    assert {r["code"] for r in client.get(f"{base(campaign)}/items/").json()} == {"2.1", "2.2", "2.3", "4.3"}
    mine = client.get(f"{base(campaign)}/items/?agency=STP").json()
    assert {r["code"] for r in mine} == {"2.1", "2.2", "2.3", "4.3"}
    assert client.get(f"{base(campaign)}/items/?agency=SNV").status_code == 404
    assert api.as_user(staff_a).get(f"{base(campaign)}/items/?agency=SA").status_code == 404


def test_score_note_send_return_accept(world, officer, api):
    campaign, assessment, deps = world
    staff, leader = member(deps["STP"]), member(deps["STP"], Role.LEADER)
    client = api.as_user(staff)
    note = client.post(f"{base(campaign)}/items/2.2/notes/", {
        "agency_code": "STP", "body": "Báo cáo",
        "file": pdf_file("bc.pdf")}, format="multipart")
    assert note.status_code == 201 and len(note.json()["document_ids"]) == 1
    version = assessment.items.get(criterion__code="2.2").version
    saved = client.patch(f"{base(campaign)}/items/2.2/", {"input": {"level": "Đạt"}, "version": version},
                         format="json")
    assert saved.status_code == 200 and saved.json()["self_points"] == "2.50"
    stale = client.patch(f"{base(campaign)}/items/2.2/", {"input": {"level": "Đạt"}, "version": version},
                         format="json")
    assert stale.status_code == 409
    assert client.post(f"{base(campaign)}/send/", {"agency_code": "STP"}, format="json").status_code == 403
    sent = api.as_user(leader).post(f"{base(campaign)}/send/", {"agency_code": "STP"}, format="json")
    assert sent.json() == {"sent": 3}
    client = api.as_user(officer)
    assert client.post(f"{base(campaign)}/items/2.2/return/", {}, format="json").status_code == 400
    returned = client.post(f"{base(campaign)}/items/2.2/return/", {"comment": "Thiếu"}, format="json")
    assert returned.json()["status"] == "returned"
    assert client.post(f"{base(campaign)}/items/2.2/accept/", {}, format="json").status_code == 409
    assert client.post(f"{base(campaign)}/items/2.1/accept/", {}, format="json").json()["status"] == "accepted"
    assert api.as_user(staff).post(f"{base(campaign)}/items/2.3/accept/", {}, format="json").status_code == 403


def test_responsibility_by_the_officer_only(world, officer, api):
    campaign, assessment, deps = world
    url = f"{base(campaign)}/criteria/3/responsible/"
    answer = api.as_user(officer).put(url, {"codes": ["SNV", "CTK", "CT"]}, format="json")
    assert answer.json() == {"code": "3", "lead": "SNV", "cooperating": ["CT", "CTK"]}
    assert api.as_user(officer).put(url, {"codes": ["NOPE"]}, format="json").status_code == 400
    assert api.as_user(member(deps["SNV"])).put(url, {"codes": ["SNV"]}, format="json").status_code == 403


def test_a_province_campaign_is_created_through_the_api(officer, api):
    province_agencies()
    answer = api.as_user(officer).post("/api/v1/campaigns/", {
        "year": 2025, "name": "Chỉ số CCHC tỉnh 2025", "agency_groups": ["province"], "kind": "province",
        "steps": [{"kind": "departments", "opens_at": "2026-01-05T08:00:00+07:00",
                   "closes_at": "2026-01-25T17:00:00+07:00"}]}, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["kind"] == "province" and answer.json()["steps"][0]["kind"] == "departments"
    refused = api.as_user(officer).post("/api/v1/campaigns/", {
        "year": 2025, "name": "x", "agency_groups": ["province"], "kind": "province",
        "steps": [{"kind": "self_assessment", "opens_at": "2026-01-05T08:00:00+07:00",
                   "closes_at": "2026-01-25T17:00:00+07:00"}]}, format="json")
    assert refused.status_code == 400
