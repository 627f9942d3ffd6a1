"""The officer's results page: the public page's charts (per group: the agencies' indices and
the fields' average sub-indices) and each agency's scores per field as table columns."""
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from .builders import golden_campaign

pytestmark = pytest.mark.django_db


class Tables(HTMLParser):
    """Every table of a page as rows of cell texts, keyed by the table's class."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("class") or "", [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(response):
    parser = Tables()
    parser.feed(response.content.decode())
    return parser.tables


@pytest.fixture
def page(login, officer, campaign, agency_a, agency_b):
    golden_campaign(campaign, agency_a, agency_b)
    return login(officer).get(reverse("reports-results", args=[campaign.pk]))


def test_each_field_is_a_column_of_the_results_table(page):
    [header, *rows] = tables(page)["results-table"]
    assert header[8:] == ["LV 1", "LV 2", "LV 3", "LV 4", "LV 5"]
    fields = header.index("LV 1")
    by_agency = {row[2].split(" SA")[0].split(" SB")[0]: row for row in rows}
    assert by_agency["Sở Tài chính"][fields:fields + 5] == ["3,75/6,00", "3,92/6,00", "4,00/4,00", "2,30/4,00",
                                                           "+1,00"]  # bonus and penalty: signed, no maximum
    assert all(len(row) == len(header) for row in rows)
    body = page.content.decode()
    assert 'class="field-cells"' not in body and not re.search(r"1: \d+,\d\d/\d+,\d\d ·", body)
    assert '<abbr title="Công tác chỉ đạo, điều hành CCHC">LV 1</abbr>' in body


def test_the_page_has_the_public_page_s_charts_per_group_and_their_figures_as_a_table(page):
    body = page.content.decode()
    assert body.count('class="chart-svg"') == 2
    assert 'aria-label="Chỉ số CCHC (tạm tính) – Sở, ban, ngành tỉnh"' in body
    assert 'aria-label="Chỉ số thành phần trung bình theo lĩnh vực"' in body and "Biểu đồ – Sở, ban, ngành tỉnh" in body
    [header, *rows] = tables(page)["field-averages"]
    assert header == ["Mã", "Lĩnh vực", "Chỉ số thành phần trung bình (%)", "Số đơn vị áp dụng"]
    assert [r[2] for r in rows] == ["56,25", "82,67", "87,50", "78,75"] and rows[0][3] == "2"


def test_a_group_filter_keeps_only_that_group_s_charts(login, officer, campaign, agency_a, agency_b):
    golden_campaign(campaign, agency_a, agency_b)
    r = login(officer).get(reverse("reports-results", args=[campaign.pk]), {"group": "commune"})
    assert 'class="chart-svg"' not in r.content.decode()


def test_a_search_shows_no_group_charts(login, officer, campaign, agency_a, agency_b):
    golden_campaign(campaign, agency_a, agency_b)
    r = login(officer).get(reverse("reports-results", args=[campaign.pk]), {"q": "tư pháp"})
    assert 'class="chart-svg"' not in r.content.decode() and "Sở Tài chính" not in r.content.decode()
