"""The appraisal in the browser: the appraiser opens the queue, previews the evidence, adjusts
a score (refused without a comment, saved with one), asks for an explanation; the agency
answers with a text and a document; the appraiser accepts in a second round and accepts the
rest field by field; the officer imports the portal figure and finalises."""
from decimal import Decimal

import pytest

from scoring.models import Assessment, ExplanationRequest, Item
from tests.scoring.appraisal_support import assign, submit, world
from tests.scoring.assessment_support import pdf_bytes
from tests.scoring.test_appraisal_figures import xlsx_bytes

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def w(settings, tmp_path, campaign, agency_a, staff_a, leader_a, officer, appraiser):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EVIDENCE_VIRUS_SCAN = ""
    w = world(campaign, agency_a)
    submit(w.a, staff=staff_a, leader=leader_a)
    assign(campaign, appraiser, ["1", "2", "4"], officer=officer)
    return w


def item_box(page, code):
    return page.locator(f"article.ap-item[data-code='{code}']")


def test_appraise_explain_answer_finalise(page, browser, live_server, w):
    log_in(page, live_server, "appraiser")
    page.goto(f"{live_server.url}/scoring/appraisal/")
    page.wait_for_url(f"**/scoring/campaigns/{w.campaign.pk}/appraisal/")
    page.get_by_role("link", name="Sở Tài chính").click()
    page.wait_for_url(f"**/scoring/assessments/{w.a.pk}/appraisal/")

    # the evidence of 1.2 previewed inline
    evidence = item_box(page, "1.2")
    evidence.get_by_text("Xem nhanh").click()
    frame = evidence.locator("iframe.ap-preview-frame")
    frame.wait_for()
    assert "/evidence/documents/" in frame.get_attribute("src")
    # the PDF, sandboxed by its response, still opens in the browser's viewer (an <iframe sandbox> would block it)
    assert frame.get_attribute("sandbox") is None
    for _ in range(50):
        if any(f.url.startswith("chrome-extension://") for f in page.frames):
            break
        page.wait_for_timeout(100)
    assert any(f.url.startswith("chrome-extension://") for f in page.frames), [f.url for f in page.frames]
    assert not any(f.url.startswith("chrome-error://") for f in page.frames)

    # a lower score without a comment is refused, with one it is saved (htmx, no reload)
    box = item_box(page, "1.1")
    box.locator("input[name=score]").fill("1.5")
    box.get_by_role("button", name="Lưu điểm thẩm định").click()
    item_box(page, "1.1").locator("[role=alert]", has_text="cần ghi ý kiến thẩm định").wait_for()
    box = item_box(page, "1.1")
    box.locator("textarea[name=comment]").fill("Kế hoạch ban hành ngày 20/01, sau thời hạn")
    box.get_by_role("button", name="Lưu điểm thẩm định").click()
    item_box(page, "1.1").locator(".pill", has_text="Điều chỉnh").wait_for()
    assert item_box(page, "1.1").locator("[data-appraised]").inner_text() == "1,50"
    page.wait_for_function("document.querySelector('[data-total-diff]').textContent.trim() === '-0,50'")

    # ask for an explanation about 1.3
    item_box(page, "1.3").get_by_label("Yêu cầu giải trình").check()
    assert page.locator("[data-chosen-bar]").is_visible()
    form = page.locator("#ap-request-form")
    form.get_by_label("Nội dung yêu cầu giải trình, bổ sung tài liệu").fill(
        "Đề nghị bổ sung báo cáo số liệu nhiệm vụ hoàn thành (9/10).")
    form.get_by_role("button", name="Gửi yêu cầu giải trình").click()
    page.get_by_role("heading", name="Xác nhận gửi yêu cầu giải trình").wait_for()
    assert "1.3" in page.locator(".confirm-facts").inner_text()
    page.locator(".confirm-actions").get_by_role("button", name="Gửi yêu cầu giải trình").click()
    page.locator(".msg-success", has_text="Đã gửi yêu cầu giải trình").wait_for()
    assert page.locator("#ap-status").inner_text() == "Được yêu cầu giải trình"
    assert "Đang chờ đơn vị giải trình" in item_box(page, "1.3").inner_text()

    # the agency answers with a text and a document
    agency_context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    agency = agency_context.new_page()
    agency.set_default_timeout(15000)
    log_in(agency, live_server, "staff_a")
    agency.goto(f"{live_server.url}/campaigns/{w.campaign.pk}/")
    agency.get_by_role("link", name="Giải trình: Sở Tài chính").click()
    agency.wait_for_url(f"**/scoring/assessments/{w.a.pk}/explanations/")
    assert "Đề nghị bổ sung báo cáo số liệu" in agency.content()
    agency.get_by_label("Nội dung giải trình").fill("Gửi kèm Báo cáo số 12/BC-STC: hoàn thành 9/10 nhiệm vụ.")
    agency.get_by_label("Tài liệu kiểm chứng bổ sung (PDF, ảnh...)").set_input_files(
        files=[{"name": "bao-cao-12.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Bao cao 12")}])
    agency.get_by_label("Số, ký hiệu văn bản").fill("12/BC-STC")
    agency.get_by_role("button", name="Gửi giải trình").click()
    agency.locator(".msg-success", has_text="Đã gửi nội dung giải trình").wait_for()
    assert ExplanationRequest.objects.get(assessment=w.a).status == "answered"
    agency_context.close()

    # second round: the thread shows the answer; accept 1.3, then the rest field by field
    page.reload()
    assert page.locator("#ap-status").inner_text() == "Đã giải trình"
    box = item_box(page, "1.3")
    assert "Gửi kèm Báo cáo số 12/BC-STC" in box.inner_text() and "12/BC-STC" in box.locator(".ap-thread").inner_text()
    box.get_by_role("button", name="Chấp nhận điểm tự chấm").click()
    item_box(page, "1.3").locator(".pill", has_text="Chấp nhận điểm tự chấm").wait_for()
    for field in ("1", "2", "4"):
        button = page.locator(f"#field-{field}").get_by_role("button", name="Chấp nhận điểm tự chấm của lĩnh vực này")
        if button.count():
            button.click()
            page.locator(f"#field-{field}").get_by_role(
                "button", name="Chấp nhận điểm tự chấm của lĩnh vực này").wait_for(state="detached")
    assert not Item.objects.filter(assessment=w.a, criterion__code__in=["1.2", "2.1", "2.2", "4"],
                                   appraisal_state="pending").exists()

    # the officer imports the portal figure (5.1), the survey result comes (6.1), and finalises
    Item.objects.filter(assessment=w.a, criterion__code="6.1").update(external_points=Decimal("2.40"))
    officer_context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    officer = officer_context.new_page()
    officer.set_default_timeout(15000)
    log_in(officer, live_server, "officer")
    officer.goto(f"{live_server.url}/scoring/campaigns/{w.campaign.pk}/imported-figures/")
    officer.get_by_label("Tệp Excel (.xlsx)").set_input_files(files=[{
        "name": "chi-so-766.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": xlsx_bytes([("SA", "5.1", "4.25", "Cổng DVC quốc gia", "Năm 2026")])}])
    officer.get_by_role("button", name="Kiểm tra tệp").click()
    officer.get_by_role("button", name="Xác nhận nhập 1 số liệu").click()
    officer.locator(".msg-success", has_text="Đã nhập 1 số liệu").wait_for()
    officer.goto(f"{live_server.url}/scoring/assessments/{w.a.pk}/appraisal/")
    officer.get_by_role("button", name="Chốt điểm thẩm định").click()
    officer.get_by_role("heading", name="Xác nhận chốt điểm thẩm định").wait_for()
    assert "16,45" in officer.locator(".confirm-facts").inner_text()
    officer.locator(".confirm-actions").get_by_role("button", name="Chốt điểm thẩm định").click()
    officer.locator(".msg-success", has_text="Đã chốt điểm thẩm định").wait_for()
    assert officer.locator("#ap-status").inner_text() == "Đã chốt điểm"
    final = Assessment.objects.get(pk=w.a.pk)
    # 1.5 + 2 + 1.8 | min(3 + 2, 4) | bonus 0.5 | 5.1: 4.25 | 6.1: 2.40
    assert final.status == "final" and final.appraised_total == Decimal("16.45")
    assert "Nhật ký chốt điểm" in officer.content()
    officer_context.close()
