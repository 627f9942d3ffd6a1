"""The Sở's draft report of the province's self-assessment: per field the self points against
last year's official result (by the criteria mapping), the total, the items that lost points
and why, the items below last year's official points; the preview page, the PDF (Nghị định
30/2020 layout, read back with pypdf) and the .docx (read back with python-docx)."""
from decimal import Decimal as D
from io import BytesIO

import docx
import pytest
from django.test import override_settings
from django.urls import reverse

from scoring.models import Item, LeadStatus
from scoring.selectors.province import province_assessment
from scoring.selectors.province_report import province_report
from tests.pdfs import pdf_fonts, pdf_text, pdf_top_margin
from tests.scoring.province_results_support import set_official, set_self, two_years
from tests.scoring.province_support import member, province_campaign

TITLE = "Kết quả tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm 2025 của tỉnh Tuyên Quang"


def all_at_max(assessment):
    items = list(Item.objects.filter(assessment=assessment).select_related("criterion"))
    for item in items:
        item.self_points = item.criterion.max_points
    Item.objects.bulk_update(items, ["self_points"])


@pytest.fixture
def world(officer):
    """2025: every item at its max but 1.1 (1 of 2, explained and commented) and 2.2 (0 of 2.5);
    2024's official result: every item at its max but 1.1 (2), 2.2 (2.5) and 3.2 (3 of 5)."""
    campaign, assessment, last, last_assessment, deps = two_years(officer)
    all_at_max(assessment)
    set_self(assessment, {"1.1": D(1)}, explanation="Ban hành kế hoạch chậm 10 ngày",
             review_comment="Đề nghị bổ sung văn bản", lead_status=LeadStatus.ACCEPTED)
    set_self(assessment, {"2.2": D(0)}, explanation="Chưa rà soát")
    official = {i.criterion.code: i.criterion.max_points for i in last_assessment.items.select_related("criterion")}
    official.update({"3.2": D(3)})
    set_official(last_assessment, official)
    return campaign, assessment, deps


def test_the_numbers(world, django_assert_max_num_queries):
    campaign, assessment, _deps = world
    with django_assert_max_num_queries(10):
        report = province_report(campaign=campaign, assessment=assessment)
    assert report.last_year == 2024 and report.has_last_official
    fields = {f.criterion.code: f for f in report.fields}
    assert (fields["1"].self_points, fields["1"].last_official, fields["1"].difference) == (D(7), D(8), D(-1))
    assert (fields["2"].self_points, fields["2"].last_official, fields["2"].difference) == (D("5.5"), D(8), D("-2.5"))
    assert (fields["3"].self_points, fields["3"].last_official, fields["3"].difference) == (D(11), D(9), D(2))
    assert (report.max_total, report.self_total, report.last_official_total) == (D(100), D("96.5"), D(98))
    assert report.index == D("96.50")
    assert [(r.item.criterion.code, r.lost) for r in report.lost] == [("1.1", D(1)), ("2.2", D("2.5"))]
    assert [(r.item.criterion.code, r.last_official, r.difference) for r in report.lower] == [
        ("1.1", D(2), D(-1)), ("2.2", D("2.5"), D("-2.5"))]


def test_the_pdf_in_the_official_layout(world, officer, login):
    campaign, _assessment, _deps = world
    response = login(officer).get(reverse("scoring:province_report_pdf", args=[campaign.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="bao-cao-tu-danh-gia-tinh-2025.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    for expected in ("UBND TỈNH TUYÊN QUANG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "/BC-UBND", "Tuyên Quang, ngày", "BÁO CÁO", "Kính gửi: Bộ Nội vụ", "96,50/100,00 điểm",
                     "Kết quả chính thức năm 2024 do Bộ Nội vụ công bố: 98,00 điểm",
                     "thấp hơn 1,50 điểm so với kết quả chính thức năm 2024",
                     "Ban hành kế hoạch chậm 10 ngày", "Ý kiến Sở Nội vụ: Đề nghị bổ sung văn bản", "Chưa rà soát",
                     "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"):
        assert expected in text, expected
    assert " ".join(TITLE.split()) in text
    assert all("Liberation-Serif" in name for name in pdf_fonts(response.content))  # the portal's own fonts
    # ND30: the page number at the top, centred, from the second page on
    assert pdf_top_margin(response.content) == ["", "2"]


def test_the_docx_says_the_same_in_times_new_roman_on_a4(world, officer, login):
    campaign, _assessment, _deps = world
    response = login(officer).get(reverse("scoring:province_report_docx", args=[campaign.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('2025.docx"')
    document = docx.Document(BytesIO(response.content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                      section.right_margin)]  # stored in twips: 15 mm reads 14.99
    assert 20 <= margins[0] <= 25 and 20 <= margins[1] <= 25 and 30 <= margins[2] <= 35 and 15 <= margins[3] <= 20
    runs = [r for p in document.paragraphs for r in p.runs]
    cells = [c for t in document.tables for row in t.rows for c in row.cells]
    runs += [r for c in cells for p in c.paragraphs for r in p.runs]
    assert {r.font.name for r in runs} == {"Times New Roman"}
    body = [r for r in runs if r.text.startswith("Thực hiện hướng dẫn")]
    assert body and body[0].font.size.pt in (13, 14)
    text = "\n".join([p.text for p in document.paragraphs] + [c.text for c in cells])
    for expected in ("UBND TỈNH TUYÊN QUANG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "/BC-UBND", "BÁO CÁO", TITLE, "96,50/100,00 điểm", "98,00 điểm", "Nơi nhận:", "CHỦ TỊCH",
                     "Ý kiến Sở Nội vụ: Đề nghị bổ sung văn bản"):
        assert expected in text, expected
    fields = document.tables[1]
    assert [c.text for c in fields.rows[1].cells] == ["1", "Công tác chỉ đạo, điều hành cải cách hành chính",
                                                      "8,00", "7,00", "8,00", "−1,00"]
    assert [c.text for c in fields.rows[-1].cells][1:] == ["Tổng cộng", "100,00", "96,50", "98,00", "−1,50"]
    lower = document.tables[3]
    assert [c.text for c in lower.rows[1].cells][0] == "1.1" and len(lower.rows) == 3


def test_the_preview_page_and_its_links(world, officer, login, django_assert_max_num_queries):
    campaign, _assessment, _deps = world
    client = login(officer)
    board = client.get(reverse("scoring:province_board", args=[campaign.pk])).content.decode()
    for anchor in ('id="province-report"', 'id="province-report-pdf"', 'id="province-report-docx"'):
        assert anchor in board
    with django_assert_max_num_queries(20):
        page = client.get(reverse("scoring:province_report", args=[campaign.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and 'id="report-lower"' in body and "Chưa rà soát" in body
    assert "96,50" in body and "98,00" in body


@override_settings(PROVINCE_NAME="Hà Giang")
def test_without_a_previous_year_it_says_so(officer, login):
    campaign, _province, _deps = province_campaign(officer)
    assessment = province_assessment(campaign=campaign)
    all_at_max(assessment)
    report = province_report(campaign=campaign, assessment=assessment)
    assert report.last_year is None and not report.has_last_official and report.lower == [] and report.lost == []
    assert {f.last_official for f in report.fields} == {None}
    client = login(officer)
    text = pdf_text(client.get(reverse("scoring:province_report_pdf", args=[campaign.pk])).content)
    assert "UBND TỈNH HÀ GIANG" in text and "Chưa có kết quả chính thức năm trước để so sánh" in text
    assert "chưa có" in text and "của tỉnh Hà Giang" in text
    document = docx.Document(BytesIO(client.get(reverse("scoring:province_report_docx", args=[campaign.pk])).content))
    assert any("Chưa có kết quả chính thức năm trước" in p.text for p in document.paragraphs)
    assert "chưa có" in [c.text for c in document.tables[1].rows[1].cells]
    page = client.get(reverse("scoring:province_report", args=[campaign.pk])).content.decode()
    assert 'id="no-last-year"' in page


def test_a_previous_year_without_its_official_result(officer):
    campaign, assessment, _last, _la, _deps = two_years(officer)
    report = province_report(campaign=campaign, assessment=assessment)
    assert report.last_year == 2024 and not report.has_last_official and report.last_official_total is None
    # nothing scored yet: every item below its max, except the survey's two (8.3, 8.4), which the Ministry scores
    assert len(report.lost) == 25 and {"8.3", "8.4"}.isdisjoint(r.item.criterion.code for r in report.lost)


def test_departments_and_outsiders_are_refused(world, staff_a, login):
    campaign, _assessment, deps = world
    department = login(member(deps["STP"]))
    for name in ("province_report", "province_report_pdf", "province_report_docx"):
        url = reverse(f"scoring:{name}", args=[campaign.pk])
        assert department.get(url).status_code == 403
        assert login(staff_a).get(url).status_code == 403


def test_the_report_as_data_through_the_api(world, officer, api, django_assert_max_num_queries):
    campaign, _assessment, deps = world
    url = f"/api/v1/campaigns/{campaign.pk}/province/report/"
    client = api.as_user(officer)
    with django_assert_max_num_queries(14):
        body = client.get(url).json()
    assert (body["year"], body["last_year"], body["title"]) == (2025, 2024, TITLE)
    assert (body["max_total"], body["self_total"], body["last_official_total"], body["difference"]) == (
        "100.00", "96.50", "98.00", "-1.50")
    field_2 = next(f for f in body["fields"] if f["code"] == "2")
    assert (field_2["self_points"], field_2["last_official"], field_2["difference"]) == ("5.50", "8.00", "-2.50")
    assert [(r["code"], r["lost"], r["explanation"], r["review_comment"]) for r in body["lost"]] == [
        ("1.1", "1.00", "Ban hành kế hoạch chậm 10 ngày", "Đề nghị bổ sung văn bản"),
        ("2.2", "2.50", "Chưa rà soát", "")]
    assert [(r["code"], r["last_official"], r["self_points"], r["difference"]) for r in body["lower"]] == [
        ("1.1", "2.00", "1.00", "-1.00"), ("2.2", "2.50", "0.00", "-2.50")]
    response = api.as_user(member(deps["STP"])).get(url)
    assert response.status_code == 403 and "Sở Nội vụ" in response.json()["detail"]
