"""The scoring page by keyboard and at a glance (issue #13, points 3 and 8).

A focal officer enters the demo's 34-item department set with the keyboard alone: one Tab
stop per input, from an item's input to its explanation to the next item (at most 3 Tab
presses per item), no "Lưu" button, every row saved ("đã lưu hh:mm") by leaving the field or
Ctrl+S. A penalty reads "Điểm trừ", "số điểm bị trừ" and "−4,50" in red, with the deduction on
its field's line and in the total; a bonus reads "+"."""
import re

import pytest

from reports.management.demo.criteria import DEPARTMENT_ROWS
from scoring.models import Assessment, Item
from scoring.services.assessments import assessments_ensure
from tests.factories import group
from tests.scoring.factories import criteria_set_with_tree

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TYPED = {"manual", "bonus", "penalty", "imported", "deduction", "levels", "bands", "ratio"}


def _demo_rows():
    """The demo department set (34 items) as build_tree rows."""
    return [(code, max_points, rule, params, {"title": title, "evidence_required": evidence == "x",
                                                "guidance": guidance})
            for code, title, max_points, rule, params, evidence, guidance in DEPARTMENT_ROWS]


@pytest.fixture
def demo_assessment(campaign, staff_a):
    criteria_set_with_tree(_demo_rows(), campaign=campaign, group=group("department"))
    assessments_ensure(campaign=campaign)
    return Assessment.objects.get(campaign=campaign, agency__code="SA")


def _focus(page):
    """(row code, field name) of the focused element."""
    return tuple(page.evaluate(
        "() => { const el = document.activeElement; const tr = el && el.closest('tr.leaf');"
        " return [tr ? tr.dataset.code : null, el ? (el.name || el.tagName) : null]; }"))


def _wait_saved(page, code):
    page.wait_for_function(f"document.querySelector(\"tr[data-code='{code}']\").dataset.saveState === 'saved'")


def _value_for(rule, max_points):
    if rule in ("bands", "ratio"):
        return ["9", "10"]
    if rule == "deduction":
        return ["1"]
    if rule == "levels":
        return None  # ArrowDown picks the first level
    return ["1" if float(max_points) >= 1 else "0.5"]


def test_a_34_item_set_is_entered_by_keyboard_alone(page, live_server, demo_assessment):
    items = {i.criterion.code: i for i in Item.objects.filter(assessment=demo_assessment).select_related("criterion")}
    assert len(items) == 34
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/scoring/assessments/{demo_assessment.pk}/")
    assert page.locator("button", has_text=re.compile(r"^Lưu$")).count() == 0  # autosave: no per-row button
    order = page.eval_on_selector_all("tr.leaf", "rows => rows.map(r => [r.dataset.code, r.dataset.rule])")
    typed = [(code, rule) for code, rule in order if rule in TYPED]
    assert len(order) == 34 and len(typed) == 28  # 6 survey items take no input

    first = typed[0][0]
    page.locator(f"tr[data-code='{first}'] select, tr[data-code='{first}'] input:not([type=hidden])").first.focus()
    presses = {}
    for n, (code, rule) in enumerate(typed):
        tabs = 0
        max_points = items[code].criterion.max_points
        values = _value_for(rule, max_points)
        assert _focus(page)[0] == code, (code, _focus(page))
        if values is None:
            page.keyboard.press("ArrowDown")
        else:
            for i, value in enumerate(values):
                page.keyboard.type(value)
                if i < len(values) - 1:
                    page.keyboard.press("Tab")
                    tabs += 1
        page.keyboard.press("Tab")
        tabs += 1
        assert _focus(page) == (code, "explanation"), (code, _focus(page))
        page.keyboard.type(f"Giải trình {code}")
        if n < len(typed) - 1:
            page.keyboard.press("Tab")
            tabs += 1
            # leaving the item saved it; a person types slower than this loop: the next item
            # waits for it (the test server shares one SQLite connection between requests)
            _wait_saved(page, code)
        else:
            page.keyboard.press("Control+s")
        presses[code] = tabs
    assert max(presses.values()) <= 3, presses
    assert sum(presses.values()) == sum(3 if r in ("bands", "ratio") else 2 for _c, r in typed) - 1

    page.wait_for_function("[...document.querySelectorAll('tr.leaf[data-editable]')]"
                           ".every(tr => tr.dataset.saveState === undefined || tr.dataset.saveState === 'saved')")
    page.wait_for_function("[...document.querySelectorAll('tr.leaf[data-editable] [data-state]')]"
                           ".every(s => /^đã lưu \\d\\d:\\d\\d$/.test(s.textContent.trim()))")
    for code, rule in typed:
        item = Item.objects.get(pk=items[code].pk)
        assert item.input and item.explanation == f"Giải trình {code}", (code, item.input, item.explanation)
        if rule in ("bands", "ratio"):
            assert (str(item.input["numerator"]), str(item.input["denominator"])) == ("9", "10")


def test_the_unscored_filter_hides_empty_fields(page, live_server, demo_assessment, staff_a):
    from scoring.services.assessments import item_update

    for item in Item.objects.filter(assessment=demo_assessment, criterion__code__startswith="2.").select_related(
            "criterion"):
        raw = {"levels": None, "bands": {"numerator": 1, "denominator": 1},
               "ratio": {"numerator": 1, "denominator": 1}}.get(item.criterion.rule, {"score": "1"})
        if item.criterion.rule == "levels":
            raw = {"level": item.criterion.params["levels"][0]["label"]}
        item_update(assessment=demo_assessment, code=item.criterion.code, input=raw, explanation="x",
                    version=item.version, user=staff_a)
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/scoring/assessments/{demo_assessment.pk}/")
    field2 = page.locator("details.sa-field[data-field='2']")
    assert field2.is_visible()
    page.get_by_label("Chưa chấm").check()
    assert not field2.is_visible()  # every item of field 2 is scored: no empty header
    assert page.locator("details.sa-field[data-field='1']").is_visible()
    page.get_by_label("Tất cả").check()
    assert field2.is_visible()


def test_penalty_and_bonus_read_as_what_they_are(page, live_server, demo_assessment, staff_a):
    from evidence.services import document_upload
    from scoring.services.assessments import item_link_documents
    from tests.scoring.assessment_support import pdf_file

    kinds = dict(Item.objects.filter(assessment=demo_assessment, criterion__rule__in=["bonus", "penalty"])
                 .values_list("criterion__rule", "criterion__code"))
    doc, _created = document_upload(agency=demo_assessment.agency, campaign=demo_assessment.campaign, user=staff_a,
                                    file=pdf_file(), name="kl.pdf", number="12/KL-TTr")
    # both need evidence: with it, what is typed counts
    item_link_documents(assessment=demo_assessment, codes=list(kinds.values()), documents=[doc], user=staff_a)
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/scoring/assessments/{demo_assessment.pk}/")
    penalty = page.locator(f"tr[data-code='{kinds['penalty']}']")
    bonus = page.locator(f"tr[data-code='{kinds['bonus']}']")
    assert penalty.locator(".tag", has_text="Điểm trừ").is_visible()
    assert bonus.locator(".tag", has_text="Điểm thưởng").is_visible()

    penalty.get_by_label("Số điểm bị trừ").fill("4.5")
    penalty.get_by_label("Số điểm bị trừ").press("Tab")
    penalty.locator("[data-state]", has_text="đã lưu").wait_for()
    points = penalty.locator("[data-points]")
    assert points.inner_text() == "−4,50"
    assert "pts-minus" in points.get_attribute("class")
    assert points.evaluate("el => getComputedStyle(el).color") == "rgb(179, 38, 30)"  # var(--red)
    field = kinds["penalty"].split(".")[0]
    out = page.locator(f"[data-out='{field}'] [data-out-penalty]")
    assert out.is_visible() and out.inner_text() == "Điểm trừ −4,50"
    assert page.locator("[data-penalty]").inner_text() == "−4,50"

    bonus.get_by_label("Số điểm thưởng").fill("1.5")
    bonus.get_by_label("Số điểm thưởng").press("Tab")
    bonus.locator("[data-state]", has_text="đã lưu").wait_for()
    assert bonus.locator("[data-points]").inner_text() == "+1,50"
    assert page.locator("[data-bonus]").inner_text() == "+1,50"
    # after a reload the server says the same
    page.reload()
    assert page.locator(f"tr[data-code='{kinds['penalty']}'] [data-points]").inner_text() == "−4,50"
    assert page.locator(f"[data-out='{field}'] [data-out-penalty]").inner_text() == "Điểm trừ −4,50"
    assert page.locator("[data-bonus]").inner_text() == "+1,50"


def test_ctrl_enter_reaches_a_rows_evidence_and_explanations_grow(page, live_server, demo_assessment):
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/scoring/assessments/{demo_assessment.pk}/")
    row = page.locator("tr[data-code='1.1.3']")
    explanation = row.locator("textarea[name=explanation]")
    height = explanation.evaluate("el => el.getBoundingClientRect().height")
    explanation.focus()
    page.keyboard.type("Dòng một\nDòng hai\nDòng ba\nDòng bốn\nDòng năm\nDòng sáu")
    assert explanation.evaluate("el => el.getBoundingClientRect().height") > height * 1.5  # it grew
    assert row.get_by_role("link", name="Đính kèm").get_attribute("tabindex") == "-1"  # out of the Tab order
    page.keyboard.press("Control+Enter")
    assert page.evaluate("document.activeElement.textContent") == "Đính kèm"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Tải lên"
    page.keyboard.press("Escape")
    assert _focus(page) == ("1.1.3", "explanation")
    page.keyboard.press("Control+s")
    row.locator("[data-state]", has_text="đã lưu").wait_for()
    assert Item.objects.get(assessment=demo_assessment, criterion__code="1.1.3").explanation.endswith("Dòng sáu")
    page.keyboard.press("Tab")  # tools closed again: on to the next item
    assert _focus(page)[0] == "1.1.4"
