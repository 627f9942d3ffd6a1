"""A respondent on a 360 × 740 phone: open the personal link, go through the questionnaire
one section per screen ("Tiếp / Quay lại", "Phần 2/3 · 4/6 câu"), answer with "same answer
for all", reload and resume on the first section with missing rows, try to send too early
(one line per section, the keyboard on the first missing row), complete, send, see the
thank-you. Without JavaScript the page is one long form that works as well. The page passes
axe-core (vendored for this test) without serious or critical findings at 360 px and on a
desktop, and every control has a name."""
import os
from pathlib import Path

import pytest

from surveys.answers import expand_pending
from surveys.models import Answer, Invitation
from tests.factories import AgencyFactory, group
from tests.surveys.conftest import _fresh_cache, invite, survey  # noqa: F401 - fixtures of the survey tests

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"  # only tests use it: not in static/
SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder: save the pages to look at them
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def with_axe(page):
    """axe-core in every page the test opens: an init script, which the pages' Content-Security-Policy
    (scripts from the portal's own files only) lets through where an injected <script> is refused."""
    page.add_init_script(path=str(AXE))


def axe_findings(page):
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def shot(page, name):
    if SHOTS:  # the screen as the respondent sees it (a full page would draw the sticky bar mid-page)
        page.screenshot(path=f"{SHOTS}/{name}.png")


@pytest.fixture
def small_phone(browser, transactional_db, live_server):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", bypass_csp=True,
                                  viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def progress(page):
    return " ".join(page.locator(".sv-progress").inner_text().split()[:5])


def visible_sections(page):
    return page.evaluate("[...document.querySelectorAll('section.sv-section')].filter(s => !s.hidden)"
                         ".map(s => s.dataset.section)")


def row(page, survey_question, agency):
    return page.locator(f"#q{survey_question.pk}_a{agency.pk}")


def test_a_respondent_answers_on_a_phone_one_section_at_a_time(small_phone, live_server, survey, invite, commune,  # noqa: F811
                                                              agency_a, agency_b):
    invitation, token = invite(commune, "an@example.vn", name="Nguyễn Văn An")
    page = small_phone
    with_axe(page)
    page.goto(f"{live_server.url}/s/{token}/")
    assert page.locator("h1").inner_text() == "Phiếu điều tra xã hội học"
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scroll
    assert axe_findings(page) == []
    unnamed = page.evaluate("""() => [...document.querySelectorAll('form.sv-form input:not([type=hidden]),'
        + 'form.sv-form textarea, form.sv-form button')].filter(el => !(el.labels && el.labels.length)
        && !el.getAttribute('aria-label') && !el.textContent.trim()).length""")
    assert unnamed == 0
    assert visible_sections(page) == ["1"] and progress(page) == "Phần 1/3 · 0/6 câu"
    back, forward = page.get_by_role("button", name="Quay lại"), page.get_by_role("button", name="Tiếp")
    assert not back.is_visible() and forward.is_visible()
    assert not page.get_by_role("button", name="Lưu tạm").is_visible()  # saved as they go
    # each button says what it means
    assert row(page, survey.q1, agency_a).locator("label").all_inner_texts() == [
        "A · Tốt", "B · Khá", "C · Trung bình", "D · Kém", "E · Không biết"]

    page.get_by_role("button", name="Câu 1: chọn A · Tốt cho tất cả đơn vị").click()
    assert progress(page) == "Phần 1/3 · 2/6 câu"
    forward.click()
    assert visible_sections(page) == ["2"] and progress(page) == "Phần 2/3 · 2/6 câu"
    assert page.evaluate("document.activeElement.id") == "sec-2-h"  # the new screen's heading
    assert page.evaluate("document.getElementById('sec-2').getBoundingClientRect().top") < 20  # at the top
    assert back.is_visible()
    row(page, survey.q2, agency_a).get_by_label("B · Khá").check()
    page.wait_for_function("document.querySelector('[data-saved-status]').textContent.startsWith('Đã lưu lúc')")
    page.wait_for_function(f"""async () => (await fetch('{live_server.url}/s/{token}/').then(r => r.text()))
        .includes('name="q{survey.q2.pk}_a{agency_a.pk}" value="B" checked')""")

    page.reload()  # resume: the first section with a missing row
    assert visible_sections(page) == ["2"] and progress(page) == "Phần 2/3 · 3/6 câu"
    assert row(page, survey.q2, agency_a).locator("input[value=B]").is_checked()
    forward.click()
    assert visible_sections(page) == ["3"] and not forward.is_visible()
    page.get_by_label("Câu 4. Góp ý khác").fill("Cần rút ngắn thời gian giải quyết hồ sơ")

    page.get_by_role("button", name="Gửi phiếu").click()  # too early: two rows left
    alert = page.get_by_role("alert")
    alert.wait_for()
    text = alert.inner_text()
    assert "Còn 2 câu/dòng chưa trả lời." in text
    assert "Còn 1 câu chưa trả lời ở phần 2 (Thủ tục)" in text
    assert "Còn 1 câu chưa trả lời ở phần 3 (Thông tin chung)" in text
    assert alert.get_by_role("link").count() == 2  # one line per section, not one link per row
    assert visible_sections(page) == ["2"] and progress(page) == "Phần 2/3 · 4/6 câu"
    focused = page.evaluate("document.activeElement.closest('fieldset.sv-row').id")
    assert focused == f"q{survey.q2.pk}_a{agency_b.pk}"  # the keyboard is on the first missing row
    note = page.locator("[data-section-note]")
    assert note.inner_text() == "Còn 1 câu chưa trả lời ở phần 2"
    assert axe_findings(page) == []
    shot(page, "survey-missing-360")
    page.keyboard.press("ArrowRight")  # arrows move within the row's radio group and choose
    assert row(page, survey.q2, agency_b).locator("input:checked").count() == 1
    assert not note.is_visible()
    assert progress(page) == "Phần 2/3 · 5/6 câu"

    alert.get_by_role("link", name="Còn 1 câu chưa trả lời ở phần 3").click()
    assert visible_sections(page) == ["3"]
    assert page.evaluate("document.activeElement.name") == f"q{survey.q3.pk}"
    page.keyboard.press("Space")
    assert page.get_by_label("Nam", exact=True).is_checked()
    assert progress(page) == "Phần 3/3 · 6/6 câu"
    back.click()
    assert visible_sections(page) == ["2"]

    page.get_by_role("button", name="Gửi phiếu").click()
    page.get_by_role("heading", name="Cảm ơn ông/bà đã trả lời phiếu.").wait_for()
    assert "Cần rút ngắn" not in page.content()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED
    assert expand_pending() == 1  # the tick's work (the points do it too): the sent form's counted rows
    assert sorted(Answer.objects.filter(response__invitation=invitation, question=survey.q2)
                  .values_list("option", flat=True)) == ["B", "B"]

    page.goto(f"{live_server.url}/s/{token}/")  # the link again: the thank-you, read-only
    assert page.get_by_role("heading", name="Cảm ơn ông/bà đã trả lời phiếu.").is_visible()
    assert page.locator("input[type=radio]").count() == 0


def test_without_javascript_the_page_is_one_long_form(browser, live_server, survey, invite, commune,  # noqa: F811
                                                      agency_a, agency_b):
    invitation, token = invite(commune, "binh@example.vn")
    context = browser.new_context(locale="vi-VN", java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{live_server.url}/s/{token}/")
        assert page.locator("section.sv-section:visible").count() == 3  # every section on the page
        assert not page.get_by_role("button", name="Tiếp").is_visible()
        assert page.locator(".sv-progress").inner_text().startswith("0/6 câu")
        page.get_by_role("button", name="Câu 1: chọn C · Trung bình cho tất cả đơn vị").click()  # posts
        page.wait_for_url(f"**/s/{token}/?saved=1#q{survey.q1.pk}")
        page.get_by_label("Nữ").check()
        page.get_by_role("button", name="Gửi phiếu").click()
        alert = page.get_by_role("alert")
        assert "Còn 1 câu chưa trả lời ở phần 2" not in alert.inner_text()
        assert "Còn 2 câu chưa trả lời ở phần 2 (Thủ tục)" in alert.inner_text()
        alert.get_by_role("link").click()
        assert page.url.endswith(f"#q{survey.q2.pk}_a{agency_a.pk}")
        for agency in (agency_a, agency_b):
            row(page, survey.q2, agency).get_by_label("D · Kém").check()
        page.get_by_role("button", name="Gửi phiếu").click()
        page.get_by_role("heading", name="Cảm ơn ông/bà đã trả lời phiếu.").wait_for()
    finally:
        context.close()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED


def test_the_page_on_a_desktop_and_a_phone_with_labels_that_change_per_question(
        browser, live_server, survey, invite, commune, campaign):  # noqa: F811
    for code, name in [("SC", "Sở Xây dựng"), ("SD", "Sở Công Thương"), ("SE", "Sở Y tế")]:
        campaign.agencies.add(AgencyFactory(code=code, name=name, group=group("department")))
    survey.q2.text = "Thời gian giải quyết thủ tục hành chính"
    survey.q2.options = [{"key": "A", "label": "Rất kịp thời", "weight": "100"},
                         {"key": "B", "label": "Kịp thời", "weight": "60"},
                         {"key": "C", "label": "Còn chậm", "weight": "20"},
                         {"key": "D", "label": "Rất chậm", "weight": "0"},
                         {"key": "E", "label": "Không biết", "weight": None}]
    survey.q2.save()
    survey.ldx.instructions = ("Mỗi câu hỏi có một dòng cho từng cơ quan được đánh giá; chọn một phương án "
                               "cho mỗi dòng (“Không biết” không tính vào kết quả).")
    survey.ldx.save()
    _, token = invite(commune, "chi@example.vn", name="Trần Thị Chi")
    for viewport, suffix in ((DESKTOP, "desktop"), (PHONE, "360")):
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", bypass_csp=True,
                                      viewport=viewport, is_mobile=viewport is PHONE)
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            with_axe(page)
            page.goto(f"{live_server.url}/s/{token}/")
            assert progress(page) == "Phần 1/3 · 0/12 câu"
            page.get_by_role("button", name="Tiếp").click()
            assert page.locator(f"#q{survey.q2.pk} fieldset.sv-row").first.locator("label").first.inner_text() \
                == "A · Rất kịp thời"  # what A means here, on the button itself
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
            assert axe_findings(page) == []
            shot(page, f"survey-labels-{suffix}")
        finally:
            context.close()
