"""Numbers typed the Vietnamese way (issue #13, point 1): on the scoring page a score typed
"4,5" autosaves as 4.50 and shows "4,5" again after a reload; "4.5" works too; "4,5,6" is
refused where it was typed, the text stays and nothing is stored; a numerator above the
denominator scores the maximum (point 4)."""
from decimal import Decimal

import pytest

from scoring.models import Assessment, Item
from scoring.services.assessments import assessments_ensure
from tests.factories import group
from tests.scoring.factories import criteria_set_with_tree

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TREE = [
    ("1", "15"),
    ("1.1", "5", "manual", "step=0.5"),
    ("1.2", "5", "manual", "step=0.5"),
    ("1.3", "5", "ratio", ""),
]


@pytest.fixture
def assessment(campaign, staff_a):
    criteria_set_with_tree(TREE, campaign=campaign, group=group("department"))
    assessments_ensure(campaign=campaign)
    return Assessment.objects.get(campaign=campaign, agency__code="SA")


def row(page, code):
    return page.locator(f"tr[data-code='{code}']")


def wait_state(page, code, start):
    page.wait_for_function(
        f"document.querySelector(\"tr[data-code='{code}'] [data-state]\").textContent.startsWith({start!r})")


def stored(assessment, code):
    return Item.objects.get(assessment=assessment, criterion__code=code)


def test_a_score_typed_with_a_decimal_comma_is_saved_and_shown_back(page, live_server, assessment):
    log_in(page, live_server, "staff_a")
    url = f"{live_server.url}/scoring/assessments/{assessment.pk}/"
    page.goto(url)
    score = row(page, "1.1").locator("input[name=score]")
    score.press_sequentially("4,5")
    assert score.input_value() == "4,5"  # a type=number input would have dropped the comma
    wait_state(page, "1.1", "đã lưu")
    assert row(page, "1.1").locator("[data-points]").inner_text() == "4,50"
    assert stored(assessment, "1.1").self_points == Decimal("4.50")
    assert stored(assessment, "1.1").input == {"score": "4.5"}

    other = row(page, "1.2").locator("input[name=score]")
    other.fill("4.5")
    wait_state(page, "1.2", "đã lưu")
    assert stored(assessment, "1.2").self_points == Decimal("4.50")

    ratio = row(page, "1.3")
    ratio.locator("input[name=numerator]").fill("10")
    ratio.locator("input[name=denominator]").fill("8")  # 10 inspections done of 8 planned
    wait_state(page, "1.3", "đã lưu")
    assert ratio.locator("[data-points]").inner_text() == "5,00"
    assert "vượt 100% nên tính 100%" in ratio.locator("[data-reason]").inner_text()

    page.goto(url)
    assert row(page, "1.1").locator("input[name=score]").input_value() == "4,5"
    assert row(page, "1.2").locator("input[name=score]").input_value() == "4,5"

    score = row(page, "1.1").locator("input[name=score]")
    score.fill("")
    score.press_sequentially("4,5,6")
    wait_state(page, "1.1", "'4,5,6' có nhiều dấu phân cách thập phân")
    assert score.input_value() == "4,5,6"
    assert score.get_attribute("aria-invalid") == "true"
    item = stored(assessment, "1.1")
    assert (item.input, item.self_points, item.version) == ({"score": "4.5"}, Decimal("4.50"), 2)


CASES = ["4,5", "4.5", " 4,5 ", "0,125", ",5", "4,", "1 000", "12 500,5", "1.000.000", "1.000,5", "1,000.5", "-2,5",
         "4,5,6", "4.5.6", "4a", "1 00", "1.000", "2,500", "1000.000", "abc", "", "1.000,5,5"]


def test_the_page_and_the_server_read_numbers_alike(page, live_server, assessment):
    """static/js/portal.js parseNumber and cchc_portal/core/numbers.py give one answer."""
    from cchc_portal.core.numbers import NumberError, parse_decimal, parse_integer, plain

    def server(text, integer):
        try:
            return str(parse_integer(text)) if integer else plain(parse_decimal(text))
        except NumberError:
            return None

    log_in(page, live_server, "staff_a")
    for integer in (False, True):
        browser = page.evaluate(
            "([cases, integer]) => cases.map(c => { const r = Portal.parseNumber(c, integer); "
            "return r.ok ? r.text : null; })", [CASES, integer])
        assert dict(zip(CASES, browser, strict=True)) == {c: server(c, integer) for c in CASES}, integer
