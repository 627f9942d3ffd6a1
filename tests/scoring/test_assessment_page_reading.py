"""Issue #13: the scoring page reads as what it is.

Point 3: a penalty item is labelled "Điểm trừ", its input "Số điểm bị trừ", its points
"−4,50" (red class), its field's line and the total show the deduction; a bonus "+"; the same
in the score sheet, the PDF and Excel reports and the appraisal page.
Point 8: no per-row "Lưu" button beside autosave (kept for pages without script), each row
says when it was saved, read-only explanations are text (no Tab stop), the fields share
their columns.
Point 9: once sent, the page says what happens next with the plan's dates instead of the
countdown; a leader approving with unscored items is told how many and which."""
import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cchc_portal.core.templatetags.portal import sign_class, signed_points
from scoring import engine
from scoring.models import Assessment
from scoring.services.assessments import assessment_send_to_leader, item_update
from tests.factories import StepFactory

from .assessment_support import item

pytest_plugins = ["tests.scoring.assessment_fixtures"]  # sa_set, assessments, assessment_a/b (SMALL_TREE)
pytestmark = pytest.mark.django_db


def page_url(a):
    return reverse("scoring:assessment_page", args=[a.pk])


def save(a, code, user, **raw):
    return item_update(assessment=a, code=code, input=raw, explanation="", version=item(a, code).version, user=user)


def leaf_html(html, code):
    start = html.index(f'id="item-{code}"')
    end = html.find("</tr>", start)
    return html[start:end]


# ---------------------------------------------------------------- point 3


@pytest.mark.parametrize("value, kind, text, cls", [
    (Decimal("4.5"), "penalty", "\u22124,50", "pts-minus"),
    (Decimal("2"), "bonus", "+2,00", "pts-plus"),
    (Decimal("-1.5"), "mixed", "\u22121,50", "pts-minus"),
    (Decimal("0"), "penalty", "0,00", ""),
    (Decimal("4.5"), "base", "4,50", ""),
    (None, "penalty", "–", ""),
])
def test_signed_points_follow_the_kind(value, kind, text, cls):
    assert signed_points(value, kind) == text and sign_class(value, kind) == cls


def test_the_engine_says_each_nodes_kind_and_what_a_field_adds_and_takes_off():
    nodes = [engine.Node("1", "A", Decimal("10"), "sum"), engine.Node("1.1", "a", Decimal("10"), "manual"),
             engine.Node("1.2", "b", Decimal("2"), "bonus"), engine.Node("1.3", "p", Decimal("5"), "penalty"),
             engine.Node("2", "P", Decimal("5"), "penalty")]
    result = engine.score(nodes, inputs={"1.1": {"score": "8"}, "1.2": {"score": "1"}, "1.3": {"score": "4.5"},
                                         "2": {"score": "1"}})
    assert result.kinds == {"1": "base", "1.1": "base", "1.2": "bonus", "1.3": "penalty", "2": "penalty"}
    assert result.outside("1") == (Decimal("1.00"), Decimal("4.50"))
    assert result.total == Decimal("8") + 1 - Decimal("4.5") - 1


def test_the_page_labels_a_penalty_and_signs_its_points(login, assessment_a, staff_a):
    save(assessment_a, "2.3", staff_a, score="1.5")  # SMALL_TREE: 2.3 penalty (max 2), 1.4 bonus
    save(assessment_a, "1.4", staff_a, score="2")
    html = login(staff_a).get(page_url(assessment_a)).content.decode()
    penalty = leaf_html(html, "2.3")
    assert '<span class="tag tag-penalty">Điểm trừ</span>' in penalty
    assert re.search(r'<label class="sa-kind-label" for="i\d+-score">Số điểm bị trừ', penalty)
    assert '<output data-points class="pts-minus">\u22121,50</output>' in penalty
    bonus = leaf_html(html, "1.4")
    assert '<span class="tag tag-bonus">Điểm thưởng</span>' in bonus and "Số điểm thưởng" in bonus
    assert '<output data-points class="pts-plus">+2,00</output>' in bonus
    # field 2's line shows what its penalty takes off, field 1's what its bonus adds; the total both
    field2 = html[html.index('data-field="2"'):html.index("</summary>", html.index('data-field="2"'))]
    assert 'data-out-penalty>Điểm trừ <span data-out-value class="pts-minus">\u22121,50</span>' in field2
    assert 'data-out-bonus hidden>' in field2
    field1 = html[html.index('data-field="1"'):html.index("</summary>", html.index('data-field="1"'))]
    assert 'data-out-bonus>Điểm thưởng <span data-out-value class="pts-plus">+2,00</span>' in field1
    assert '<span data-penalty class="pts-minus">\u22121,50</span>' in html
    assert '<span data-bonus class="pts-plus">+2,00</span>' in html


def test_score_sheet_pdf_and_excel_sign_bonus_and_penalty(login, assessment_a, staff_a, officer):
    save(assessment_a, "2.3", staff_a, score="1.5")
    client = login(officer)
    url = reverse("reports-score-sheet", args=[assessment_a.campaign.pk, assessment_a.agency.code])
    html = client.get(url).content.decode()
    assert '<span class="tag tag-penalty">Điểm trừ</span>' in html
    assert '<span class="pts-minus">\u22121,50</span>' in html and "Điểm trừ (ngoài điểm tối đa)" in html
    wb = openpyxl.load_workbook(BytesIO(b"".join(client.get(url + "score-sheet.xlsx").streaming_content)))
    rows = {r[0]: r for r in wb.active.iter_rows(values_only=True)}
    assert rows["2.3"][1].endswith("(điểm trừ)") and rows["2.3"][3] == -1.5
    from scoring.exports import report_context, report_xlsx

    pdf_html = render_to_string("scoring/assessment/report_pdf.html", report_context(assessment=assessment_a))
    assert '<td class="num pts-minus">\u22121,50</td>' in pdf_html and "(điểm trừ)" in pdf_html
    from reports.selectors import score_sheet

    sheet_pdf = render_to_string("reports/pdf/score_sheet.html", {
        "sheet": score_sheet(assessment=assessment_a),
        "assessment": assessment_a, "agency": assessment_a.agency, "campaign": assessment_a.campaign,
        "header": {}})
    assert "pts-minus\">\u22121,50" in sheet_pdf
    ws = openpyxl.load_workbook(BytesIO(report_xlsx(assessment=assessment_a)))["Tự đánh giá"]
    cells = {r[0].value: r for r in ws.iter_rows() if r[0].value}
    assert cells["2.3"][1].value.endswith("(điểm trừ)") and cells["2.3"][3].value == -1.5
    assert '"\u2212"' in cells["2.3"][3].number_format


def test_the_appraisal_page_signs_a_bonus(login, campaign, agency_a, staff_a, leader_a, officer, appraiser):
    from tests.scoring.appraisal_support import assign, submit, world

    w = world(campaign, agency_a)
    submit(w.a, staff=staff_a, leader=leader_a)  # bonus "4" self-scored 0.5
    assign(campaign, appraiser, ["4"], officer=officer)
    html = login(appraiser).get(reverse("scoring:appraisal_page", args=[w.a.pk])).content.decode()
    head = html[html.index('id="item-4"'):]
    assert '<span class="tag tag-bonus">Điểm thưởng</span>' in head
    assert '<span class="ap-points pts-plus">+0,50</span>' in head and "Số điểm thưởng (thẩm định)" in head


# ---------------------------------------------------------------- point 8


def test_rows_save_by_themselves_and_say_when(login, assessment_a, staff_a):
    save(assessment_a, "1.1.3", staff_a, score="0.5")
    html = login(staff_a).get(page_url(assessment_a)).content.decode()
    row = leaf_html(html, "1.1.3")
    # the plain button only where there is no script (autosave saves otherwise)
    assert '<noscript><button type="submit" class="btn btn-small sa-save">Lưu</button></noscript>' in row
    assert re.findall(r"(?<!<noscript>)<button[^>]*sa-save", html) == []
    when = timezone.localtime(item(assessment_a, "1.1.3").updated_at).strftime("%H:%M")
    assert f'<span class="sa-saved" data-state aria-live="polite">đã lưu {when}</span>' in row
    assert 'aria-live="polite"></span>' in leaf_html(html, "1.2")  # never saved: nothing to say
    # every field's table has the same columns
    assert html.count('<colgroup><col class="c-code">') == html.count('class="sa-table"') == 2
    # the item's JSON answer says the minute, as the row does
    r = login(staff_a).post(f"{page_url(assessment_a)}items/1.1.3/save/",
                            {"version": item(assessment_a, "1.1.3").version, "score": "1"},
                            HTTP_ACCEPT="application/json")
    assert re.fullmatch(r"\d\d:\d\d", r.json()["saved_at"]) and r.json()["penalty"] == "0.00"


def test_a_read_only_explanation_is_text_not_a_tab_stop(login, assessment_a, staff_a, leader_a):
    item_update(assessment=assessment_a, code="1.1.3", input={"score": "1"}, explanation="Đủ 4 báo cáo\nquý",
                version=1, user=staff_a)
    assessment_send_to_leader(assessment=assessment_a, user=staff_a)
    row = leaf_html(login(leader_a).get(page_url(assessment_a)).content.decode(), "1.1.3")
    assert '<div class="sa-expl-text">Đủ 4 báo cáo<br>quý</div>' in row and "<textarea" not in row


# ---------------------------------------------------------------- point 9


def test_after_sending_the_page_says_what_happens_next(login, assessment_a, staff_a, leader_a):
    campaign = assessment_a.campaign
    start = timezone.now() + timedelta(days=6)
    StepFactory(campaign=campaign, kind="appraisal", opens_at=start, closes_at=start + timedelta(days=7))
    html = login(staff_a).get(page_url(assessment_a)).content.decode()
    assert 'id="sa-deadline"' in html and 'id="sa-next"' not in html  # still scoring: the countdown

    assessment_send_to_leader(assessment=assessment_a, user=staff_a)
    a = Assessment.objects.get(pk=assessment_a.pk)
    html = login(staff_a).get(page_url(a)).content.decode()
    sent = timezone.localtime(a.sent_to_leader_at).strftime("%H:%M %d/%m/%Y")
    closes = campaign.steps.get(kind="self_assessment").closes_at
    assert 'id="sa-deadline"' not in html and "countdown" not in html
    assert f"Đã trình lãnh đạo đơn vị duyệt lúc {sent}." in html
    assert ("Tiếp theo: lãnh đạo đơn vị duyệt và gửi Sở Nội vụ, hạn "
            f"{timezone.localtime(closes).strftime('%H:%M %d/%m/%Y')}.") in html

    login(leader_a).post(reverse("scoring:assessment_approve", args=[a.pk]))
    a.refresh_from_db()
    html = login(staff_a).get(page_url(a)).content.decode()
    assert f"Đã gửi Sở Nội vụ lúc {timezone.localtime(a.submitted_at).strftime('%H:%M %d/%m/%Y')}" in html
    assert (f"Tổ thẩm định xem xét bản tự đánh giá từ {timezone.localtime(start).strftime('%H:%M %d/%m/%Y')} đến "
            f"{timezone.localtime(start + timedelta(days=7)).strftime('%H:%M %d/%m/%Y')}.") in html


def test_explanation_requested_shows_its_due_date_not_the_self_assessment_deadline(login, assessment_a, appraiser,
                                                                                   staff_a):
    from scoring.models import ExplanationRequest
    from scoring.selectors.assessments import assessment_next_steps

    Assessment.objects.filter(pk=assessment_a.pk).update(status=Assessment.Status.EXPLANATION_REQUESTED,
                                                         submitted_at=timezone.now())
    a = Assessment.objects.get(pk=assessment_a.pk)
    due = timezone.now() + timedelta(days=3)
    request = ExplanationRequest.objects.create(assessment=a, question="Bổ sung", due_at=due,
                                                 created_by=appraiser)
    request.items.set([item(a, "1.1.3"), item(a, "1.2")])
    lines = assessment_next_steps(assessment=a, open_requests=[request])
    when = timezone.localtime(due).strftime("%H:%M %d/%m/%Y")
    assert f"Tổ thẩm định yêu cầu giải trình 2 tiêu chí, hạn trả lời {when}." in lines
    html = login(staff_a).get(page_url(a)).content.decode()
    panel = html[html.index('id="sa-next"'):html.index("</section>", html.index('id="sa-next"'))]
    assert f"hạn trả lời {when}." in panel and 'id="sa-deadline">Hạn trả lời:' in panel
    assert "Hạn tự đánh giá của đơn vị" not in html


def test_a_leader_approving_with_unscored_items_is_told_how_many_and_which(login, client, assessment_a, staff_a,
                                                                          leader_a, staff_b):
    for code, raw in {"1.1.1": {"level": "Đúng hạn"}, "1.1.2": {"numerator": 9, "denominator": 10},
                      "1.2": {"numerator": 1, "denominator": 2}}.items():
        save(assessment_a, code, staff_a, **raw)
    assessment_send_to_leader(assessment=assessment_a, user=staff_a)
    html = login(leader_a).get(page_url(assessment_a)).content.decode()
    # left: 1.1.3, 1.3 and 2.1 (imported, no figure yet); an empty bonus (1.4) or penalty (2.3) means
    # none, and 2.2 is a survey item (nothing to type)
    box = html[html.index('id="sa-unscored"'):html.index("</div>", html.index('id="sa-unscored"'))]
    assert "Còn 3 tiêu chí chưa chấm:" in box
    assert [m for m in re.findall(r'href="#item-([\d.]+)"', box)] == ["1.1.3", "1.3", "2.1"]
    assert 'data-confirm="Còn 3 tiêu chí chưa chấm: 1.1.3 Tiêu chí 1.1.3; 1.3 Tiêu chí 1.3; 2.1 Tiêu chí 2.1.' in html
    assert "sa-unscored" not in login(staff_a).get(page_url(assessment_a)).content.decode()  # staff: not theirs
    assert login(staff_b).post(reverse("scoring:assessment_approve", args=[assessment_a.pk])).status_code == 404
    r = login(leader_a).post(reverse("scoring:assessment_approve", args=[assessment_a.pk]), follow=True)
    text = r.content.decode()
    assert "Còn 3 tiêu chí chưa chấm: 1.1.3 Tiêu chí 1.1.3; 1.3 Tiêu chí 1.3; 2.1 Tiêu chí 2.1." in text
    assert Assessment.objects.get(pk=assessment_a.pk).status == Assessment.Status.SUBMITTED


def test_home_shows_a_sent_self_assessment_where_it_stands_not_its_countdown(login, assessment_a, staff_a):
    html = login(staff_a).get("/").content.decode()
    assert 'class="open-step"><strong>Tự đánh giá, chấm điểm</strong>' in html and "countdown" in html
    assessment_send_to_leader(assessment=assessment_a, user=staff_a)
    html = login(staff_a).get("/").content.decode()
    step = html[html.index("sent-step"):html.index("</li>", html.index("sent-step"))]
    assert "Chờ lãnh đạo duyệt" in step and "Đã trình lãnh đạo đơn vị duyệt lúc" in step
    assert f"/scoring/assessments/{assessment_a.pk}/#sa-next" in step and "countdown" not in step
