"""Issue #14.2 in the browser, under the portal's Content-Security-Policy: inline script is
refused, the pages refuse nothing of their own, and what the templates did with onchange=
still works from static/js/portal.js."""
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.surveys.conftest import _fresh_cache, invite, survey  # noqa: F401 - fixtures of the survey tests

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_inline_script_is_refused_and_the_language_switch_still_works(strict_page, live_server, staff_a):
    page = strict_page
    log_in(page, live_server, "staff_a")
    ran = page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.injected = 1'; document.head.appendChild(s); return window.injected === 1; }""")
    assert ran is False
    page.wait_for_timeout(300)  # the refusal's console message
    assert page.csp_refusals, "the browser did not report the refusal"
    page.csp_refusals.clear()  # that refusal was the point; any other fails the test
    page.select_option("#lang-select", "en")  # no button: the select submits itself (data-autosubmit)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_the_answer_page_works_under_the_policy(strict_page, live_server, survey, invite, commune):  # noqa: F811
    _invitation, token = invite(commune, "an@example.vn")
    page = strict_page
    page.goto(live_server.url + reverse("surveys:answer", kwargs={"token": token}))
    expect(page.locator("h1")).to_have_text("Phiếu điều tra xã hội học")
    page.get_by_role("button", name="Câu 1: chọn A · Tốt cho tất cả đơn vị").click()  # survey.js
    expect(page.locator("input[type=radio][value=A]:checked")).to_have_count(2)
    expect(page.locator("[data-saved-status]")).to_contain_text("Đã lưu lúc")  # the autosave's fetch
