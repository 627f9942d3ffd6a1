import re

import pytest

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_agency_staff_log_in_in_vietnamese_and_see_open_step_countdown(page, live_server, campaign, staff_a):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "vi"
    log_in(page, live_server, "staff_a")
    step = page.locator(".open-step", has_text="Tự đánh giá, chấm điểm")
    step.wait_for()
    countdown = step.locator(".countdown")
    # the countdown ticks in the browser: "4 ngày 23:59:58"
    page.wait_for_function("document.querySelector('.open-step .countdown').textContent.includes(':')")
    assert re.match(r"^\d+ ngày \d\d:\d\d:\d\d$", countdown.inner_text().strip())
    page.get_by_role("link", name="Xem kế hoạch").click()
    assert page.locator(".tl-today").count() == 1
    assert page.locator(".tl-bar.open").count() == 1
