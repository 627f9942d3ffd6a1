"""The self-assessment in the browser: staff score three items (one with a PDF uploaded
through the evidence widget), autosave says "đã lưu", they send it to the leader, the leader
approves and the status shows it was submitted; a dropped connection loses nothing."""
import pytest

from scoring.models import Assessment, Item
from scoring.services.assessments import assessments_ensure
from tests.factories import group
from tests.scoring.assessment_support import pdf_bytes
from tests.scoring.factories import SMALL_TREE, criteria_set_with_tree

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assessment(campaign, staff_a, leader_a):
    criteria_set_with_tree(SMALL_TREE, campaign=campaign, group=group("department"))
    assessments_ensure(campaign=campaign)
    return Assessment.objects.get(campaign=campaign, agency__code="SA")


def row(page, code):
    return page.locator(f"tr[data-code='{code}']")


def wait_saved(page, code):
    page.wait_for_function(
        f"document.querySelector(\"tr[data-code='{code}'] [data-state]\").textContent.startsWith('đã lưu')")


def test_staff_score_upload_send_and_leader_approves(page, browser, live_server, assessment):
    page.on("dialog", lambda d: d.accept())
    log_in(page, live_server, "staff_a")
    page.get_by_role("link", name="Tự đánh giá, chấm điểm").first.click()
    page.wait_for_url(f"**/scoring/assessments/{assessment.pk}/")
    assert page.locator("#sa-status").inner_text() == "Chưa bắt đầu"  # nothing scored yet, as the board says

    # a manual score, a percentage band and a level
    row(page, "1.1.3").locator("input[name=score]").fill("0.75")
    wait_saved(page, "1.1.3")
    r = row(page, "1.1.2")
    r.locator("input[name=numerator]").fill("19")
    r.locator("input[name=denominator]").fill("20")
    assert r.locator("[data-pct]").inner_text() == "95,00%"
    wait_saved(page, "1.1.2")
    assert r.locator("[data-points]").inner_text() == "2,00"
    level = row(page, "1.1.1")
    level.locator("select[name=level]").select_option("Đúng hạn")
    level.locator("textarea[name=explanation]").fill("Kế hoạch số 15/KH-STC ban hành ngày 10/01")
    wait_saved(page, "1.1.1")
    assert page.locator("#sa-status").inner_text() == "Đang chấm"  # the first scored item started it
    assert level.locator("[data-zero]").is_visible()  # evidence required: 0 until a document is attached
    assert level.locator("[data-points]").inner_text() == "0,00"

    # the PDF through the evidence widget, in the item's dialog
    level.get_by_role("link", name="Tải lên").click()
    dialog = page.locator("#sa-upload")
    # the dialog names the agency and the item (code and title), not a bare code
    assert dialog.locator("h2").inner_text() == "Tải lên tài liệu kiểm chứng của Sở Tài chính"
    assert dialog.locator("[data-dialog-item]").inner_text() == "Tiêu chí 1.1.1. Tiêu chí 1.1.1"
    dialog.locator("input[type=file]").set_input_files(
        files=[{"name": "ke-hoach-cchc.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Ke hoach")}])
    dialog.get_by_label("Số, ký hiệu").fill("15/KH-STC")
    dialog.get_by_role("button", name="Tải lên").click()
    level.locator("[data-docs-list] a", has_text="15/KH-STC").wait_for()
    dialog.get_by_role("button", name="Đóng").click()
    assert level.locator("[data-points]").inner_text() == "1,00" and not level.locator("[data-zero]").is_visible()
    page.wait_for_function("document.querySelector('[data-total]').textContent === '3,75'")

    # everything is stored, with the points of the engine
    points = {i.criterion.code: i.self_points for i in Item.objects.filter(assessment=assessment)
              .select_related("criterion")}
    assert (str(points["1.1.1"]), str(points["1.1.2"]), str(points["1.1.3"])) == ("1.00", "2.00", "0.75")

    page.get_by_role("button", name="Trình lãnh đạo duyệt").click()
    page.locator(".msg-success", has_text="Đã trình lãnh đạo").wait_for()
    assert page.locator("#sa-status").inner_text() == "Chờ lãnh đạo duyệt"
    assert page.locator("input[name=score]").first.is_disabled()

    leader_context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    leader = leader_context.new_page()
    leader.set_default_timeout(15000)
    leader.on("dialog", lambda d: d.accept())
    log_in(leader, live_server, "leader_a")
    leader.goto(f"{live_server.url}/scoring/assessments/{assessment.pk}/")
    leader.get_by_role("button", name="Duyệt và gửi Sở Nội vụ").click()
    leader.locator(".msg-success", has_text="Đã duyệt").wait_for()
    assert leader.locator("#sa-status").inner_text() == "Đã gửi Sở Nội vụ"
    leader_context.close()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED and assessment.submitted_by.username == "leader_a"


def test_a_dropped_connection_loses_nothing(page, live_server, assessment):
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/scoring/assessments/{assessment.pk}/")
    page.context.set_offline(True)
    row(page, "1.3").locator("input[name=count]").fill("2")
    page.wait_for_function(
        "document.querySelector(\"tr[data-code='1.3'] [data-state]\").textContent.startsWith('lỗi')")
    assert page.locator("#sa-offline").is_visible()
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('cchc:sa:'))")
    assert len(kept) == 1 and kept[0].endswith(":v1")
    # back online: the retry sends the edit kept in localStorage
    page.context.set_offline(False)
    wait_saved(page, "1.3")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('cchc:sa:')).length") == 0
    assert str(Item.objects.get(assessment=assessment, criterion__code="1.3").self_points) == "2.00"


def test_an_unsaved_edit_comes_back_after_a_reload(page, live_server, assessment):
    log_in(page, live_server, "staff_a")
    url = f"{live_server.url}/scoring/assessments/{assessment.pk}/"
    page.goto(url)
    item_id = Item.objects.get(assessment=assessment, criterion__code="1.1.3").pk
    page.evaluate(f"localStorage.setItem('cchc:sa:{item_id}:v1', JSON.stringify({{score: '0.5', "
                  f"explanation: 'Nhập khi mất mạng'}}))")
    page.goto(url)
    wait_saved(page, "1.1.3")
    item = Item.objects.get(pk=item_id)
    assert str(item.self_points) == "0.50" and item.explanation == "Nhập khi mất mạng"


def test_a_stale_edit_shows_the_conflict_banner(page, live_server, assessment, staff_a):
    from scoring.services.assessments import item_update

    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/scoring/assessments/{assessment.pk}/")
    item_update(assessment=assessment, code="1.1.3", input={"score": "1"}, explanation="Người khác sửa", version=1,
                user=staff_a)
    row(page, "1.1.3").locator("input[name=score]").fill("0.25")
    banner = page.locator("tr.sa-conflict")
    banner.wait_for()
    assert "score: 1" in banner.inner_text() and "Người khác sửa" in banner.inner_text()
    banner.get_by_role("button", name="Dùng giá trị trên hệ thống").click()
    assert row(page, "1.1.3").locator("input[name=score]").input_value() == "1"
    assert str(Item.objects.get(assessment=assessment, criterion__code="1.1.3").self_points) == "1.00"


def test_filters_fold_and_history_dialog(page, live_server, assessment, staff_a):
    from scoring.services.assessments import item_update

    item_update(assessment=assessment, code="1.1.3", input={"score": "0.5"}, explanation="Lần 1", version=1,
                user=staff_a)
    item_update(assessment=assessment, code="1.1.3", input={"score": "1"}, explanation="Lần 2", version=2,
                user=staff_a)
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/scoring/assessments/{assessment.pk}/")
    page.get_by_label("Chưa chấm").check()
    assert not row(page, "1.1.3").is_visible() and row(page, "1.2").is_visible()
    page.get_by_label("Thiếu tài liệu kiểm chứng").check()
    assert row(page, "1.1.1").is_visible() and not row(page, "1.2").is_visible()  # 1.1.1 needs evidence
    page.get_by_label("Tất cả").check()
    page.get_by_role("button", name="Thu gọn tất cả").click()
    assert not row(page, "1.1.3").is_visible()
    page.locator("details.sa-field[data-field='1'] > summary").click()
    row(page, "1.1.3").get_by_role("link", name="Lịch sử").click()
    dialog = page.locator("#sa-history")
    dialog.locator(".sa-history").wait_for()
    text = dialog.inner_text()
    assert staff_a.display_name in text and "score: 0,5" in text and "score: 1" in text and "Lần 2" in text


def test_the_page_turns_read_only_at_the_cutoff(page, live_server, assessment):
    from datetime import timedelta

    from django.utils import timezone

    from campaigns.models import Step

    log_in(page, live_server, "staff_a")
    Step.objects.filter(campaign=assessment.campaign, kind="self_assessment").update(
        closes_at=timezone.now() + timedelta(seconds=6))
    page.goto(f"{live_server.url}/scoring/assessments/{assessment.pk}/")
    score = row(page, "1.1.3").locator("input[name=score]")
    assert score.is_enabled()
    page.locator("#sa-cutoff").wait_for(state="visible", timeout=20000)
    assert score.is_disabled() and not page.get_by_role("button", name="Trình lãnh đạo duyệt").is_visible()
