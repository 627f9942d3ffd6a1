"""API v1: results, publish, publications: who may see what, before and after publication."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from reports.models import Publication
from scoring.models import Assessment

from .builders import golden_campaign, set_appraised


@pytest.fixture
def golden(campaign, agency_a, agency_b):
    return golden_campaign(campaign, agency_a, agency_b)


def results_url(campaign):
    return reverse("api-campaign-results", args=[campaign.pk])


def test_officer_gets_live_results_with_points_as_strings(api, officer, campaign, golden):
    r = api.as_user(officer).get(results_url(campaign))
    assert r.status_code == 200
    rows = {row["agency_code"]: row for row in r.json()}
    sa = rows["SA"]
    assert {k: sa[k] for k in ("group", "total", "max_points", "index", "grade", "rank")} == {
        "group": "department", "total": "14.47", "max_points": "20.00", "index": "72.35", "grade": "Khá", "rank": 2}
    assert sa["fields"][0] == {"code": "1", "title": "Công tác chỉ đạo, điều hành CCHC", "points": "3.75",
                               "max_points": "6.00", "applicable": True, "kind": "base"}
    assert rows["SB"]["fields"][1]["max_points"] == "4.00" and rows["SB"]["status"] == "final"


@pytest.mark.parametrize("who,status", [("staff_a", 403), ("appraiser", 403), ("staff_b", 403)])
def test_before_publication_only_officers(request, api, campaign, golden, who, status):
    user = request.getfixturevalue(who)
    assert api.as_user(user).get(results_url(campaign)).status_code == status
    assert api.as_user(user).get(reverse("api-campaign-publications", args=[campaign.pk])).status_code == status


def test_anonymous_gets_404_before_and_200_after_publication(api, officer, campaign, golden):
    anonymous = APIClient()
    assert anonymous.get(results_url(campaign)).status_code == 404
    assert anonymous.get(reverse("api-campaign-publications", args=[campaign.pk])).status_code == 404
    r = api.as_user(officer).post(reverse("api-campaign-publish", args=[campaign.pk]),
                                  {"decision_number": "77/QĐ-UBND", "note": ""}, format="json")
    assert r.status_code == 201
    assert (r.json()["number"], r.json()["decision_number"], r.json()["agency_count"]) == (1, "77/QĐ-UBND", 2)
    r = anonymous.get(results_url(campaign))
    assert r.status_code == 200
    assert [(row["agency_code"], row["rank"], row["index"]) for row in r.json()] == [
        ("SB", 1, "77.78"), ("SA", 2, "72.35")]
    r = anonymous.get(reverse("api-campaign-publications", args=[campaign.pk]))
    assert r.status_code == 200 and r.json()[0]["number"] == 1 and r.json()[0]["published_by"] is None


def test_published_results_serve_the_snapshot_not_later_edits(api, officer, staff_a, campaign, golden):
    _cset, a, _b = golden
    api.as_user(officer).post(reverse("api-campaign-publish", args=[campaign.pk]),
                              {"decision_number": "1/QĐ-UBND"}, format="json")
    set_appraised(a, "1.1", "0")
    r = api.as_user(staff_a).get(results_url(campaign))
    assert next(row for row in r.json() if row["agency_code"] == "SA")["total"] == "14.47"
    live = api.as_user(officer).get(results_url(campaign), {"live": "1"}).json()
    assert next(row for row in live if row["agency_code"] == "SA")["total"] == "12.72"
    # a non-officer cannot ask for live figures: the snapshot again
    again = api.as_user(staff_a).get(results_url(campaign), {"live": "1"}).json()
    assert next(row for row in again if row["agency_code"] == "SA")["total"] == "14.47"


def test_publish_refusals_and_conflicts(api, officer, staff_a, campaign, golden):
    _cset, a, _b = golden
    url = reverse("api-campaign-publish", args=[campaign.pk])
    assert APIClient().post(url, {"decision_number": "1"}, format="json").status_code == 401
    assert api.as_user(staff_a).post(url, {"decision_number": "1"}, format="json").status_code == 403
    r = api.as_user(officer).post(url, {"note": "x"}, format="json")
    assert r.status_code == 400 and "decision_number" in r.json()["errors"]
    Assessment.objects.filter(pk=a.pk).update(status=Assessment.Status.APPRAISED)
    r = api.as_user(officer).post(url, {"decision_number": "1/QĐ-UBND"}, format="json")
    assert r.status_code == 409 and "chưa chốt điểm" in r.json()["detail"]
    assert not Publication.objects.exists()
    assert api.as_user(officer).post(reverse("api-campaign-publish", args=[98765]),
                                     {"decision_number": "1"}, format="json").status_code == 404


def test_correction_through_the_api(api, officer, campaign, golden):
    url = reverse("api-campaign-publish", args=[campaign.pk])
    client = api.as_user(officer)
    assert client.post(url, {"decision_number": "1/QĐ-UBND"}, format="json").status_code == 201
    r = client.post(url, {"decision_number": "2/QĐ-UBND"}, format="json")
    assert r.status_code == 400 and "note" in r.json()["errors"]
    r = client.post(url, {"decision_number": "2/QĐ-UBND", "note": "Đính chính"}, format="json")
    assert r.status_code == 201 and r.json()["number"] == 2
    listed = client.get(reverse("api-campaign-publications", args=[campaign.pk])).json()
    assert [(p["number"], p["published_by"]) for p in listed] == [(2, officer.display_name), (1, officer.display_name)]
