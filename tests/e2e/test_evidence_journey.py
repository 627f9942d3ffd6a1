"""Agency staff upload several files through the widget and see them listed."""
import pytest
from playwright.sync_api import expect

from evidence.models import Document
from tests.evidence import files

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_upload_two_files_with_progress_and_see_them_listed(page, live_server, settings, tmp_path, campaign,
                                                                   staff_a):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    page.get_by_role("link", name="Tài liệu kiểm chứng").click()
    expect(page.get_by_text("Đơn vị chưa tải lên tài liệu kiểm chứng nào")).to_be_visible()

    page.get_by_label("Số, ký hiệu", exact=True).fill("125/KH-UBND")
    page.get_by_label("Ngày ban hành").fill("15/01/2026")
    page.get_by_label("Cơ quan ban hành", exact=True).fill("UBND tỉnh Tuyên Quang")
    page.get_by_label("Trích yếu", exact=True).fill("Kế hoạch cải cách hành chính năm 2026")
    page.locator("input[type=file][name=file]").set_input_files([
        {"name": "Kế hoạch CCHC 2026.pdf", "mimeType": "application/pdf", "buffer": files.pdf()},
        {"name": "Ảnh chụp biên bản.png", "mimeType": "image/png", "buffer": files.png()},
        {"name": "cai-dat.pdf", "mimeType": "application/pdf", "buffer": files.exe()},
    ])
    queue = page.locator(".ev-item")
    expect(queue).to_have_count(3)
    expect(queue.first).to_have_attribute("data-state", "waiting")
    page.get_by_role("button", name="Tải lên", exact=True).click()

    expect(page.locator(".ev-item[data-state=done]")).to_have_count(2)
    refused = page.locator(".ev-item[data-state=error]")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("không thuộc các loại được nhận")
    expect(page.locator("[data-status]")).to_have_text("Đã tải lên 2/3 tệp.")
    done_values = page.eval_on_selector_all(".ev-item[data-state=done] progress", "bars => bars.map(b => b.value)")
    assert done_values == [100, 100]

    listing = page.locator("#evidence-list")
    expect(listing.get_by_role("link", name="Kế hoạch CCHC 2026.pdf", exact=True)).to_be_visible()
    expect(listing.get_by_role("link", name="Ảnh chụp biên bản.png", exact=True)).to_be_visible()
    expect(listing.locator("tr[data-document]")).to_have_count(2)
    expect(listing).to_contain_text("15/01/2026")
    assert set(Document.objects.values_list("number", "issuer")) == {("125/KH-UBND", "UBND tỉnh Tuyên Quang")}
    expect(page.get_by_label("Số, ký hiệu", exact=True)).to_have_value("")


def test_files_dropped_on_the_widget_are_uploaded(page, live_server, settings, tmp_path, campaign, staff_a):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/evidence/{campaign.pk}/SA/")
    transfer = page.evaluate_handle(
        """(bytes) => { const dt = new DataTransfer();
             dt.items.add(new File([new Uint8Array(bytes)], "Biên bản kiểm tra.pdf", {type: "application/pdf"}));
             return dt; }""", list(files.pdf()))
    page.dispatch_event("[data-drop]", "drop", {"dataTransfer": transfer})
    expect(page.locator(".ev-item")).to_have_count(1)
    page.get_by_label("Ngày ban hành").fill("31/02/2026")
    page.get_by_role("button", name="Tải lên", exact=True).click()
    expect(page.locator("[data-status]")).to_have_text("Ngày ban hành phải có dạng dd/mm/yyyy.")
    expect(page.get_by_label("Ngày ban hành")).to_be_focused()
    page.get_by_label("Ngày ban hành").fill("01/02/2026")
    page.get_by_label("Ngày ban hành").press("Enter")  # the keyboard submits the form too
    expect(page.locator(".ev-item[data-state=done]")).to_have_count(1)
    expect(page.locator("#evidence-list").get_by_role("link", name="Biên bản kiểm tra.pdf", exact=True)).to_be_visible()
    assert Document.objects.get().issued_on.isoformat() == "2026-02-01"
