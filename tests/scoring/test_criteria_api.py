"""API of criteria sets: the tree's shape, who may see it, validation and import for officers."""
import io
from pathlib import Path

import openpyxl
import pytest

from campaigns.models import Campaign
from scoring.models import Criterion
from scoring.services.criteria import criteria_set_lock
from tests.factories import AgencyFactory, CampaignFactory, MembershipFactory, UserFactory, group

from .factories import build_tree, criteria_set_with_tree

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "criteria_department.xlsx"


@pytest.fixture
def cs(campaign, agency_b):
    criteria_set = criteria_set_with_tree(campaign=campaign, group=group("department"))
    Criterion.objects.get(criteria_set=criteria_set, code="1.2").not_applicable_to.set([agency_b])
    return criteria_set


def url(campaign, group_code="department", action=""):
    return f"/api/v1/campaigns/{campaign.pk}/criteria/{action}" + (f"?group={group_code}" if group_code else "")


def test_tree_shape(api, cs, staff_a, campaign):
    r = api.as_user(staff_a).get(url(campaign))
    assert r.status_code == 200
    rows = r.json()
    assert [row["code"] for row in rows][:4] == ["1", "1.1", "1.1.1", "1.1.2"]
    first = rows[0]
    assert set(first) >= {"code", "title", "max_points", "rule", "rule_params", "evidence_required", "guidance",
                          "parent_code", "not_applicable_to"}
    assert first["max_points"] == "10.00" and first["parent_code"] is None and first["rule"] == "sum"
    by_code = {row["code"]: row for row in rows}
    assert by_code["1.1.1"]["rule_params"] == "Đúng hạn=1; Trễ hạn=0.5; Không ban hành=0"
    assert by_code["1.1.1"]["evidence_required"] is True and by_code["1.1.1"]["parent_code"] == "1.1"
    assert by_code["1.1.2"]["rule_params"] == ">90:2; 70-90:1; <70:0"
    assert by_code["1.2"]["not_applicable_to"] == ["SB"]
    assert by_code["2.1"]["max_points"] == "5.00"
    # the caller's own group is the default
    assert api.as_user(staff_a).get(url(campaign, None)).json() == rows


def test_tree_access(api, cs, campaign, staff_a, commune_staff, appraiser, officer):
    assert api.get(url(campaign)).status_code in (401, 403)
    outsider = AgencyFactory(code="SX")  # a department the campaign does not cover
    stranger = MembershipFactory(user=UserFactory(username="stranger"), agency=outsider).user
    assert api.as_user(stranger).get(url(campaign)).status_code == 404
    assert api.as_user(commune_staff).get(url(campaign)).status_code == 404  # another group's set
    assert api.as_user(appraiser).get(url(campaign)).status_code == 200
    assert api.as_user(officer).get(url(campaign)).status_code == 200
    assert api.as_user(officer).get(url(campaign, "commune")).status_code == 404  # no such set
    assert api.as_user(officer).get("/api/v1/campaigns/999999/criteria/?group=department").status_code == 404
    assert api.as_user(officer).get(url(campaign, None)).status_code == 400  # which group?
    assert api.as_user(stranger).get(url(campaign, None)).status_code == 404


def test_staff_of_a_covered_agency_sees_a_draft_campaigns_set(api, agency_a):
    draft = CampaignFactory(status=Campaign.Status.DRAFT)
    draft.groups.set([group("department")])
    draft.agencies.set([agency_a])
    criteria_set_with_tree(campaign=draft, group=group("department"))
    staff = MembershipFactory(user=UserFactory(username="draft_staff"), agency=agency_a).user
    assert api.as_user(staff).get(url(draft)).status_code == 200


def test_validate_for_officers(api, cs, campaign, officer, staff_a):
    assert api.as_user(staff_a).post(url(campaign, action="validate/")).status_code == 403
    r = api.as_user(officer).post(url(campaign, action="validate/"))
    assert r.status_code == 200 and r.json()["ok"] is True and r.json()["max_points"] == "20.00"
    build_tree(cs, [("3", "4"), ("3.1", "1", "levels", "Có=2; Không=0")])
    body = api.as_user(officer).get(url(campaign, action="validate/")).json()
    assert body["ok"] is False
    assert {p["code"] for p in body["problems"]} == {"3", "3.1"}


def _upload(client, campaign, content, **fields):
    data = {"file": io.BytesIO(content), "group": "department", **fields}
    data["file"].name = "tieu-chi.xlsx"
    return client.post(f"/api/v1/campaigns/{campaign.pk}/criteria/import/", data, format="multipart")


def test_import_for_officers_only(api, campaign, officer, staff_a, leader_a, appraiser):
    content = SAMPLE.read_bytes()
    for user in (staff_a, leader_a, appraiser):
        assert _upload(api.as_user(user), campaign, content).status_code == 403
    r = _upload(api.as_user(officer), campaign, content, dry_run="true")
    assert r.status_code == 200 and r.json()["ok"] and r.json()["dry_run"] and r.json()["created"] == 44
    assert not Criterion.objects.exists()
    r = _upload(api.as_user(officer), campaign, content)
    assert r.status_code == 200 and r.json()["created"] == 44 and r.json()["criteria_set_id"]
    assert Criterion.objects.count() == 44


def test_import_errors_as_json(api, campaign, officer):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["code", "title", "max_points", "rule", "rule_params"])
    ws.append(["1", "Lĩnh vực", "10", "sum", ""])
    ws.append(["1.1", "", "abc", "bands", ">90:2"])
    buf = io.BytesIO()
    wb.save(buf)
    r = _upload(api.as_user(officer), campaign, buf.getvalue(), dry_run="true")
    assert r.status_code == 400
    body = r.json()
    assert body["detail"].startswith("Tệp có")
    assert {(e["row"], e["column"]) for e in body["errors"]} >= {(3, "title"), (3, "max_points")}
    assert all(set(e) == {"row", "column", "message"} for e in body["errors"])
    assert not Criterion.objects.exists()


def test_import_into_locked_set_needs_a_reason(api, cs, campaign, officer):
    criteria_set_lock(criteria_set=cs)
    content = api.as_user(officer).get(url(campaign, action="export/")).content
    r = _upload(api.as_user(officer), campaign, content)
    assert r.status_code == 409 and "khóa" in r.json()["detail"]
    r = _upload(api.as_user(officer), campaign, content, reason="Rà soát lại")
    assert r.status_code == 200 and r.json()["unchanged"] == Criterion.objects.filter(criteria_set=cs).count()


def test_export(api, cs, campaign, staff_a, staff_b, commune_staff):
    r = api.as_user(staff_a).get(url(campaign, action="export/"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert api.as_user(commune_staff).get(url(campaign, action="export/")).status_code == 404
