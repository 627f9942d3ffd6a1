"""Issue 18 in a browser: a signed PDF and a scanned letter are uploaded through the widget;
the library shows the signature badge with its details, the OCR'd scan's proposed metadata
(accepted with one click) and the flag of a date outside the assessed year. The upload form
itself offers the proposal of each file it uploaded ("Dùng đề xuất", "Bỏ qua"), and the
agency's self-assessment page shows the badges and the period flag on its items."""
import pytest
from playwright.sync_api import expect

from evidence.extract import ocr_available
from evidence.models import Document
from scoring.models import Assessment
from scoring.services.assessments import assessments_ensure
from tests.evidence import corpus, files, pki
from tests.factories import group
from tests.scoring.factories import SMALL_TREE, criteria_set_with_tree

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
needs_ocr = pytest.mark.skipif(not ocr_available(), reason="Tesseract with the Vietnamese model not installed")

PLAN = ("UBND TỈNH QUẢNG NAM\nSỞ NỘI VỤ\nSố: 12/KH-SNV\nTam Kỳ, ngày 15 tháng 01 năm 2026\nKẾ HOẠCH\n"
        "Cải cách hành chính năm 2026")
OLD = ("UBND TỈNH QUẢNG NAM\nSỞ TƯ PHÁP\nSố: 7/BC-STP\nTam Kỳ, ngày 03 tháng 11 năm 2024\nBÁO CÁO\n"
       "Kết quả kiểm soát thủ tục hành chính")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@needs_ocr
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


def test_the_upload_form_offers_each_files_proposal(page, live_server, settings, tmp_path, campaign, staff_a):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/evidence/{campaign.pk}/SA/")
    form = page.locator("form[data-evidence-upload]")
    form.locator("input[type=file][name=file]").set_input_files([
        {"name": "ke-hoach.docx", "mimeType": DOCX, "buffer": files.docx(PLAN)},
        {"name": "bao-cao-cu.docx", "mimeType": DOCX, "buffer": files.docx(OLD)},
    ])
    form.get_by_role("button", name="Tải lên", exact=True).click()  # the fields left empty
    offers = form.locator(".ev-offer")
    expect(offers).to_have_count(2, timeout=30_000)
    plan = offers.filter(has_text="ke-hoach.docx")
    for text in ("12/KH-SNV", "15/01/2026", "SỞ NỘI VỤ", "KẾ HOẠCH Cải cách hành chính năm 2026"):
        expect(plan).to_contain_text(text)
    expect(form.locator("[data-proposals]")).to_have_attribute("aria-live", "polite")
    # the old report: its badge under the file says it is outside the assessed year
    old_file = form.locator(".ev-item", has_text="bao-cao-cu.docx")
    expect(old_file.locator(".ev-badge-warn")).to_have_text(
        f"tài liệu ngày 03/11/2024 ngoài kỳ đánh giá {campaign.year}")

    plan.get_by_role("button", name="Dùng đề xuất").click()
    expect(plan).to_contain_text("Đã điền thông tin đề xuất vào tài liệu “ke-hoach.docx”")
    expect(plan.get_by_role("button")).to_have_count(0)
    offers.filter(has_text="bao-cao-cu.docx").get_by_role("button", name="Bỏ qua").click()
    expect(offers).to_have_count(1)
    document = Document.objects.get(original_name="ke-hoach.docx")
    assert (document.number, document.issuer, document.summary) == (
        "12/KH-SNV", "SỞ NỘI VỤ", "KẾ HOẠCH Cải cách hành chính năm 2026")
    assert Document.objects.get(original_name="bao-cao-cu.docx").number == ""
    # the library below was read again: the accepted number is there
    expect(page.locator("#evidence-list")).to_contain_text("12/KH-SNV")


def test_the_agency_sees_the_badges_on_its_self_assessment(page, live_server, settings, tmp_path, campaign,
                                                           staff_a, leader_a):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    criteria_set_with_tree(SMALL_TREE, campaign=campaign, group=group("department"))
    assessments_ensure(campaign=campaign)
    assessment = Assessment.objects.get(campaign=campaign, agency__code="SA")
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/scoring/assessments/{assessment.pk}/")
    row = page.locator("tr[data-code='1.1.1']")
    row.get_by_role("link", name="Tải lên").click()
    dialog = page.locator("#sa-upload")
    dialog.locator("input[type=file]").set_input_files(
        files=[{"name": "bao-cao-cu.docx", "mimeType": DOCX, "buffer": files.docx(OLD)}])
    dialog.get_by_role("button", name="Tải lên").click()
    flag = f"tài liệu ngày 03/11/2024 ngoài kỳ đánh giá {campaign.year}"
    # drawn by the page's script from the item's JSON (or swapped in by the poller)
    expect(row.locator("[data-docs-list] .ev-badge-warn")).to_have_text(flag, timeout=30_000)
    offer = dialog.locator(".ev-offer")
    expect(offer).to_contain_text("7/BC-STP")  # the dialog's form offers the proposal too
    offer.get_by_role("button", name="Dùng đề xuất").click()
    expect(row.locator("[data-docs-list] a")).to_have_text("7/BC-STP")  # the item's list follows
    dialog.get_by_role("button", name="Đóng").click()
    page.reload()
    expect(row.locator("[data-docs-list] .ev-badge-warn")).to_have_text(flag)


def test_a_check_in_progress_is_followed_live(page, live_server, settings, tmp_path, campaign, agency_a, staff_a):
    from evidence.models import DocumentCheck
    from evidence.services import document_upload

    settings.MEDIA_ROOT = str(tmp_path / "media")
    document, _ = document_upload(agency=agency_a, campaign=campaign, user=staff_a,
                                  file=files.upload("dang-doc.pdf", files.pdf()))
    DocumentCheck.objects.filter(document=document).update(status="running", progress=40)
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/evidence/{campaign.pk}/SA/")
    row = page.locator("tr", has=page.get_by_role("link", name="dang-doc.pdf", exact=True))
    expect(row).to_contain_text("Đang kiểm tra tài liệu… 40%")
    DocumentCheck.objects.filter(document=document).update(status="running", progress=70)
    expect(row).to_contain_text("Đang kiểm tra tài liệu… 70%")
    DocumentCheck.objects.filter(document=document).update(status="done", progress=100, text_source="layer")
    expect(row.locator(".ev-badge-info")).to_have_text("Không có chữ ký số")
    expect(row.locator("[data-check-poll]")).to_have_count(0)  # done: the polling stopped
