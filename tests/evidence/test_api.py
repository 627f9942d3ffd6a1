"""API v1 of the evidence library: /api/v1/evidence/."""
import pytest
from django.urls import reverse

from evidence.models import Document

from . import files
from .conftest import scoring_item, stored_files

LIST = "/api/v1/evidence/"


def detail(document):
    return f"/api/v1/evidence/{document.pk}/"


def test_paths_match_the_url_names():
    assert reverse("api-evidence") == LIST
    assert reverse("api-evidence-detail", args=[7]) == "/api/v1/evidence/7/"


def test_members_upload_then_get_the_same_document_back(api, campaign, agency_a, staff_a, media):
    client = api.as_user(staff_a)
    data = {"campaign": campaign.pk, "agency": "SA", "number": "12/BC-STC", "issued_on": "2026-01-15",
            "issuer": "Sở Tài chính", "summary": "Báo cáo CCHC quý I"}
    response = client.post(LIST, {**data, "file": files.upload("Báo cáo.pdf", files.pdf())}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created"] is True and body["name"] == "Báo cáo.pdf" and body["agency_code"] == "SA"
    assert body["issued_on"] == "2026-01-15" and body["content_type"] == "application/pdf"
    assert body["download_url"] == reverse("evidence:download", args=[body["id"]])
    again = client.post(LIST, {**data, "file": files.upload("khac.pdf", files.pdf())}, format="multipart")
    assert again.status_code == 200 and again.json()["id"] == body["id"] and again.json()["created"] is False
    assert len(stored_files(media)) == 1


def test_a_refused_file_is_400_with_a_vietnamese_detail(api, campaign, staff_a, media):
    response = api.as_user(staff_a).post(LIST, {"campaign": campaign.pk, "agency": "SA",
                                                "file": files.upload("x.pdf", files.exe())}, format="multipart")
    assert response.status_code == 400
    assert "không thuộc các loại được nhận" in response.json()["detail"]
    assert response.json()["code"] == "type"
    assert stored_files(media) == [] and Document.objects.count() == 0


def test_outsiders_get_404_and_province_staff_403_on_upload(api, campaign, staff_b, officer, media):
    data = {"campaign": campaign.pk, "agency": "SA"}
    response = api.as_user(staff_b).post(LIST, {**data, "file": files.upload("a.pdf", files.pdf())},
                                         format="multipart")
    assert response.status_code == 404
    response = api.as_user(officer).post(LIST, {**data, "file": files.upload("a.pdf", files.pdf())},
                                         format="multipart")
    assert response.status_code == 403
    assert stored_files(media) == []


def test_lists_show_only_what_the_caller_may_see(api, campaign, upload_doc, staff_b, agency_b, officer):
    mine = upload_doc("a.pdf", files.pdf("a"), number="01/KH")
    theirs = upload_doc("b.pdf", files.pdf("b"), agency=agency_b, user=staff_b)
    assert [d["id"] for d in api.as_user(staff_b).get(LIST).json()] == [theirs.pk]
    everything = api.as_user(officer).get(LIST, {"campaign": campaign.pk}).json()
    assert {d["id"] for d in everything} == {mine.pk, theirs.pk}
    assert [d["id"] for d in api.as_user(officer).get(LIST, {"agency": "SA", "q": "01/KH"}).json()] == [mine.pk]
    assert api.as_user(staff_b).get(detail(mine)).status_code == 404
    assert api.as_user(officer).get(detail(mine)).json()["number"] == "01/KH"


def test_anonymous_callers_are_401(client, upload_doc):
    assert client.get(LIST).status_code in (401, 403)


def test_patch_and_delete(api, upload_doc, staff_a, staff_b, campaign, agency_a):
    document = upload_doc()
    client = api.as_user(staff_a)  # one client: as_user switches who it is
    response = client.patch(detail(document), {"number": "99/QĐ", "issued_on": "02/09/2025"}, format="json")
    assert response.status_code == 200 and response.json()["number"] == "99/QĐ"
    assert response.json()["issued_on"] == "2025-09-02"
    assert client.patch(detail(document), {"issued_on": "2999-01-01"}, format="json").status_code == 400
    assert api.as_user(staff_b).patch(detail(document), {"number": "x"}, format="json").status_code == 404
    item = scoring_item(campaign, agency_a)
    item.documents.add(document)
    response = api.as_user(staff_a).delete(detail(document))
    assert response.status_code == 409 and response.json()["usage"] == ["1 tiêu chí chấm"]
    item.documents.remove(document)
    assert api.as_user(staff_b).delete(detail(document)).status_code == 404
    assert api.as_user(staff_a).delete(detail(document)).status_code == 204
    assert not Document.objects.filter(pk=document.pk).exists()


@pytest.mark.parametrize("campaign_param", ["abc"])
def test_a_bad_campaign_filter_is_400(api, staff_a, campaign_param):
    assert api.as_user(staff_a).get(LIST, {"campaign": campaign_param}).status_code == 400


def test_the_schema_documents_the_evidence_api(api, officer):
    schema = api.as_user(officer).get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/evidence/" in schema["paths"] and "/api/v1/evidence/{id}/" in schema["paths"]
