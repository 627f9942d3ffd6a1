"""The public results pages as the public reads them, on a 360 × 740 phone and on a desktop:
the ranking as one card per agency on the phone, charts that scale, the agency's figures
apart, the downloads named by year, the "not yet published" page, the agency's years. Each
page passes axe-core (vendored) without serious or critical findings."""
import os
import re

import pytest

from tests.reports.builders import published_years

from .test_survey_journey import axe_findings, with_axe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder: save each page to look at it
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def years(officer, agency_a, agency_b, campaign):
    from campaigns.models import Campaign

    Campaign.objects.filter(pk=campaign.pk).update(name="Chỉ số CCHC 2026")  # as the screenshots show it
    return published_years(officer, [agency_a, agency_b], campaign=campaign, more=6)


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_ranking_on_a_phone_is_one_card_per_agency(page, live_server, years):
    now = years[-1]
    with_axe(page)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/ket-qua/{now.pk}/")
    assert no_sideways_scroll(page)
    cards = page.locator("table.ranking tbody tr")
    assert cards.count() == 8
    for i in range(cards.count()):  # rank, name, index and grade of every agency on screen
        card = cards.nth(i)
        for cell in ("col-rank", "col-name", "col-index", "col-grade"):
            box = card.locator(f"td.{cell}").bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (i, cell)
        assert not card.locator("td.col-total").is_visible()
    assert cards.first.inner_text().split("\n")[:2] == ["1", "Sở Tài chính"]
    labels = [cards.first.locator(f"td.{cell}").evaluate("el => getComputedStyle(el, '::before').content")
              for cell in ("col-index", "col-grade")]
    assert labels == ['"Chỉ số (%)"', '"Xếp loại"']  # each figure says what it is
    # the phone's chart: shown about its drawn size (288 px), so its 12 px text stays readable
    wide, narrow = page.locator(".chart-wide svg").first, page.locator(".chart-narrow svg").first
    assert not wide.is_visible() and narrow.is_visible()
    scale = narrow.bounding_box()["width"] / 288
    assert 0.9 <= scale <= 1.15, scale
    assert axe_findings(page) == []
    shot(page, "public-results-360")

    page.get_by_label("Tìm đơn vị (tên hoặc mã)").fill("y tế")
    page.get_by_role("button", name="Tìm").click()
    page.wait_for_url("**q=**")
    assert cards.count() == 1 and no_sideways_scroll(page)
    page.get_by_role("link", name="Sở Y tế").click()
    page.get_by_role("heading", name="Sở Y tế").wait_for()
    assert no_sideways_scroll(page)
    assert page.locator(".chart-narrow svg").first.is_visible()
    assert axe_findings(page) == []


def test_the_ranking_and_an_agency_on_a_desktop(page, live_server, years):
    now = years[-1]
    with_axe(page)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/ket-qua/{now.pk}/")
    table = page.locator("table.ranking").first
    assert table.locator("thead th").count() == 6 and table.locator("td.col-total").first.is_visible()
    assert page.locator(".chart-wide svg").first.is_visible()
    assert not page.locator(".chart-narrow svg").first.is_visible()
    search = page.get_by_label("Tìm đơn vị (tên hoặc mã)")
    style = search.evaluate("el => { const s = getComputedStyle(el); return [s.borderTopWidth, s.paddingLeft,"
                            " el.getBoundingClientRect().width]; }")
    assert style[0] == "1px" and float(style[1].rstrip("px")) >= 8 and style[2] >= 280
    assert axe_findings(page) == []
    shot(page, "public-results-desktop")

    page.get_by_role("link", name="Sở Tài chính").click()
    page.get_by_role("heading", name="Sở Tài chính").wait_for()
    boxes = page.locator(".summary-stats .stat-box")
    assert boxes.count() == 4
    rects = [boxes.nth(i).bounding_box() for i in range(4)]
    for left, right in zip(rects, rects[1:], strict=False):  # side by side, apart
        assert right["x"] >= left["x"] + left["width"] + 8
    total = boxes.nth(2).locator("dd").inner_text()
    assert re.fullmatch(r"\d+,\d\d / \d+,\d\d", total), total
    years_table = page.get_by_role("region", name="Chỉ số qua các năm")
    assert years_table.locator("thead th").all_inner_texts() == ["Chỉ tiêu", "2024", "2025", "2026"]
    assert page.locator(".public-years .chart-wide svg").is_visible()
    assert axe_findings(page) == []
    shot(page, "public-agency-desktop")
    page.set_viewport_size(PHONE)
    shot(page, "public-agency-360")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["360", "desktop"])
def test_the_official_files_download_named_by_year(page, live_server, years, size):
    now = years[-1]
    page.set_viewport_size(size)
    page.goto(f"{live_server.url}/ket-qua/{now.pk}/")
    for label, name in (("Bản công bố (PDF)", "chi-so-cchc-2026.pdf"),
                        ("Bảng xếp hạng (Excel)", "chi-so-cchc-2026.xlsx")):
        link = page.get_by_role("link", name=label)
        box = link.bounding_box()
        assert box["x"] + box["width"] <= size["width"]
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == name
        assert os.path.getsize(download.value.path()) > 1000


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["360", "desktop"])
def test_an_unpublished_campaign_says_so_in_vietnamese(page, live_server, years, size):
    from tests.factories import CampaignFactory

    draft = CampaignFactory(year=2027, name="Chỉ số CCHC 2027")
    with_axe(page)
    page.set_viewport_size(size)
    response = page.goto(f"{live_server.url}/ket-qua/{draft.pk}/")
    assert response.status == 404
    page.get_by_role("heading", name="Kết quả chưa công bố").wait_for()
    assert no_sideways_scroll(page)
    assert axe_findings(page) == []
    shot(page, f"public-not-published-{'360' if size is PHONE else 'desktop'}")
    page.get_by_role("link", name=years[-1].name).click()  # the published years are offered instead
    page.wait_for_url(f"**/ket-qua/{years[-1].pk}/")
