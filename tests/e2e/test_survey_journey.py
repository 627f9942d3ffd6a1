"""A respondent on a phone: open the personal link, answer with "same answer for all",
reload and resume, send, see the thank-you. The page passes axe-core (vendored for this
test) without serious or critical findings, and every control has a name."""
from pathlib import Path

import pytest

from surveys.answers import expand_pending
from surveys.models import Answer, Invitation
from tests.surveys.conftest import _fresh_cache, invite, survey  # noqa: F401 - fixtures of the survey tests

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"  # only tests use it: not in static/


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


def test_a_respondent_answers_on_a_phone(phone_page, live_server, survey, invite, commune, agency_a, agency_b):  # noqa: F811
    invitation, token = invite(commune, "an@example.vn", name="Nguyễn Văn An")
    page = phone_page
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
    assert page.locator("fieldset.sv-row > legend").count() == 4

    page.get_by_role("button", name="Câu 1: chọn A (Tốt) cho tất cả đơn vị").click()
    page.get_by_role("button", name="Câu 2: chọn B (Khá) cho tất cả đơn vị").click()
    page.locator(f"input[name=q{survey.q2.pk}_a{agency_b.pk}][value=D]").check()
    page.get_by_label("Nữ").check()
    page.get_by_label("Câu 4. Góp ý khác").fill("Cần rút ngắn thời gian giải quyết hồ sơ")
    assert page.locator("[data-total-answered]").inner_text() == "6"
    page.wait_for_function("document.querySelector('[data-saved-status]').textContent.startsWith('Đã lưu lúc')")
    page.wait_for_function(f"""async () => (await fetch('{live_server.url}/s/{token}/').then(r => r.text()))
        .includes('Cần rút ngắn thời gian')""")

    page.reload()
    for agency in (agency_a, agency_b):
        assert page.locator(f"input[name=q{survey.q1.pk}_a{agency.pk}][value=A]").is_checked()
    assert page.locator(f"input[name=q{survey.q2.pk}_a{agency_a.pk}][value=B]").is_checked()
    assert page.locator(f"input[name=q{survey.q2.pk}_a{agency_b.pk}][value=D]").is_checked()
    assert page.get_by_label("Nữ").is_checked()
    assert page.get_by_label("Câu 4. Góp ý khác").input_value() == "Cần rút ngắn thời gian giải quyết hồ sơ"

    page.get_by_role("button", name="Gửi phiếu").click()
    page.get_by_role("heading", name="Cảm ơn ông/bà đã trả lời phiếu.").wait_for()
    assert "Cần rút ngắn" not in page.content()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED
    assert expand_pending() == 1  # the tick's work (the points do it too): the sent form's counted rows
    assert sorted(Answer.objects.filter(response__invitation=invitation, question=survey.q2)
                  .values_list("option", flat=True)) == ["B", "D"]

    page.goto(f"{live_server.url}/s/{token}/")  # the link again: the thank-you, read-only
    assert page.get_by_role("heading", name="Cảm ơn ông/bà đã trả lời phiếu.").is_visible()
    assert page.locator("input[type=radio]").count() == 0


def test_a_missing_row_is_pointed_at_and_reachable_by_keyboard(phone_page, live_server, survey, invite,  # noqa: F811
                                                                commune, agency_a, agency_b):
    _, token = invite(commune, "binh@example.vn")
    page = phone_page
    page.goto(f"{live_server.url}/s/{token}/")
    page.get_by_role("button", name="Câu 1: chọn C (Trung bình) cho tất cả đơn vị").click()
    page.get_by_label("Nam", exact=True).check()
    page.get_by_role("button", name="Gửi phiếu").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Còn 2 câu/dòng chưa trả lời." in alert.inner_text()
    assert page.evaluate("document.activeElement.id") == "sv-errors"
    page.get_by_role("link", name=f"Câu 2 – {agency_a.name}").click()
    assert page.url.endswith(f"#q{survey.q2.pk}_a{agency_a.pk}")
    first = page.locator(f"input[name=q{survey.q1.pk}_a{agency_a.pk}][value=C]")
    assert first.is_checked()  # what was answered before sending is kept
    radio = page.locator(f"input[name=q{survey.q2.pk}_a{agency_a.pk}][value=A]")
    radio.focus()
    page.keyboard.press("ArrowRight")  # arrows move within one row's radio group
    assert page.locator(f"input[name=q{survey.q2.pk}_a{agency_a.pk}][value=B]").is_checked()
