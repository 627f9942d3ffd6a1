"""The public results pages (issue 16): readable on a phone and a desktop, the official
files named by year, the "not yet published" page, an agency's years."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from matplotlib.backends.backend_agg import FigureCanvasAgg

from reports import charts
from reports.services import publication_create
from tests.pages import text

from .builders import golden_campaign, published_years


@pytest.fixture
def published(campaign, agency_a, agency_b, officer):
    golden_campaign(campaign, agency_a, agency_b)
    return publication_create(campaign=campaign, user=officer, decision_number="2468/QĐ-UBND")


def view_box_width(svg):
    return float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))


# ---------------------------------------------------------------- 4. a phone and a desktop


def test_ranking_rows_carry_what_a_phone_card_shows(client, campaign, published):
    page = text(client.get(reverse("public-results", args=[campaign.pk])))
    row = re.search(r'<tr role="row"><td class="num col-rank".*?</tr>', page).group(0)
    for name, label in (("col-rank", "Hạng"), ("col-index", "Chỉ số (%)"), ("col-grade", "Xếp loại")):
        assert f'class="{"num " if name != "col-grade" else ""}{name}" role="cell" data-label="{label}"' in row
    assert 'class="col-name" role="cell"' in row and "col-total" in row and "col-max" in row


def test_each_chart_comes_wide_and_narrow(client, campaign, published):
    page = client.get(reverse("public-results", args=[campaign.pk])).content.decode()
    wide = re.search(r'<div class="chart-wide">(<svg.*?</svg>)\s*</div>', page, re.S).group(1)
    narrow = re.search(r'<div class="chart-narrow">(<svg.*?</svg>)\s*</div>', page, re.S).group(1)
    assert view_box_width(wide) == 576 and view_box_width(narrow) == 288  # 288 px: a 360 px phone, unscaled
    assert 'role="img"' in narrow and "Chỉ số CCHC" in narrow


@pytest.mark.parametrize("compact", [False, True])
def test_the_legend_covers_no_bar(compact):
    fig, ax = charts.hbars_figure(
        ["1. Công tác chỉ đạo", "2. Thủ tục hành chính", "3. Chính quyền số"],
        [([50, 100, 100], charts.BLUE, "Sở Tài chính"), ([100, 100, 100], charts.GREY, "Trung bình nhóm")],
        title="Chỉ số thành phần", axis_label="%", compact=compact, limit=112)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    legend = fig.legends[0].get_window_extent(renderer)
    bars = [patch.get_window_extent(renderer) for patch in ax.patches]
    assert len(bars) == 6 and not any(legend.overlaps(bar) for bar in bars)
    labels = [t.get_window_extent(renderer) for t in ax.texts]
    assert not any(legend.overlaps(label) for label in labels)


def test_agency_figures_stand_apart(client, campaign, published):
    page = text(client.get(reverse("public-agency", args=[campaign.pk, "SA"])))
    stats = page[page.index('<dl class="summary-stats">'):page.index("</dl>")]
    assert stats.count("<dt") == 4 and stats.count("<dd") == 4  # a term and its figure each, not run together
    assert re.search(r'<dd class="stat">14,47 <span class="stat-of">/ 20,00</span></dd>', stats)
    assert re.search(r'<dd class="stat">1 <span class="stat-of">/ 2</span></dd>', stats) is None  # SA is 2nd
    assert re.search(r'<dd class="stat">2 <span class="stat-of">/ 2</span></dd>', stats)


def test_search_box_is_a_styled_field(client, campaign, published):
    page = text(client.get(reverse("public-results", args=[campaign.pk])))
    assert 'class="filters public-search" role="search"' in page
    assert re.search(r'<input type="search" id="q" name="q" value="" class="input" placeholder="[^"]+"', page)


# ---------------------------------------------------------------- 5. the official files, the missing page


def test_the_page_offers_the_publication_and_the_ranking_named_by_year(client, campaign, published):
    page = text(client.get(reverse("public-results", args=[campaign.pk])))
    pdf, xlsx = f"/ket-qua/{campaign.pk}/chi-so-cchc-2026.pdf", f"/ket-qua/{campaign.pk}/chi-so-cchc-2026.xlsx"
    assert f'href="{pdf}"' in page and f'href="{xlsx}"' in page
    r = client.get(pdf)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert r["Content-Disposition"] == 'attachment; filename="chi-so-cchc-2026.pdf"'
    r = client.get(xlsx)
    assert r.status_code == 200 and 'filename="chi-so-cchc-2026.xlsx"' in r["Content-Disposition"]
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content))).worksheets[0]
    names = [c.value for row in sheet.iter_rows() for c in row]
    assert "Sở Tư pháp" in names and "Sở Tài chính" in names
    assert str(campaign.pk) not in r["Content-Disposition"].replace("2026", "")


def test_the_official_pdf_carries_the_decision_and_is_drawn_once(client, campaign, published,
                                                                 django_assert_max_num_queries):
    import io

    from pypdf import PdfReader

    url = reverse("public-pdf", args=[campaign.pk, "chi-so-cchc-2026"])
    content = client.get(url).content
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "2468/QĐ-UBND" in words and "Sở Tư pháp" in words
    with django_assert_max_num_queries(3):  # the campaign, its publication, the rows: no redrawing
        assert client.get(url).content == content


def test_a_correction_and_a_districts_campaign_say_so_in_the_name(client, campaign, published, officer):
    from campaigns.models import Campaign
    from tests.factories import AgencyFactory, group

    publication_create(campaign=campaign, user=officer, decision_number="2469/QĐ-UBND", note="Đính chính")
    district = AgencyFactory(code="H.YS", name="Huyện Yên Sơn", group=group("district"))
    Campaign.objects.filter(pk=campaign.pk).update(owner=district)
    r = client.get(reverse("public-xlsx", args=[campaign.pk, "chi-so-cchc-2026"]))  # an older link
    assert r.status_code == 302 and r["Location"].endswith("/chi-so-cchc-2026-hys-lan-2.xlsx")
    assert 'filename="chi-so-cchc-2026-hys-lan-2.xlsx"' in client.get(r["Location"])["Content-Disposition"]


@pytest.mark.parametrize("where", ["results", "agency", "pdf", "unknown"])
def test_an_unpublished_or_unknown_campaign_says_not_yet_published(client, campaign, agency_a, agency_b, officer,
                                                                   where):
    golden_campaign(campaign, agency_a, agency_b)
    older = published_years(officer, [agency_a], years=(2024,))[0]
    url = {"results": reverse("public-results", args=[campaign.pk]),
           "agency": reverse("public-agency", args=[campaign.pk, "SA"]),
           "pdf": reverse("public-pdf", args=[campaign.pk, "chi-so-cchc-2026"]),
           "unknown": reverse("public-results", args=[987654])}[where]
    r = client.get(url)
    page = text(r)
    assert r.status_code == 404 and r["Content-Type"].startswith("text/html")
    assert "<h1>Kết quả chưa công bố</h1>" in page and "chưa được công bố" in page
    assert f'href="{reverse("public-results", args=[older.pk])}"' in page  # where to go instead
    assert campaign.name not in page


def test_an_agency_not_in_the_publication_has_its_own_page(client, campaign, published):
    r = client.get(reverse("public-agency", args=[campaign.pk, "NOPE"]))
    page = text(r)
    assert r.status_code == 404 and "Không có đơn vị trong kết quả công bố" in page and "«NOPE»" in page
    assert f'href="{reverse("public-results", args=[campaign.pk])}"' in page


# ---------------------------------------------------------------- 6. an agency against its group and over the years


def test_agency_fields_against_the_group_average(client, campaign, published):
    page = text(client.get(reverse("public-agency", args=[campaign.pk, "SA"])))
    assert "So với trung bình" in page
    row = re.search(r"<td>2</td><td>Cải cách thủ tục hành chính</td>(.*?)</tr>", page).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    own, average, diff = (float(c.replace(",", ".").lstrip("+")) for c in cells[2:5])
    assert diff == pytest.approx(own - average) and cells[4][0] in "+-–"


def test_agency_index_and_fields_over_the_published_years(client, campaign, agency_a, agency_b, officer):
    from reports import selectors

    years = published_years(officer, [agency_a, agency_b], campaign=campaign)
    now = years[-1]
    publication = selectors.publication_latest(campaign=now)
    row = selectors.public_ranking(publication=publication).get(agency_code="SA")
    history = selectors.agency_years(campaign=now, publication=publication, row=row)
    assert history.years == [2024, 2025, 2026]
    rows = [selectors.public_ranking(publication=selectors.publication_latest(campaign=c)).get(agency_code="SA")
            for c in years]
    assert history.lines[0].values == [r.index for r in rows]
    field2 = next(line for line in history.lines if line.code == "2")
    assert field2.codes == ["3", "2", "2"]  # 2025's field 2 was 2024's field 3
    f3_2024 = next(f for f in rows[0].data["fields"] if f["code"] == "3")
    assert field2.values[0] == selectors.percent(Decimal(f3_2024["points"]), Decimal(f3_2024["max_points"]))
    assert next(line for line in history.lines if line.code == "3").codes == [None, "3", "3"]  # new in 2025

    page = text(client.get(reverse("public-agency", args=[now.pk, "SA"])))
    section = page[page.index('<section class="public-years"'):page.index("</section>")]
    assert "<th scope=\"col\" class=\"num\">2024</th>" in section and "(mã 3)" in section
    assert "Chỉ số qua các năm" in section and section.count('class="chart-svg"') == 2
    index_row = re.search(r'<tr class="years-index"><th scope="row">Chỉ số chung</th>(.*?)</tr>', section).group(1)
    shown = re.findall(r'<td class="num">([\d,]+)', index_row)
    assert shown == [f"{r.index:.2f}".replace(".", ",") for r in rows]


def test_an_agency_missing_a_year_has_a_gap_not_a_shift(client, campaign, agency_a, agency_b, officer):
    published_years(officer, [agency_a, agency_b], campaign=campaign, skip={2025: ["SB"]})
    page = text(client.get(reverse("public-agency", args=[campaign.pk, "SB"])))
    section = page[page.index('<section class="public-years"'):page.index("</section>")]
    index_row = re.search(r'<tr class="years-index"><th scope="row">Chỉ số chung</th>(.*?)</tr>', section).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', index_row)[1] == "–"  # 2025: not published
    assert "Năm trước: chỉ số" not in page


def test_agency_page_queries_do_not_grow_with_years(client, agency_a, agency_b, officer):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for span in ((2020, 2021), (2021, 2022, 2023, 2024, 2025)):
        cache.clear()
        last = published_years(officer, [agency_a, agency_b], years=span)[-1]
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("public-agency", args=[last.pk, "SA"])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
