"""The scoring page and its posts: inputs per rule kind, autosave answers, conflicts, late
writes, evidence links, history, the leader's flow, the report, outsiders, query counts."""
import json
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from scoring.models import Assessment, CriteriaSet, Item
from scoring.services.assessments import assessment_send_to_leader, assessments_ensure, item_update
from tests.factories import CampaignFactory, StepFactory, group
from tests.pdfs import pdf_fonts, pdf_lines
from tests.scoring.factories import build_tree

from .assessment_support import close_self_assessment, item, pdf_file

pytest_plugins = ["tests.scoring.assessment_fixtures"]  # its fixtures: sa_set, assessments, assessment_a/b
pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def page_url(a):
    return reverse("scoring:assessment_page", args=[a.pk])


def item_url(a, code, action="save"):
    return f"{page_url(a)}items/{code}/{action}/"


def post_item(client, a, code, version=None, **fields):
    version = item(a, code).version if version is None else version
    return client.post(item_url(a, code), {"version": version, **fields}, **JSON)


def test_page_shows_an_input_fitting_each_rule_kind(login, assessment_a, staff_a):
    from scoring.models import Criterion

    Criterion.objects.filter(criteria_set=assessment_a.criteria_set, code="1.2").update(
        guidance="Tỷ lệ văn bản được ban hành đúng kế hoạch")
    html = login(staff_a).get(page_url(assessment_a)).content.decode()
    assert 'name="level"' in html and "Trễ hạn (0,50)" in html                     # levels: a select
    assert 'name="numerator"' in html and 'name="denominator"' in html and "data-pct" in html  # bands, ratio
    assert 'name="count"' in html                                                  # deduction
    assert 'name="score"' in html and 'data-step="0.25"' in html and 'data-step="0.5"' in html  # manual, bonus/penalty
    assert "Lấy từ kết quả điều tra XHH" in html                                   # survey
    assert '<details class="sa-guide"><summary>Hướng dẫn chấm</summary>Tỷ lệ văn bản được ban hành' in html
    assert 'data-deadline="' in html and "Trình lãnh đạo duyệt" in html
    assert 'id="sa-tree"' in html and "data-evidence-upload" in html


@pytest.mark.parametrize("code, fields, points", [
    ("1.1.1", {"level": "Trễ hạn"}, "0.00"),                  # evidence required, none yet → 0
    ("1.1.2", {"numerator": "9", "denominator": "10"}, "1.00"),
    ("1.1.3", {"score": "0.75"}, "0.75"),
    ("1.2", {"numerator": "1", "denominator": "2"}, "1.50"),
    ("1.3", {"count": "2"}, "2.00"),
    ("1.4", {"score": "2"}, "2.00"),
    ("2.1", {"score": "3"}, "3.00"),
    ("2.3", {"score": "0.5"}, "0.50"),
])
def test_autosave_of_each_rule_kind_answers_points_totals_and_version(login, assessment_a, staff_a, code, fields,
                                                                      points):
    r = post_item(login(staff_a), assessment_a, code, explanation="Theo báo cáo số 12/BC", **fields)
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["self_points"] == points and data["version"] == 2 and data["nodes"][code] == points
    assert data["total"] == str(Assessment.objects.get(pk=assessment_a.pk).self_total)
    assert item(assessment_a, code).explanation == "Theo báo cáo số 12/BC"


def test_evidence_required_item_without_evidence_shows_it_will_score_zero(login, assessment_a, staff_a):
    client = login(staff_a)
    r = post_item(client, assessment_a, "1.1.1", level="Đúng hạn")
    assert r.json()["self_points"] == "0.00" and r.json()["reason"] == "0: không có tài liệu kiểm chứng"
    html = client.get(page_url(assessment_a)).content.decode()
    row = html[html.index('id="item-1.1.1"'):html.index('id="item-1.1.2"')]
    assert "Sẽ được 0 điểm: chưa có tài liệu kiểm chứng</small>" in row and "data-zero hidden" not in row


def test_invalid_input_gets_400_with_the_rule_message(login, assessment_a, staff_a):
    r = post_item(login(staff_a), assessment_a, "1.2", numerator="5", denominator="0")
    assert r.status_code == 400 and "Mẫu số bằng 0" in r.json()["detail"]


def test_stale_save_gets_409_with_the_current_value(login, assessment_a, staff_a):
    client = login(staff_a)
    assert post_item(client, assessment_a, "1.1.3", version=1, score="0.5").status_code == 200
    r = post_item(client, assessment_a, "1.1.3", version=1, score="1", explanation="cũ")
    assert r.status_code == 409
    assert r.json()["current"]["input"] == {"score": "0.5"} and r.json()["current"]["version"] == 2
    assert r.json()["deadline"] is False


def test_plain_form_post_saves_and_redirects(login, assessment_a, staff_a):
    client = login(staff_a)
    r = client.post(item_url(assessment_a, "1.1.3"), {"version": 1, "score": "1", "explanation": "x"})
    assert r.status_code == 302 and r.url.endswith("#item-1.1.3")
    assert item(assessment_a, "1.1.3").self_points == Decimal("1")


def test_late_page_posts_are_refused(login, assessment_a, staff_a):
    doc_id = None
    client = login(staff_a)
    r = client.post(item_url(assessment_a, "1.1.1", "upload"), {"file": pdf_file()}, **JSON)
    assert r.status_code == 200, r.content
    doc_id = r.json()["files"][0]["id"]
    close_self_assessment(assessment_a.campaign)
    r = post_item(client, assessment_a, "1.1.3", score="1")
    assert r.status_code == 409 and r.json()["deadline"] is True and "hết hạn" in r.json()["detail"]
    r = client.post(item_url(assessment_a, "1.2", "documents"), {"documents": [doc_id]}, **JSON)
    assert r.status_code == 409
    r = client.post(item_url(assessment_a, "1.2", "upload"), {"file": pdf_file("b.pdf", "b")}, **JSON)
    assert r.status_code == 409 and r.json()["files"][0]["error"]
    r = client.post(reverse("scoring:assessment_send", args=[assessment_a.pk]))
    assert r.status_code == 302
    assert Assessment.objects.get(pk=assessment_a.pk).status == Assessment.Status.DRAFT
    assert item(assessment_a, "1.2").documents.count() == 0 and assessment_a.agency.documents.count() == 1
    html = client.get(page_url(assessment_a)).content.decode()
    assert "Đã hết hạn tự đánh giá" in html and "Trình lãnh đạo duyệt" not in html
    assert 'name="score"' in html and " disabled" in html


def test_upload_from_the_widget_links_the_file_and_the_library_dialog_links_others(login, assessment_a, staff_a):
    client = login(staff_a)
    r = client.post(item_url(assessment_a, "1.1.1", "upload"),
                    {"file": pdf_file(), "number": "01/KH-STC", "issued_on": "15/01/2026", "issuer": "Sở Tài chính"},
                    **JSON)
    data = r.json()
    assert r.status_code == 200 and data["files"][0]["created"] is True
    assert data["files"][0]["item"]["documents"][0]["number"] == "01/KH-STC"
    doc_id = data["files"][0]["id"]
    r = client.post(item_url(assessment_a, "1.1.2", "documents"), {"documents": [doc_id]}, **JSON)
    assert r.status_code == 200 and [d["id"] for d in r.json()["documents"]] == [doc_id]
    r = client.post(f"{page_url(assessment_a)}items/1.1.2/documents/{doc_id}/remove/", **JSON)
    assert r.status_code == 200 and r.json()["documents"] == []
    # without script: the attach page lists the library
    html = client.get(item_url(assessment_a, "1.1.3", "documents")).content.decode()
    assert "ke-hoach.pdf" in html or "01/KH-STC" in html


def test_history_partial_shows_who_when_and_old_to_new(login, assessment_a, staff_a):
    client = login(staff_a)
    post_item(client, assessment_a, "1.1.3", score="0.5")
    post_item(client, assessment_a, "1.1.3", score="1", explanation="Đủ 4 báo cáo quý")
    html = client.get(item_url(assessment_a, "1.1.3", "history") + "?partial=1").content.decode()
    assert staff_a.display_name in html and "<del>score: 0,5</del> → <ins>score: 1</ins>" in html
    assert "<ins>Đủ 4 báo cáo quý</ins>" in html and "<html" not in html
    assert "<html" in client.get(item_url(assessment_a, "1.1.3", "history")).content.decode()


def test_leader_sees_read_only_and_approves(login, client, assessment_a, staff_a, leader_a):
    assessment_send_to_leader(assessment=assessment_a, user=staff_a)
    html = login(leader_a).get(page_url(assessment_a)).content.decode()
    assert "Duyệt và gửi Sở Nội vụ" in html and "Trả lại cán bộ" in html and 'class="btn btn-small sa-save"' not in html
    r = client.post(reverse("scoring:assessment_return", args=[assessment_a.pk]), {"comment": ""})
    assert Assessment.objects.get(pk=assessment_a.pk).status == Assessment.Status.WITH_LEADER
    r = client.post(reverse("scoring:assessment_approve", args=[assessment_a.pk]))
    assert r.status_code == 302
    a = Assessment.objects.get(pk=assessment_a.pk)
    assert a.status == Assessment.Status.SUBMITTED and a.submitted_by == leader_a
    assert "Đã gửi Sở Nội vụ" in client.get(page_url(a)).content.decode()


def test_leader_returns_and_staff_see_the_comment(login, client, assessment_a, staff_a, leader_a):
    assessment_send_to_leader(assessment=assessment_a, user=staff_a)
    login(leader_a)
    client.post(reverse("scoring:assessment_return", args=[assessment_a.pk]), {"comment": "Bổ sung mục 1.2"})
    html = login(staff_a).get(page_url(assessment_a)).content.decode()
    assert "Bổ sung mục 1.2" in html and "Trình lãnh đạo duyệt" in html


def test_outsiders_get_404_everywhere(login, client, assessment_a, staff_b, commune_staff):
    for user in (staff_b, commune_staff):
        c = login(user)
        assert c.get(page_url(assessment_a)).status_code == 404
        assert post_item(c, assessment_a, "1.1.3", version=1, score="1").status_code == 404
        assert c.get(item_url(assessment_a, "1.1.3", "history")).status_code == 404
        assert c.get(reverse("scoring:assessment_report_pdf", args=[assessment_a.pk])).status_code == 404
        assert c.get(reverse("scoring:assessment_report_xlsx", args=[assessment_a.pk])).status_code == 404
        assert c.post(reverse("scoring:assessment_send", args=[assessment_a.pk])).status_code == 404
    assert item(assessment_a, "1.1.3").version == 1
    client.logout()
    r = client.get(page_url(assessment_a))
    assert r.status_code == 302 and "/accounts/login/" in r.url


def test_officer_and_appraiser_read_the_page_but_only_officer_and_agency_get_the_report(
        login, assessment_a, officer, appraiser, leader_a):
    assert "Trang chỉ để xem" in login(officer).get(page_url(assessment_a)).content.decode()
    assert login(officer).get(reverse("scoring:assessment_report_xlsx", args=[assessment_a.pk])).status_code == 200
    assert login(appraiser).get(page_url(assessment_a)).status_code == 200
    assert login(appraiser).get(reverse("scoring:assessment_report_pdf", args=[assessment_a.pk])).status_code == 403
    assert login(leader_a).get(reverse("scoring:assessment_report_xlsx", args=[assessment_a.pk])).status_code == 200


def test_report_pdf_holds_the_vietnamese_report(login, assessment_a, staff_a):
    client = login(staff_a)
    client.post(item_url(assessment_a, "1.1.1", "upload"), {"file": pdf_file(), "number": "01/KH-STC"}, **JSON)
    post_item(client, assessment_a, "1.1.1", level="Đúng hạn", explanation="Kế hoạch ban hành đúng hạn")
    r = client.get(reverse("scoring:assessment_report_pdf", args=[assessment_a.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert "attachment" in r["Content-Disposition"]
    lines = pdf_lines(r.content)
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "ỦY BAN NHÂN DÂN TỈNH",
                  "SỞ TÀI CHÍNH", "Kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm 2026",
                  "Kế hoạch ban hành đúng hạn", "01/KH-STC",
                  "Tổng điểm"):
        assert any(words in line for line in lines), words  # each on one line: the header does not wrap
    # the portal's Liberation Serif (static/fonts), not whatever the machine has
    assert {"CCHC-Liberation-Serif", "CCHC-Liberation-Serif-Bold"} <= pdf_fonts(r.content)
    assert all(name.startswith("CCHC-Liberation-Serif") for name in pdf_fonts(r.content))


def test_report_excel_has_the_tree_and_the_evidence(login, assessment_a, staff_a):
    client = login(staff_a)
    client.post(item_url(assessment_a, "1.1.1", "upload"), {"file": pdf_file(), "number": "01/KH-STC"}, **JSON)
    post_item(client, assessment_a, "1.1.1", level="Đúng hạn", explanation="Đúng hạn")
    r = client.get(reverse("scoring:assessment_report_xlsx", args=[assessment_a.pk]))
    wb = openpyxl.load_workbook(BytesIO(r.content))
    rows = [row for row in wb["Tự đánh giá"].iter_rows(values_only=True)]
    leaf = next(row for row in rows if row[0] == "1.1.1")
    assert Decimal(str(leaf[3])) == Decimal("1") and leaf[5] == "Đúng hạn" and "01/KH-STC" in leaf[6]
    assert rows[-1][1] == "Tổng cộng" and Decimal(str(rows[-1][3])) == Decimal("1")
    assert [row[1] for row in wb["Tài liệu kiểm chứng"].iter_rows(min_row=2, values_only=True)] == ["01/KH-STC"]


def test_list_shows_own_assessments_to_agencies_and_all_to_officers(login, assessments, staff_a, officer):
    html = login(staff_a).get(reverse("scoring:assessment_list")).content.decode()
    assert "Sở Tài chính" in html and "Sở Tư pháp" not in html
    html = login(officer).get(reverse("scoring:assessment_list")).content.decode()
    assert "Sở Tài chính" in html and "Sở Tư pháp" in html


def test_officer_opens_a_campaign_from_its_page(login, officer, staff_a, agency_a):
    from campaigns.models import Campaign

    draft = CampaignFactory(status=Campaign.Status.DRAFT)
    draft.groups.set([group("department")])
    draft.agencies.set([agency_a])
    StepFactory(campaign=draft)
    build_tree(CriteriaSet.objects.create(campaign=draft, group=group("department")), [("1", "1", "manual")])
    url = reverse("scoring:campaign_open", args=[draft.pk])
    assert login(staff_a).post(url).status_code == 403
    assert "Mở đợt đánh giá" in login(officer).get(reverse("campaigns:detail", args=[draft.pk])).content.decode()
    r = login(officer).post(url)
    assert r.status_code == 302 and Assessment.objects.filter(campaign=draft, agency=agency_a).exists()


def _tree_rows(n):
    """A tree with `n` manual leaves under fields of 10."""
    rows, fields = [], (n + 9) // 10
    for f in range(1, fields + 1):
        count = min(10, n - (f - 1) * 10)
        rows.append((str(f), str(count)))
        rows += [(f"{f}.{i}", "1", "manual", "step=0.25", {"evidence_required": i % 2 == 0}) for i in
                 range(1, count + 1)]
    return rows


@pytest.mark.parametrize("n", [10, 60])
def test_page_queries_do_not_grow_with_the_number_of_items(n, login, campaign, agency_a, staff_a,
                                                           django_assert_max_num_queries):
    from evidence.services import document_upload

    build_tree(CriteriaSet.objects.create(campaign=campaign, group=group("department")), _tree_rows(n))
    assessments_ensure(campaign=campaign)
    a = Assessment.objects.select_related("agency", "campaign", "criteria_set").get(agency=agency_a)
    for i, it in enumerate(Item.objects.filter(assessment=a).select_related("criterion")):
        doc, _ = document_upload(agency=agency_a, campaign=campaign, file=pdf_file(f"{i}.pdf", f"doc {i}"),
                                 user=staff_a)
        it.documents.add(doc)
        item_update(assessment=a, code=it.criterion.code, input={"score": "0.5"}, explanation="x",
                    version=it.version, user=staff_a)
    client = login(staff_a)
    # 14 + the stage (the pill) + the campaign library + the documents' checks (checks, signatures, period)
    with django_assert_max_num_queries(19) as ctx:
        r = client.get(page_url(a))
    assert r.status_code == 200 and r.content.decode().count('class="leaf') == n
    assert len(ctx.captured_queries) == 19
    tree = json.loads(r.content.decode().split('id="sa-tree" type="application/json">')[1].split("</script>")[0])
    assert len([node for node in tree["nodes"] if "." in node["code"]]) == n


# ---------------------------------------------------------------- numbers as typed (issue #13, points 1 and 4)


def test_autosave_reads_a_decimal_comma_and_shows_it_back(login, assessment_a, staff_a):
    client = login(staff_a)
    r = post_item(client, assessment_a, "1.1.3", score="0,75")
    assert r.status_code == 200, r.content
    assert r.json()["self_points"] == "0.75" and item(assessment_a, "1.1.3").input == {"score": "0.75"}
    html = client.get(page_url(assessment_a)).content.decode()
    row = html[html.index('id="item-1.1.3"'):html.index('id="item-1.2"')]
    assert 'name="score" value="0,75"' in row and 'type="text" inputmode="decimal"' in row
    assert 'type="number"' not in html


def test_autosave_reads_a_count_with_thousands_dots(login, assessment_a, staff_a):
    r = post_item(login(staff_a), assessment_a, "1.3", count="1.000")
    assert r.status_code == 200, r.content
    assert item(assessment_a, "1.3").input == {"count": "1000"}


def test_autosave_refuses_two_decimal_marks_and_stores_nothing(login, assessment_a, staff_a, staff_b):
    r = post_item(login(staff_a), assessment_a, "1.1.3", score="0,5,5")
    assert r.status_code == 400
    assert r.json()["detail"] == ("Điểm: '0,5,5' có nhiều dấu phân cách thập phân; một số chỉ có một dấu phẩy "
                                  "thập phân (ví dụ 4,5).")
    assert list(r.json()["errors"]) == ["score"]
    saved = item(assessment_a, "1.1.3")
    assert (saved.version, saved.input) == (1, {})
    assert post_item(login(staff_b), assessment_a, "1.1.3", version=1, score="0,5").status_code == 404


def test_autosave_caps_a_numerator_above_the_denominator(login, assessment_a, staff_a):
    r = post_item(login(staff_a), assessment_a, "1.1.2", numerator="10", denominator="8")
    assert r.status_code == 200, r.content
    assert r.json()["self_points"] == "2.00"
    assert r.json()["reason"] == "tử số 10; mẫu số 8: tỷ lệ 125%, vượt 100% nên tính 100% (>90)"


def test_evidence_dialogs_name_the_agency_and_the_item(login, assessment_a, staff_a):
    html = login(staff_a).get(page_url(assessment_a)).content.decode()
    agency = assessment_a.agency.name
    assert f"Đính kèm tài liệu từ thư viện của {agency}</h2>" in html
    assert f"Tải lên tài liệu kiểm chứng của {agency}</h2>" in html
    assert "data-dialog-code" not in html and html.count("data-dialog-item") == 3  # the script writes code + title
    assert 'data-msg-item="Tiêu chí"' in html and "<span data-title>" in html
    r = login(staff_a).get(item_url(assessment_a, "1.1.3", "documents"))
    page = r.content.decode()
    assert f"Tài liệu kiểm chứng của {agency}</h1>" in page and "Tiêu chí 1.1.3. " in page
