"""Issue 18 in a browser: a signed PDF and a scanned letter are uploaded through the widget;
the library shows the signature badge with its details, the OCR'd scan's proposed metadata
(accepted with one click) and the flag of a date outside the assessed year."""
import pytest
from playwright.sync_api import expect

from evidence.extract import ocr_available
from evidence.models import Document
from tests.evidence import corpus, files, pki

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not ocr_available(), reason="Tesseract with the Vietnamese model not installed")]


def test_signed_pdf_and_scan_get_badges_proposal_and_period_flag(page, live_server, settings, tmp_path, campaign,
                                                                   staff_a):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    signed = pki.sign_pdf(files.pdf(), pki.Authority(), signer="Trần Thị B", organisation="Sở Tư pháp")
    [scan] = corpus.build(1, seed=3, year=campaign.year - 2, kinds=("scan300",))
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/evidence/{campaign.pk}/SA/")
    page.locator("input[type=file][name=file]").set_input_files([
        {"name": "ky-so.pdf", "mimeType": "application/pdf", "buffer": signed},
        {"name": "ban-scan.pdf", "mimeType": "application/pdf", "buffer": scan.data},
    ])
    page.get_by_role("button", name="Tải lên", exact=True).click()
    expect(page.locator(".ev-item[data-state=done]")).to_have_count(2, timeout=60_000)
    page.reload()

    signed_row = page.locator("tr", has=page.get_by_role("link", name="ky-so.pdf", exact=True))
    badge = signed_row.locator(".ev-badge-ok")
    expect(badge).to_contain_text("Đã ký số: Sở Tư pháp,")
    expect(badge).to_contain_text("· toàn vẹn")
    badge.click()  # the <details> opens on the signer's details
    expect(signed_row.get_by_text("Trần Thị B")).to_be_visible()
    expect(signed_row).to_contain_text("chưa kiểm tra với chứng thư gốc")

    scan_row = page.locator("tr", has=page.get_by_role("link", name="ban-scan.pdf", exact=True))
    day = scan.issued_on.strftime("%d/%m/%Y")
    expect(scan_row).to_contain_text(f"tài liệu ngày {day} ngoài kỳ đánh giá {campaign.year}")
    expect(scan_row).to_contain_text("Nội dung nhận dạng (OCR)")
    scan_row.get_by_role("button", name="Dùng đề xuất").click()
    expect(page.get_by_text("Đã điền thông tin đề xuất")).to_be_visible()
    document = Document.objects.get(original_name="ban-scan.pdf")
    assert document.issued_on == scan.issued_on and document.issuer
