"""The officer publishes a guide in the campaign library; agency staff find it from the
campaign page and on their scoring page, under the item it concerns."""
import pytest
from playwright.sync_api import expect

from evidence.library_models import GuidanceDocument
from scoring.models import Assessment
from tests.evidence import files

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
pytest_plugins = ["tests.scoring.assessment_fixtures"]


def test_officer_publishes_and_staff_find_it_on_the_scoring_page(page, live_server, settings, tmp_path, campaign,
                                                                 officer, assessments, staff_a):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    log_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    page.get_by_role("link", name="Thư viện hướng dẫn").first.click()
    expect(page.get_by_text("Thư viện của đợt đánh giá chưa có tài liệu nào.")).to_be_visible()
    page.get_by_role("link", name="Thêm tài liệu").click()
    page.get_by_label("Loại tài liệu").select_option("ministry")
    page.get_by_label("Tên tài liệu").fill("Hướng dẫn chấm điểm tiêu chí 1.1.3")
    page.get_by_label("Số hiệu").fill("12/HD-BNV")
    page.get_by_label("Ngày ban hành").fill("05/02/2026")
    page.get_by_label("Liên quan tiêu chí (mã)").fill("1.1.3")
    page.locator("input[type=file][name=file]").set_input_files(
        {"name": "Hướng dẫn.pdf", "mimeType": "application/pdf", "buffer": files.pdf()})
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("tr[data-guidance]")).to_have_count(1)
    expect(page.locator("tr[data-guidance]")).to_contain_text("05/02/2026")
    assert GuidanceDocument.objects.get().criteria_codes == ["1.1.3"]

    page.context.clear_cookies()
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/scoring/assessments/{Assessment.objects.get(agency__code='SA').pk}/")
    row = page.locator('tr[id="item-1.1.3"]')
    row.get_by_text("Hướng dẫn chấm", exact=True).click()
    link = row.get_by_role("link", name="12/HD-BNV Hướng dẫn chấm điểm tiêu chí 1.1.3")
    expect(link).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "Hướng dẫn.pdf"
