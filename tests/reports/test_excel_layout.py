"""The Excel reports as a reader opens them (openpyxl): a title row naming the publication's
decision (number and date) or saying it is a draft, a header that stays in view, filters on
it, figures as numbers with two decimals; the criteria and figures formats write their
Vietnamese header under the column codes of ../shared/API.md and read either back."""
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from cchc_portal.core.excel import WorkbookWriter, read_sheet
from reports.services import publication_create
from scoring import imported_figures
from scoring.criteria_excel import ALL_COLUMNS, LABELS, CriterionRow, read_workbook
from scoring.criteria_excel import write_workbook as criteria_workbook
from tests.sheets import workbook

from .builders import golden_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def golden(campaign, agency_a, agency_b):
    return golden_campaign(campaign, agency_a, agency_b)


def _layout(ws, header_first):
    """The title row, then the header (row 2): frozen under it, filtered on it."""
    assert ws["A1"].font.bold and ws["A2"].value == header_first and ws["A2"].font.bold
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref.startswith("A2:")


def test_the_ranking_names_the_decision_or_says_it_is_a_draft(login, officer, campaign, golden):
    client = login(officer)
    ws = workbook(client.get(reverse("reports-ranking-xlsx", args=[campaign.pk])))["Sở, ban, ngành tỉnh"]
    assert "dự thảo, kết quả tạm tính, chưa công bố" in ws["A1"].value and campaign.name in ws["A1"].value
    publication = publication_create(campaign=campaign, user=officer, decision_number="321/QĐ-UBND")
    ws = workbook(client.get(reverse("reports-ranking-xlsx", args=[campaign.pk])))["Sở, ban, ngành tỉnh"]
    day = timezone.localtime(publication.published_at)
    assert ws["A1"].value.endswith(f"công bố lần 1 theo Quyết định số 321/QĐ-UBND ngày {day:%d/%m/%Y}")
    _layout(ws, "Hạng")
    assert ws.auto_filter.ref == f"A2:{openpyxl.utils.get_column_letter(ws.max_column)}4"
    index = ws["F3"]
    assert (index.value, index.data_type, index.number_format) == (77.78, "n", "#,##0.00")
    assert ws["D3"].number_format == "#,##0.00" and ws["A3"].number_format == "#,##0"


def test_every_report_workbook_has_a_title_a_frozen_filtered_header_and_two_decimals(login, officer, campaign,
                                                                                      golden):
    client = login(officer)
    book = workbook(client.get(reverse("reports-campaign-export", args=[campaign.pk])))
    for name, first in (("Tổng hợp", "Nhóm"), ("Chi tiết", "Nhóm")):
        ws = book[name]
        _layout(ws, first)
        assert "Phiếu chấm điểm mọi đơn vị" in ws["A1"].value
    assert book["Tổng hợp"]["F3"].number_format == "#,##0.00"
    ws = workbook(client.get(reverse("reports-board-export", args=[campaign.pk]))).active
    _layout(ws, "Nhóm")
    assert ws["A1"].value.startswith("Tình hình chấm điểm – ")
    totals = [c for row in ws.iter_rows(min_row=3, min_col=7, max_col=8) for c in row if c.value is not None]
    assert totals and all(c.data_type == "n" and c.number_format == "#,##0.00" for c in totals)
    ws = workbook(client.get(reverse("reports-score-sheet-xlsx", args=[campaign.pk, "SA"]))).active
    _layout(ws, "Mã")
    assert "Phiếu chấm điểm – Sở Tài chính" in ws["A1"].value


def test_the_criteria_export_writes_the_codes_then_the_vietnamese_header_and_reads_back():
    row = CriterionRow(row=3, code="1.10", title="Ban hành kế hoạch", max_points=Decimal("2.5"), rule="manual",
                       params={}, guidance="")
    data = criteria_workbook([row], {"bonus_cap": Decimal("3"), "penalty_cap": None})
    ws = openpyxl.load_workbook(BytesIO(data))["criteria"]
    assert [c.value for c in ws[1]] == ALL_COLUMNS  # the API's header row, unchanged
    assert [c.value for c in ws[2]] == [LABELS[c] for c in ALL_COLUMNS]
    assert ws[2][0].value == "Mã" and ws[2][1].value == "Nội dung" and ws[2][2].value == "Điểm tối đa"
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
    assert (ws["A3"].value, ws["C3"].value, ws["C3"].number_format) == ("1.10", 2.5, "0.00")
    settings = openpyxl.load_workbook(BytesIO(data))["settings"]
    assert [c.value for c in settings[2]] == ["Thiết lập", "Giá trị"]
    back = read_workbook(BytesIO(data))
    assert not back.errors and [(r.row, r.code, r.max_points) for r in back.rows] == [(3, "1.10", Decimal("2.5"))]
    assert back.settings == {"bonus_cap": Decimal("3"), "penalty_cap": None}


@pytest.mark.parametrize("header", [["code", "title", "max_points", "rule"], ["Mã", "Nội dung", "Điểm tối đa",
                                                                            "Cách chấm"]])
def test_the_criteria_import_takes_the_english_codes_or_the_vietnamese_header(header):
    book = WorkbookWriter()
    ws = book.sheet("criteria", header)
    ws.append(["1", "Chỉ đạo điều hành", 2, "sum"])
    ws.append(["1.1", "Ban hành kế hoạch", 2, "manual"])
    back = read_workbook(BytesIO(book.to_bytes()))
    assert not back.errors and [(r.code, r.rule) for r in back.rows] == [("1", "sum"), ("1.1", "manual")]


def test_a_data_row_that_only_looks_like_a_label_row_is_kept():
    book = WorkbookWriter()
    ws = book.sheet("x", ["agency_code", "criterion_code", "value"])
    ws.append(["SA", "1.1", "2"])
    rows, errors = read_sheet(BytesIO(book.to_bytes()), imported_figures.COLUMNS, aliases=imported_figures.ALIASES)
    assert not errors and rows == [(2, {"agency_code": "SA", "criterion_code": "1.1", "value": "2"})]


def test_the_figures_export_writes_both_headers_and_reads_back(campaign, agency_a, officer):
    from scoring.models import Assessment

    from .builders import make_assessment, make_set

    cset = make_set(campaign, spec=[("1", "Chỉ số phục vụ", "4", "sum", "", False, False),
                                    ("1.1", "Dịch vụ công trực tuyến", "2", "imported", "", False, False)])
    make_assessment(campaign, agency_a, cset, status=Assessment.Status.DRAFT)
    report = imported_figures.figures_import_rows(campaign=campaign, user=officer, rows=[
        (2, {"agency_code": agency_a.code, "criterion_code": "1.1", "value": "1,5", "source": "Cổng DVC quốc gia",
             "note": "quý IV"})])
    assert report.ok, report.errors
    data = imported_figures.figures_workbook(campaign=campaign).to_bytes()
    ws = openpyxl.load_workbook(BytesIO(data)).active
    assert [c.value for c in ws[1]][:5] == imported_figures.COLUMNS  # the import's codes, unchanged
    assert [c.value for c in ws[2]][:5] == ["Mã đơn vị", "Mã tiêu chí", "Giá trị", "Nguồn", "Ghi chú"]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
    assert (ws["C3"].value, ws["C3"].number_format) == (1.5, "0.00")
    rows, errors = imported_figures.raw_rows(BytesIO(data))
    assert not errors and [n for n, _r in rows] == [3]
    assert {k: rows[0][1][k] for k in imported_figures.COLUMNS} == {
        "agency_code": agency_a.code, "criterion_code": "1.1", "value": "1.5", "source": "Cổng DVC quốc gia",
        "note": "quý IV"}


def test_the_officer_downloads_the_figures_and_others_may_not(login, officer, staff_a, campaign):
    url = reverse("scoring:imported_figures", args=[campaign.pk]) + "?format=xlsx"
    r = login(officer).get(url)
    assert r.status_code == 200 and f"so-lieu-nhap-{campaign.year}.xlsx" in r["Content-Disposition"]
    assert [c.value for c in workbook(r).active[2]][:2] == ["Mã đơn vị", "Mã tiêu chí"]
    assert login(staff_a).get(url).status_code in (403, 404)
