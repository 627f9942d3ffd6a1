"""Issue 18, the parts the pages' scripts use: where one document's check stands (JSON and the
badge fragment), accepting a proposal from the upload widget (JSON), and the keyword excerpt
the appraisal page shows under each document."""
from datetime import date

from django.urls import reverse

from evidence import checks
from evidence.excerpts import attach_excerpts, best_excerpt, keywords, spellings
from evidence.models import Document, DocumentCheck
from evidence.search import plain

from . import files

PLAN = ("UBND TỈNH QUẢNG NAM\nSỞ NỘI VỤ\nSố: 12/KH-SNV\nTam Kỳ, ngày 15 tháng 01 năm 2026\nKẾ HOẠCH\n"
        "Cải cách hành chính năm 2026")
JSON = {"HTTP_ACCEPT": "application/json"}


def check_url(document, **query):
    url = reverse("evidence:check", args=[document.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# ---------------------------------------------------------------- where the check stands


def test_a_queued_check_answers_its_state_and_the_fragment_asks_to_be_polled(login, staff_a, upload_doc):
    document = upload_doc("cho.pdf", files.pdf())  # the job is sent on commit: not run here
    client = login(staff_a)
    data = client.get(check_url(document)).json()
    assert (data["id"], data["status"], data["progress"], data["active"]) == (document.pk, "queued", 0, True)
    assert data["state"] == "Đang kiểm tra tài liệu… 0%" and data["badges"] == [] and data["proposal"] is None
    DocumentCheck.objects.filter(document=document).update(status="running", progress=40)
    response = client.get(check_url(document, html=1))
    html = response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert "Đang kiểm tra tài liệu… 40%" in html
    assert f'data-check-poll="{reverse("evidence:check", args=[document.pk])}?html=1' in html


def test_a_finished_check_gives_badges_flag_and_proposal(login, staff_a, upload_checked):
    document = upload_checked("ke-hoach.docx", files.docx(PLAN), issued_on=date(2024, 11, 3))
    data = login(staff_a).get(check_url(document), **JSON).json()
    assert data["status"] == "done" and data["progress"] == 100 and data["active"] is False
    year = document.campaign.year
    assert data["flag"] == f"tài liệu ngày 03/11/2024 ngoài kỳ đánh giá {year}"
    assert {"css": "warn", "text": data["flag"]} in data["badges"]
    assert data["proposal"] == {"number": "12/KH-SNV", "issued_on": "15/01/2026", "issuer": "SỞ NỘI VỤ",
                                "title": "KẾ HOẠCH Cải cách hành chính năm 2026"}
    assert data["proposal_differs"] is True
    assert data["document"] == {"id": document.pk, "number": "", "issued_on": "03/11/2024", "issuer": "",
                                "summary": ""}
    assert data["accept_url"] == reverse("evidence:accept_proposal", args=[document.pk])


def test_a_pdf_without_signature_gets_the_same_badge_as_the_fragment(login, staff_a, upload_checked):
    document = upload_checked("tho.pdf", files.pdf())
    client = login(staff_a)
    data = client.get(check_url(document)).json()
    assert data["badges"] == [{"css": "info", "text": "Không có chữ ký số"}]
    html = client.get(check_url(document, html=1)).content.decode()
    assert '<span class="ev-badge ev-badge-info">Không có chữ ký số</span>' in html
    assert "data-check-poll" not in html  # done: nothing left to poll


def test_who_sees_the_document_sees_its_check_and_only_its_agency_may_accept(
        login, staff_a, leader_a, officer, appraiser, staff_b, client, upload_checked):
    document = upload_checked("ke-hoach.docx", files.docx(PLAN))
    assert "accept_url" in login(leader_a).get(check_url(document)).json()
    for user in (officer, appraiser):
        data = login(user).get(check_url(document)).json()
        assert data["proposal"]["number"] == "12/KH-SNV" and "accept_url" not in data
        html = login(user).get(check_url(document, html=1, proposal=1)).content.decode()
        assert "Dùng đề xuất" not in html  # the proposal's button is the agency's
    assert login(staff_b).get(check_url(document)).status_code == 404
    client.logout()
    assert client.get(check_url(document)).status_code == 302  # to the login page
    assert login(staff_a).get(reverse("evidence:check", args=[999999])).status_code == 404


def test_the_fragment_offers_the_proposal_and_returns_to_a_safe_page(login, staff_a, upload_checked, campaign,
                                                                     agency_a):
    document = upload_checked("ke-hoach.docx", files.docx(PLAN))
    client = login(staff_a)
    html = client.get(check_url(document, html=1, proposal=1, next="/scoring/")).content.decode()
    assert "Dùng đề xuất" in html and 'name="next" value="/scoring/"' in html
    html = client.get(check_url(document, html=1, proposal=1, next="https://evil.example/")).content.decode()
    library = reverse("evidence:library", args=[campaign.pk, agency_a.code])
    assert f'name="next" value="{library}"' in html and "evil" not in html


def test_the_upload_answer_names_the_check_to_poll(login, campaign, agency_a, staff_a):
    response = login(staff_a).post(reverse("evidence:upload", args=[campaign.pk, agency_a.code]),
                                   {"file": files.upload("a.pdf", files.pdf())}, **JSON)
    [answer] = response.json()["files"]
    assert answer["check_url"] == reverse("evidence:check", args=[answer["id"]])


# ---------------------------------------------------------------- accepting from the widget


def test_the_widget_accepts_a_proposal_as_json(login, staff_a, upload_checked):
    document = upload_checked("ke-hoach.docx", files.docx(PLAN), number="99/XX")
    response = login(staff_a).post(reverse("evidence:accept_proposal", args=[document.pk]), **JSON)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["document"]["number"] == "12/KH-SNV" and data["document"]["issued_on"] == "15/01/2026"
    assert data["detail"].startswith("Đã điền thông tin đề xuất") and data["check"]["proposal_differs"] is False
    document.refresh_from_db()
    assert (document.number, document.issuer) == ("12/KH-SNV", "SỞ NỘI VỤ")


def test_refusals_of_the_widgets_accept_are_json(login, staff_a, appraiser, upload_checked):
    document = upload_checked("ke-hoach.docx", files.docx(PLAN))
    response = login(appraiser).post(reverse("evidence:accept_proposal", args=[document.pk]), **JSON)
    assert response.status_code == 403 and "không có quyền" in response.json()["detail"]
    empty = upload_checked("trang.docx", files.docx("   "))
    response = login(staff_a).post(reverse("evidence:accept_proposal", args=[empty.pk]), **JSON)
    assert response.status_code == 400 and response.json()["detail"] == "Tài liệu chưa có thông tin đề xuất."
    document.refresh_from_db()
    assert document.number == ""


def test_check_data_of_a_failed_check_says_why():
    class Doc:
        pk, issued_on, number, issuer, summary = 7, None, "", "", ""

    analysis = DocumentCheck(status="failed", error="tệp hỏng")
    info = checks.CheckInfo(document=Doc(), analysis=analysis, signatures=[], badge=None, flag="",
                            trusted_checked=False)
    data = checks.check_data(info)
    assert data["state"] == "Không kiểm tra được tài liệu: tệp hỏng" and data["active"] is False
    assert checks.check_data(None)["status"] == ""


# ---------------------------------------------------------------- the excerpt


def test_keywords_drop_stopwords_and_diacritics():
    assert keywords("Tỷ lệ thủ tục hành chính được công bố, công khai đúng quy định") == [
        "thu", "tuc", "hanh", "chinh", "cong", "bo", "khai"]
    assert keywords("Của và các") == [] and keywords("") == []


def test_the_excerpt_picks_the_window_with_most_keywords_and_marks_whole_words():
    text = ("Mở đầu: công văn gửi các sở. " + "Nội dung khác không liên quan. " * 12
            + "Ủy ban đã công bố thủ tục hành chính mới trên cổng dịch vụ công. " + "Kết thúc văn bản. " * 12)
    html = best_excerpt(text, plain(text), keywords("Công bố thủ tục hành chính"))
    assert "<mark>công</mark> <mark>bố</mark> <mark>thủ</mark> <mark>tục</mark> <mark>hành</mark> <mark>chính</mark>" \
        in html
    assert "Mở đầu" not in html and html.startswith("… ") and html.endswith(" …")
    assert len(html.replace("<mark>", "").replace("</mark>", "")) <= 170
    assert best_excerpt("Ủy ban nhân dân", plain("Ủy ban nhân dân"), ["an"]) == ""  # not inside "ban"
    # lone hits before the match do not pull the line away from it: it is centred on the tightest run
    text = "công chức, công chức, công chức. " * 3 + "Sở đã công bố thủ tục hành chính mới" + " nội dung." * 20
    html = best_excerpt(text, plain(text), keywords("Công bố thủ tục hành chính"))
    assert html.startswith("… ") and "đã <mark>công</mark> <mark>bố</mark>" in html and "nội dung" in html


def test_a_word_with_other_diacritics_is_another_word_but_one_without_any_matches():
    title = "Công bố thủ tục hành chính"
    terms, forms = keywords(title), spellings(title)
    text = "Truy cập Cổng dịch vụ công quốc gia."  # "Cổng" (portal) is not "công"; the second "công" is
    html = best_excerpt(text, plain(text), terms, forms=forms)
    assert "<mark>Cổng</mark>" not in html and "vụ <mark>công</mark> quốc" in html
    text = "Da cong bo thu tuc hanh chinh"  # a text without diacritics (e.g. read by OCR) matches
    html = best_excerpt(text, plain(text), terms, forms=forms)
    assert "<mark>cong</mark> <mark>bo</mark> <mark>thu</mark>" in html
    assert best_excerpt("Cổng bổ", plain("Cổng bổ"), terms, forms=forms) == ""
    # without spellings every spelling counts, as the search does
    assert "<mark>Cổng</mark>" in best_excerpt("Cổng bổ", plain("Cổng bổ"), terms)


def test_the_excerpt_is_escaped_and_empty_without_a_match():
    text = "<script>alert(1)</script> báo cáo CCHC & kế hoạch"
    html = best_excerpt(text, plain(text), ["bao", "cao"])
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert "<mark>báo</mark> <mark>cáo</mark>" in html
    assert best_excerpt(text, plain(text), ["thanh", "tra"]) == ""


def test_excerpts_for_many_documents_take_one_query(upload_checked, django_assert_num_queries):
    docs = [upload_checked(f"{i}.docx", files.docx(f"Báo cáo số {i}: công khai thủ tục hành chính"))
            for i in range(5)]
    other = upload_checked("x.docx", files.docx("Biên bản họp"))
    docs = list(Document.objects.filter(pk__in=[d.pk for d in docs + [other]]).order_by("pk"))
    with django_assert_num_queries(1):
        attach_excerpts([(d, "Công khai thủ tục hành chính") for d in docs])
    assert all("<mark>công</mark> <mark>khai</mark>" in d.evidence_excerpt for d in docs[:5])
    assert docs[5].evidence_excerpt == ""
