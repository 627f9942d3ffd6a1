"""The library page, the widget's upload endpoint (JSON and no-JS), edit and delete pages,
and the file itself: only for allowed users, as an attachment with nosniff."""
from urllib.parse import quote

import pytest
from django.urls import reverse

from evidence.models import Document

from . import files
from .conftest import scoring_item, stored_files


def library(campaign, agency):
    return reverse("evidence:library", args=[campaign.pk, agency.code])


def upload_url(campaign, agency):
    return reverse("evidence:upload", args=[campaign.pk, agency.code])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# ---------------------------------------------------------------- library


def test_the_library_lists_the_agencys_documents_with_the_widget(login, campaign, agency_a, staff_a, upload_doc):
    upload_doc("Kế hoạch CCHC.pdf", files.pdf(), number="125/KH-UBND", summary="Kế hoạch cải cách hành chính")
    response = login(staff_a).get(library(campaign, agency_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kế hoạch CCHC.pdf" in html and "125/KH-UBND" in html
    assert "data-evidence-upload" in html
    assert 'type="file" name="file" multiple' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'for="ev-issued_on"' in html and 'placeholder="dd/mm/yyyy"' in html
    assert "js/evidence.js" in html


@pytest.mark.parametrize("who", ["staff_b", "commune_staff"])
def test_outsiders_get_404_on_the_library(who, request, login, campaign, agency_a, upload_doc):
    upload_doc()
    user = request.getfixturevalue(who)
    assert login(user).get(library(campaign, agency_a)).status_code == 404
    assert login(user).post(upload_url(campaign, agency_a),
                            {"file": files.upload("a.pdf", files.pdf("x"))}).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, campaign, agency_a):
    response = client.get(library(campaign, agency_a))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_province_staff_read_the_library_without_the_widget(login, campaign, agency_a, officer, appraiser,
                                                            upload_doc):
    upload_doc("bao-cao.pdf")
    for user in (officer, appraiser):
        response = login(user).get(library(campaign, agency_a))
        assert response.status_code == 200
        assert "bao-cao.pdf" in response.content.decode()
        assert "data-evidence-upload" not in response.content.decode()


def test_an_agency_outside_the_campaign_is_404(login, campaign, agency_a, staff_a, officer):
    campaign.agencies.remove(agency_a)
    assert login(staff_a).get(library(campaign, agency_a)).status_code == 404
    assert login(officer).get(library(campaign, agency_a)).status_code == 404


def test_the_library_searches_and_pages(login, campaign, agency_a, staff_a, upload_doc):
    for n in range(23):
        upload_doc(f"tai-lieu-{n}.pdf", files.pdf(f"tai lieu {n}"), number=f"{n}/BC-STC",
                   summary="Báo cáo quý" if n % 2 else "Kế hoạch năm")
    client = login(staff_a)
    first = client.get(library(campaign, agency_a)).content.decode()
    assert first.count('data-document="') == 20 and "Trang 1/2" in first
    second = client.get(library(campaign, agency_a), {"page": 2}).content.decode()
    assert second.count('data-document="') == 3
    found = client.get(library(campaign, agency_a), {"q": "7/BC"}).content.decode()
    assert found.count('data-document="') == 2  # 7/BC-STC and 17/BC-STC
    assert client.get(library(campaign, agency_a), {"q": "kế hoạch"}).content.decode().count('data-document="') == 12
    assert "Không có tài liệu nào khớp" in client.get(library(campaign, agency_a), {"q": "không có"}).content.decode()


def test_the_library_shows_how_many_items_a_document_supports(login, campaign, agency_a, staff_a, upload_doc):
    used, free = upload_doc("dung.pdf", files.pdf("dung")), upload_doc("chua-dung.pdf", files.pdf("chua"))
    scoring_item(campaign, agency_a).documents.add(used)
    html = login(staff_a).get(library(campaign, agency_a)).content.decode()
    assert "1 tiêu chí" in html and "0 tiêu chí" in html
    assert reverse("evidence:delete", args=[free.pk]) in html
    assert reverse("evidence:delete", args=[used.pk]) not in html


def test_the_library_query_count_does_not_grow(login, campaign, agency_a, staff_a, upload_doc,
                                               django_assert_max_num_queries):
    client = login(staff_a)
    upload_doc("a.pdf", files.pdf("a"))
    # 13 + the checks: their rows, their signatures, the campaign's assessed period
    with django_assert_max_num_queries(16):
        client.get(library(campaign, agency_a))
    for n in range(15):
        upload_doc(f"b{n}.pdf", files.pdf(f"b{n}"))
    with django_assert_max_num_queries(16):
        response = client.get(library(campaign, agency_a))
    assert response.content.decode().count('data-document="') == 16


def test_the_library_reads_the_documents_text_only_for_a_search(login, campaign, agency_a, staff_a, upload_doc,
                                                                 django_assert_max_num_queries):
    for n in range(3):
        upload_doc(f"k{n}.pdf", files.pdf(f"ke hoach {n}"), summary="Kế hoạch năm")
    client = login(staff_a)
    listed = client.get(library(campaign, agency_a)).context["page"].object_list
    assert all({"text", "text_vector"} <= d.get_deferred_fields() for d in listed)
    with django_assert_max_num_queries(16):  # the excerpts need no query per document
        found = client.get(library(campaign, agency_a), {"q": "kế hoạch"}).context["page"].object_list
    assert len(found) == 3
    assert all("text" not in d.get_deferred_fields() and "text_vector" in d.get_deferred_fields() for d in found)


def test_the_empty_library_says_so(login, campaign, agency_a, staff_a):
    assert "chưa tải lên tài liệu kiểm chứng nào" in login(staff_a).get(library(campaign, agency_a)).content.decode()


def test_the_campaign_page_links_to_the_library(login, campaign, agency_a, staff_a, officer):
    url = library(campaign, agency_a)
    assert url in login(staff_a).get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert url not in login(officer).get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()


# ---------------------------------------------------------------- the upload endpoint


def post_json(client, url, data):
    return client.post(url, data, HTTP_ACCEPT="application/json", HTTP_X_REQUESTED_WITH="XMLHttpRequest")


def test_the_widget_endpoint_answers_per_file(login, campaign, agency_a, staff_a, media):
    client = login(staff_a)
    response = post_json(client, upload_url(campaign, agency_a), {
        "file": [files.upload("Báo cáo.pdf", files.pdf()), files.upload("virus.pdf", files.exe())],
        "number": "12/BC-STC", "issued_on": "15/01/2026", "issuer": "Sở Tài chính", "summary": "Báo cáo",
        "items": ["1.1.1", "1.1.2"],
    })
    assert response.status_code == 200
    good, bad = response.json()["files"]
    document = Document.objects.get()
    assert good == {"id": document.pk, "name": "Báo cáo.pdf", "size": document.size, "created": True, "error": None,
                    "number": "12/BC-STC", "summary": "Báo cáo",
                    "download_url": reverse("evidence:download", args=[document.pk]),
                    "preview_url": reverse("evidence:preview", args=[document.pk]),
                    "check_url": reverse("evidence:check", args=[document.pk])}
    assert str(document.issued_on) == "2026-01-15"
    assert bad["id"] is None and bad["created"] is False and "EXE" in bad["error"]
    again = post_json(client, upload_url(campaign, agency_a), {"file": files.upload("lai.pdf", files.pdf()),
                                                               "issued_on": "2026-01-15"})
    assert again.status_code == 200 and again.json()["files"][0]["created"] is False
    assert len(stored_files(media)) == 1


def test_the_widget_endpoint_refuses_with_400_and_stores_nothing(login, campaign, agency_a, staff_a, media):
    client = login(staff_a)
    response = post_json(client, upload_url(campaign, agency_a), {"file": files.upload("x.pdf", files.html_as_pdf())})
    assert response.status_code == 400
    assert "không thuộc các loại được nhận" in response.json()["files"][0]["error"]
    response = post_json(client, upload_url(campaign, agency_a), {"file": files.upload("x.pdf", files.pdf()),
                                                                  "issued_on": "31/02/2026"})
    assert response.status_code == 400
    assert response.json()["errors"]["issued_on"] == ["Ngày ban hành phải có dạng dd/mm/yyyy."]
    response = post_json(client, upload_url(campaign, agency_a), {"number": "1"})
    assert response.status_code == 400 and response.json()["detail"] == "Hãy chọn ít nhất một tệp."
    assert stored_files(media) == [] and Document.objects.count() == 0


def test_province_staff_cannot_upload(login, campaign, agency_a, officer, media):
    response = post_json(login(officer), upload_url(campaign, agency_a), {"file": files.upload("a.pdf", files.pdf())})
    assert response.status_code == 403
    assert stored_files(media) == []


def test_the_widgets_refusals_carry_the_one_error_body(login, campaign, agency_a, staff_a, officer, media):
    """cchc_portal.core.views.error_json: detail, errors, deadline, and the files tried."""
    refused = post_json(login(officer), upload_url(campaign, agency_a), {"file": files.upload("a.pdf", files.pdf())})
    assert refused.json() == {"detail": "Bạn không có quyền tải tài liệu lên cho đơn vị này.", "errors": {},
                              "deadline": False, "files": []}
    empty = post_json(login(staff_a), upload_url(campaign, agency_a), {"number": "1"})
    assert empty.status_code == 400 and empty.json() == {
        "detail": "Hãy chọn ít nhất một tệp.", "errors": {"file": ["Hãy chọn ít nhất một tệp."]},
        "deadline": False, "files": []}


def test_without_javascript_one_form_uploads_several_files(login, campaign, agency_a, staff_a, media):
    client = login(staff_a)
    response = client.post(upload_url(campaign, agency_a), {
        "file": [files.upload("ke-hoach.docx", files.docx()), files.upload("so-lieu.xlsx", files.xlsx()),
                 files.upload("anh.png", files.png())],
        "number": "", "issued_on": "", "issuer": "", "summary": "Minh chứng tiêu chí 1.1",
        "next": library(campaign, agency_a),
    }, follow=True)
    assert response.redirect_chain[-1][0] == library(campaign, agency_a)
    assert sorted(Document.objects.values_list("original_name", flat=True)) == ["anh.png", "ke-hoach.docx",
                                                                                "so-lieu.xlsx"]
    assert set(Document.objects.values_list("summary", flat=True)) == {"Minh chứng tiêu chí 1.1"}
    html = response.content.decode()
    assert "Đã tải lên “ke-hoach.docx”" in html and html.count('data-document="') == 3
    assert len(stored_files(media)) == 3


def test_without_javascript_refusals_come_back_as_messages(login, campaign, agency_a, staff_a, media):
    response = login(staff_a).post(upload_url(campaign, agency_a), {
        "file": [files.upload("../../x.pdf", files.exe())], "next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain[-1][0] == library(campaign, agency_a)  # a foreign `next` is ignored
    assert "Tệp “x.pdf” không thuộc các loại được nhận" in response.content.decode()
    assert stored_files(media) == []


# ---------------------------------------------------------------- the file


def test_members_and_province_staff_download_as_an_attachment(login, upload_doc, staff_a, leader_a, officer,
                                                              appraiser):
    content = files.pdf()
    document = upload_doc("Báo cáo tự đánh giá.pdf", content)
    for user in (staff_a, leader_a, officer, appraiser):
        response = login(user).get(reverse("evidence:download", args=[document.pk]))
        assert response.status_code == 200
        assert body(response) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="Bao cao tu danh gia.pdf"' in disposition
    assert f"filename*=UTF-8''{quote('Báo cáo tự đánh giá.pdf', safe='')}" in disposition
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["staff_b", "commune_staff"])
def test_outsiders_get_404_on_the_file(who, request, login, upload_doc):
    document = upload_doc()
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("evidence:download", args=[document.pk])).status_code == 404
    assert client.get(reverse("evidence:preview", args=[document.pk])).status_code == 404


def test_anonymous_visitors_get_no_file(client, upload_doc):
    document = upload_doc()
    assert client.get(reverse("evidence:download", args=[document.pk])).status_code == 302


def test_pdfs_and_images_preview_inline_under_a_strict_policy(login, upload_doc, staff_a, officer):
    pdf, image = upload_doc("bao-cao.pdf", files.pdf()), upload_doc("anh.png", files.png())
    response = login(officer).get(reverse("evidence:preview", args=[pdf.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    # the PDF runs in a sandbox of its own: no PDF JavaScript in the portal's origin
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in directives
    assert not any("allow-scripts" in d or "allow-same-origin" in d for d in directives)
    response = login(staff_a).get(reverse("evidence:preview", args=[image.pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"].endswith("sandbox")
    assert body(response) == files.png()


def test_office_files_are_not_previewed(login, upload_doc, staff_a):
    document = upload_doc("ke-hoach.docx", files.docx())
    assert login(staff_a).get(reverse("evidence:preview", args=[document.pk])).status_code == 404
    assert login(staff_a).get(reverse("evidence:download", args=[document.pk])).status_code == 200


def test_a_missing_file_is_404(login, upload_doc, staff_a):
    document = upload_doc()
    document.file.storage.delete(document.file.name)
    assert login(staff_a).get(reverse("evidence:download", args=[document.pk])).status_code == 404


# ---------------------------------------------------------------- edit and delete


def test_members_edit_metadata(login, upload_doc, staff_a, campaign, agency_a):
    document = upload_doc()
    url = reverse("evidence:edit", args=[document.pk])
    client = login(staff_a)
    assert client.get(url).status_code == 200
    response = client.post(url, {"number": "99/QĐ-UBND", "issued_on": "02/09/2025", "issuer": "UBND tỉnh",
                                 "summary": "Quyết định công bố TTHC"})
    assert response.status_code == 302 and response["Location"] == library(campaign, agency_a)
    document.refresh_from_db()
    assert (document.number, str(document.issued_on)) == ("99/QĐ-UBND", "2025-09-02")
    response = client.post(url, {"issued_on": "01/01/2999"})
    assert response.status_code == 200 and "không được sau ngày hôm nay" in response.content.decode()


def test_others_cannot_edit_or_delete(login, upload_doc, staff_b, officer):
    document = upload_doc()
    for name in ("evidence:edit", "evidence:delete"):
        url = reverse(name, args=[document.pk])
        assert login(staff_b).get(url).status_code == 404
        assert login(staff_b).post(url, {"number": "x"}).status_code == 404
        assert login(officer).get(url).status_code == 403
        assert login(officer).post(url, {"number": "x"}).status_code == 403
    assert Document.objects.filter(pk=document.pk, number="").exists()


def test_members_delete_a_free_document_after_confirming(login, upload_doc, staff_a, media):
    document = upload_doc()
    url = reverse("evidence:delete", args=[document.pk])
    client = login(staff_a)
    assert "Bạn có chắc chắn" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "Đã xóa tài liệu" in response.content.decode()
    assert not Document.objects.filter(pk=document.pk).exists()


def test_a_linked_document_is_not_deleted(login, upload_doc, staff_a, campaign, agency_a):
    document = upload_doc()
    scoring_item(campaign, agency_a).documents.add(document)
    client = login(staff_a)
    assert "hãy gỡ liên kết trước khi xóa" in client.get(reverse("evidence:delete", args=[document.pk])
                                                         ).content.decode()
    response = client.post(reverse("evidence:delete", args=[document.pk]), follow=True)
    assert "đang được dùng làm minh chứng" in response.content.decode()
    assert Document.objects.filter(pk=document.pk).exists()


def test_the_admin_is_read_only(login, upload_doc, admin_user):
    document = upload_doc()
    client = login(admin_user)
    assert client.get(reverse("admin:evidence_document_changelist")).status_code == 200
    page = client.get(reverse("admin:evidence_document_change", args=[document.pk]))
    assert page.status_code == 200 and reverse("evidence:download", args=[document.pk]) in page.content.decode()
    assert client.get(reverse("admin:evidence_document_add")).status_code == 403


def test_large_uploads_spooled_to_disk_are_checked_too(login, campaign, agency_a, staff_a, media):
    import io
    import os
    import zipfile

    out = io.BytesIO(files.docx())
    with zipfile.ZipFile(out, "a") as z:
        z.writestr("word/media/image1.bin", os.urandom(6 * 1024 * 1024))  # beyond the 5 MB kept in memory
    big_pdf = files.pdf() + b"%" + os.urandom(6 * 1024 * 1024).replace(b"%%EOF", b"xxxxx") + b"\n%%EOF\n"
    response = post_json(login(staff_a), upload_url(campaign, agency_a), {
        "file": [files.upload("ho-so.docx", out.getvalue()), files.upload("scan.pdf", big_pdf)]})
    assert response.status_code == 200, response.json()
    assert [f["error"] for f in response.json()["files"]] == [None, None]
    assert sorted(Document.objects.values_list("content_type", flat=True)) == [
        "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    assert len(stored_files(media)) == 2
