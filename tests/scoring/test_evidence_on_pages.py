"""Issue 18 on the scoring pages: the self-assessment page shows each linked document's badges
and its out-of-period flag (drawn by the server at load and by the script from the items'
JSON), and the appraisal page shows one line of each document's text around the criterion's
keywords. Query counts do not grow with the documents."""
from datetime import date

import pytest
from django.urls import reverse

from evidence.models import Document, DocumentCheck, DocumentSignature
from evidence.services import document_upload
from scoring.models import Criterion
from scoring.services.assessments import item_link_documents
from tests.evidence import files

from .assessment_support import item, pdf_file

pytest_plugins = ["tests.scoring.assessment_fixtures"]
pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def page_url(a):
    return reverse("scoring:assessment_page", args=[a.pk])


def row_html(html, code):
    start = html.index(f'id="item-{code}"')
    return html[start:html.index("</tr>", start)]


def test_the_agency_sees_badges_and_the_period_flag_on_its_items_before_it_sends(
        login, assessment_a, staff_a, django_capture_on_commit_callbacks):
    client = login(staff_a)
    url = f"{page_url(assessment_a)}items/1.1.1/upload/"
    with django_capture_on_commit_callbacks(execute=True):  # the check runs once the upload commits
        r = client.post(url, {"file": files.upload("cu.pdf", files.pdf()), "issued_on": "03/11/2024"}, **JSON)
    [answer] = r.json()["files"]
    check = answer["item"]["documents"][0]["check"]  # drawn by scoring.js before the check ran
    assert check["status"] == "queued" and check["active"] is True
    assert check["html_url"] == reverse("evidence:check", args=[answer["id"]]) + "?html=1"
    flag = f"tài liệu ngày 03/11/2024 ngoài kỳ đánh giá {assessment_a.campaign.year}"
    row = row_html(client.get(page_url(assessment_a)).content.decode(), "1.1.1")
    assert f'<span class="ev-badge ev-badge-warn">{flag}</span>' in row
    assert '<span class="ev-badge ev-badge-info">Không có chữ ký số</span>' in row
    assert "data-check-poll" not in row
    # an autosave answers the item with the same badges for the script to draw
    it = item(assessment_a, "1.1.1")
    r = client.post(f"{page_url(assessment_a)}items/1.1.1/save/", {"version": it.version, "level": "Đúng hạn"},
                    **JSON)
    badges = r.json()["documents"][0]["check"]["badges"]
    assert {"css": "warn", "text": flag} in badges and {"css": "info", "text": "Không có chữ ký số"} in badges


def test_a_document_still_being_checked_is_polled_from_the_page(login, assessment_a, staff_a):
    client = login(staff_a)
    client.post(f"{page_url(assessment_a)}items/1.1.3/upload/", {"file": files.upload("a.pdf", files.pdf())}, **JSON)
    document = Document.objects.get(agency=assessment_a.agency)
    DocumentCheck.objects.filter(document=document).update(status="running", progress=60)
    row = row_html(client.get(page_url(assessment_a)).content.decode(), "1.1.3")
    assert "Đang kiểm tra tài liệu… 60%" in row
    assert f'data-check-poll="{reverse("evidence:check", args=[document.pk])}?html=1"' in row


def _linked_checked_documents(assessment, staff, n):
    """`n` documents linked to 1.1.3, each checked and signed twice (rows made directly)."""
    docs = []
    for i in range(n):
        doc, _ = document_upload(agency=assessment.agency, campaign=assessment.campaign, user=staff,
                                 file=pdf_file(f"{i}.pdf", f"doc {i}"), issued_on=date(2024, 1, 1))
        docs.append(doc)
    item_link_documents(assessment=assessment, codes=["1.1.3"], documents=docs, user=staff)
    DocumentCheck.objects.filter(document__in=docs).update(status="done", progress=100, text_source="layer")
    DocumentSignature.objects.bulk_create([
        DocumentSignature(analysis=a, position=p, signer_name="Nguyễn Văn A", intact=True)
        for a in DocumentCheck.objects.filter(document__in=docs) for p in (0, 1)])


@pytest.mark.parametrize("n", [1, 6])
def test_badges_cost_the_same_queries_whatever_the_number_of_documents(
        n, login, assessment_a, staff_a, django_assert_max_num_queries):
    _linked_checked_documents(assessment_a, staff_a, n)
    client = login(staff_a)
    with django_assert_max_num_queries(19):
        html = client.get(page_url(assessment_a)).content.decode()
    assert row_html(html, "1.1.3").count("Đã ký số: Nguyễn Văn A") == n
    it = item(assessment_a, "1.1.3")
    with django_assert_max_num_queries(31) as ctx:
        r = client.post(f"{page_url(assessment_a)}items/1.1.3/save/", {"version": it.version, "score": "0.5"},
                        **JSON)
    assert r.status_code == 200 and len(r.json()["documents"]) == n
    # the documents' badges: one query for their checks, one for the signatures
    for table in ("evidence_documentcheck", "evidence_documentsignature"):
        assert len([q for q in ctx.captured_queries if f' FROM "{table}"' in q["sql"]]) == 1


# ---------------------------------------------------------------- the appraisal page's excerpt


def test_the_appraiser_reads_where_each_document_speaks_of_the_criterion(
        login, campaign, agency_a, staff_a, leader_a, officer, appraiser, django_capture_on_commit_callbacks):
    from tests.scoring.appraisal_support import assign, submit, world

    w = world(campaign, agency_a)
    Criterion.objects.filter(criteria_set=w.criteria_set, code="1.2").update(
        title="Tỷ lệ thủ tục hành chính được công khai đúng quy định")
    text = ("BÁO CÁO\nKết quả năm 2026 của sở. " + "Nội dung khác. " * 20
            + "Sở đã công khai 100% thủ tục hành chính trên Cổng dịch vụ công. " + "Phần cuối. " * 20)
    with django_capture_on_commit_callbacks(execute=True):
        match, _ = document_upload(agency=agency_a, campaign=campaign, user=staff_a,
                                   file=files.upload("bao-cao.docx", files.docx(text)))
        other, _ = document_upload(agency=agency_a, campaign=campaign, user=staff_a,
                                   file=files.upload("bien-ban.docx", files.docx("Biên bản họp giao ban")))
    item_link_documents(assessment=w.a, codes=["1.2"], documents=[match, other], user=staff_a)
    submit(w.a, staff=staff_a, leader=leader_a, evidence=())
    assign(campaign, appraiser, ["1"], officer=officer)
    html = login(appraiser).get(reverse("scoring:appraisal_page", args=[w.a.pk])).content.decode()
    article = html[html.index('id="item-1.2"'):html.index('id="item-1.3"')]
    assert article.count('class="ap-excerpt"') == 1  # the minutes say nothing of it: no line
    line = article[article.index('class="ap-excerpt"'):]
    line = line[:line.index("</small>")]
    assert "đã <mark>công</mark> <mark>khai</mark> 100% <mark>thủ</mark> <mark>tục</mark> <mark>hành</mark> " \
           "<mark>chính</mark> trên" in line
    # "Cổng dịch vụ công": the portal ("cổng") is another word, the last "công" is one
    assert "BÁO CÁO" not in line and line.count("<mark>") == 7 and "<mark>Cổng</mark>" not in line
