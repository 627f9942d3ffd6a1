from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Extension


@pytest.mark.django_db
def test_token_auth_and_me(api, staff_a):
    r = api.post("/api/v1/auth/token/", {"username": "staff_a", "password": "Pass-1234"}, format="json")
    assert r.status_code == 200 and r.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == "staff_a" and me["roles"] == ["staff"]
    assert me["agencies"] == [{"code": "SA", "name": "Sở Tài chính", "group": "department", "role": "staff"}]


@pytest.mark.django_db
def test_anonymous_gets_401(api):
    assert api.get("/api/v1/me/").status_code == 401
    assert api.get("/api/v1/campaigns/").status_code == 401


@pytest.mark.django_db
def test_agencies_visible_to_caller(api, staff_a, officer, agency_b, commune):
    codes = {a["code"] for a in api.as_user(staff_a).get("/api/v1/agencies/").json()}
    assert codes == {"SA"}
    codes = {a["code"] for a in api.as_user(officer).get("/api/v1/agencies/").json()}
    assert {"SA", "SB", "XA"} <= codes


@pytest.mark.django_db
def test_campaign_isolation_between_agencies(api, campaign, staff_a, login):
    from tests.factories import AgencyFactory, CampaignFactory, MembershipFactory, UserFactory

    other_agency = AgencyFactory(code="SZ")
    other = CampaignFactory()
    other.agencies.set([other_agency])
    outsider = MembershipFactory(user=UserFactory(username="outsider"), agency=other_agency).user
    assert api.as_user(staff_a).get(f"/api/v1/campaigns/{other.pk}/").status_code == 404
    assert api.as_user(outsider).get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 404
    assert [c["id"] for c in api.as_user(staff_a).get("/api/v1/campaigns/").json()] == [campaign.pk]
    client = login(staff_a)
    assert client.get(f"/campaigns/{other.pk}/").status_code == 404
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 200


@pytest.mark.django_db
def test_draft_campaign_plan_visible_to_covered_agencies_only(api, campaign, staff_a, officer):
    from tests.factories import AgencyFactory, MembershipFactory, UserFactory

    Campaign.objects.filter(pk=campaign.pk).update(status="draft")
    outsider = MembershipFactory(user=UserFactory(username="outsider"), agency=AgencyFactory(code="SZ")).user
    assert api.as_user(staff_a).get(f"/api/v1/campaigns/{campaign.pk}/").json()["status"] == "draft"
    assert api.as_user(outsider).get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 404
    assert api.as_user(officer).get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 200


@pytest.mark.django_db
def test_officer_creates_campaign_staff_refused(api, officer, staff_a, agency_a, agency_b):
    now = timezone.now()
    body = {"year": 2027, "name": "Chỉ số CCHC 2027", "agency_groups": ["department"],
            "steps": [{"kind": "self_assessment", "opens_at": now.isoformat(),
                       "closes_at": (now + timedelta(days=10)).isoformat()}]}
    assert api.as_user(staff_a).post("/api/v1/campaigns/", body, format="json").status_code == 403
    r = api.as_user(officer).post("/api/v1/campaigns/", body, format="json")
    assert r.status_code == 201, r.json()
    data = r.json()
    assert data["agency_groups"] == ["department"] and data["status"] == "draft"
    assert data["steps"][0]["kind"] == "self_assessment"
    c = Campaign.objects.get(pk=data["id"])
    assert set(c.agencies.values_list("code", flat=True)) == {"SA", "SB"}


@pytest.mark.django_db
def test_campaign_create_validation_errors(api, officer):
    now = timezone.now()
    r = api.as_user(officer).post("/api/v1/campaigns/", {"year": 2027, "name": "X", "agency_groups": ["nope"]},
                                  format="json")
    assert r.status_code == 400 and "agency_groups" in r.json()["errors"]
    r = api.as_user(officer).post("/api/v1/campaigns/", {
        "year": 2027, "name": "X", "agency_groups": ["department"],
        "steps": [{"kind": "survey", "opens_at": now.isoformat(), "closes_at": now.isoformat()}]}, format="json")
    assert r.status_code == 400 and "sau" in r.json()["detail"]
    assert not Campaign.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_detail_has_callers_effective_deadlines(api, campaign, staff_a, staff_b, officer, agency_a):
    step = campaign.steps.get(kind="self_assessment")
    later = step.closes_at + timedelta(days=2)
    r = api.as_user(officer).post(f"/api/v1/campaigns/{campaign.pk}/extensions/", {
        "agency_code": "SA", "step_kind": "self_assessment", "closes_at": later.isoformat(), "reason": "Lũ"},
        format="json")
    assert r.status_code == 201 and r.json()["granted_by"] == "officer"
    mine = api.as_user(staff_a).get(f"/api/v1/campaigns/{campaign.pk}/").json()
    assert mine["steps"][0]["extended"] is True
    assert mine["my_deadlines"][0]["agency_code"] == "SA" and mine["my_deadlines"][0]["extended"] is True
    theirs = api.as_user(staff_b).get(f"/api/v1/campaigns/{campaign.pk}/").json()
    assert theirs["steps"][0]["extended"] is False
    assert api.as_user(staff_a).post(f"/api/v1/campaigns/{campaign.pk}/extensions/", {
        "agency_code": "SA", "step_kind": "self_assessment", "closes_at": later.isoformat(), "reason": "x"},
        format="json").status_code == 403
    assert Extension.objects.count() == 1


@pytest.mark.django_db
def test_patch_step(api, campaign, officer, staff_a):
    now = timezone.now()
    body = {"opens_at": (now - timedelta(days=1)).isoformat(), "closes_at": (now + timedelta(days=9)).isoformat()}
    url = f"/api/v1/campaigns/{campaign.pk}/steps/self_assessment/"
    assert api.as_user(staff_a).patch(url, body, format="json").status_code == 403
    r = api.as_user(officer).patch(url, body, format="json")
    assert r.status_code == 200
    assert abs(campaign.steps.get(kind="self_assessment").closes_at - (now + timedelta(days=9))) < timedelta(seconds=1)
    bad = api.as_user(officer).patch(url, {"opens_at": body["closes_at"], "closes_at": body["opens_at"]},
                                     format="json")
    assert bad.status_code == 400
    assert api.as_user(officer).patch(f"/api/v1/campaigns/{campaign.pk}/steps/nope/", body,
                                      format="json").status_code == 404


@pytest.mark.django_db
def test_schema_and_docs_served_locally(client):
    r = client.get("/api/schema/")
    assert r.status_code == 200 and b"/api/v1/campaigns/" in r.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger" in docs.lower() and "cdn" not in docs.lower()


@pytest.mark.django_db
def test_pages_render_for_each_role(login, campaign, officer, appraiser, staff_a, leader_a, admin_user):
    for user in (officer, appraiser, staff_a, leader_a, admin_user):
        client = login(user)
        for url in ("/", "/campaigns/", f"/campaigns/{campaign.pk}/"):
            assert client.get(url).status_code == 200, (user, url)
    client = login(staff_a)
    for url in (f"/campaigns/{campaign.pk}/plan/", f"/campaigns/{campaign.pk}/extensions/new/", "/campaigns/new/"):
        assert client.get(url).status_code == 403
    client = login(officer)
    for url in (f"/campaigns/{campaign.pk}/plan/", f"/campaigns/{campaign.pk}/extensions/new/", "/campaigns/new/",
                f"/campaigns/{campaign.pk}/copy/"):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_anonymous_redirected_to_login(client, campaign):
    r = client.get(f"/campaigns/{campaign.pk}/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.django_db
def test_home_shows_open_step_with_countdown_for_agency_staff(login, campaign, staff_a):
    html = login(staff_a).get("/").content.decode()
    assert "Tự đánh giá, chấm điểm" in html and "data-deadline" in html


@pytest.mark.django_db
def test_officer_edits_plan_and_grants_extension_through_pages(login, campaign, officer, agency_a):
    client = login(officer)
    step = campaign.steps.get(kind="self_assessment")
    r = client.post(f"/campaigns/{campaign.pk}/extensions/new/", {
        "agency": agency_a.pk, "step_kind": "self_assessment", "reason": "Sự cố mạng",
        "closes_at": (step.closes_at + timedelta(days=2)).astimezone().strftime("%Y-%m-%dT%H:%M")})
    assert r.status_code == 302
    assert Extension.objects.get().reason == "Sự cố mạng"
    data = {"form-TOTAL_FORMS": "9", "form-INITIAL_FORMS": "9"}
    kinds = ["criteria", "training", "self_assessment", "respondent_lists", "survey", "appraisal", "explanation",
             "appraisal_2", "publication"]
    for i, kind in enumerate(kinds):
        data[f"form-{i}-kind"] = kind
    data.update({"form-2-enabled": "on", "form-2-opens_at": "01/11/2026 08:00", "form-2-closes_at": "2026-11-30T17:00",
                 "form-4-enabled": "on", "form-4-opens_at": "2026-11-20T08:00", "form-4-closes_at": ""})
    r = client.post(f"/campaigns/{campaign.pk}/plan/", data)
    assert r.status_code == 200 and "Nhập thời điểm kết thúc" in r.content.decode()
    data["form-4-closes_at"] = "2026-12-05T17:00"
    r = client.post(f"/campaigns/{campaign.pk}/plan/", data)
    assert r.status_code == 302
    sa = campaign.steps.get(kind="self_assessment")
    assert sa.opens_at.astimezone().day == 1 and sa.opens_at.astimezone().month == 11  # 01/11 is 1 November
    assert campaign.steps.filter(kind="survey").exists()
