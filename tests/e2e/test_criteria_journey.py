"""An officer builds a criteria set in the browser: Excel import with a dry run, an added
criterion, the preview as an agency, the lock, then an amendment with its reason."""
from pathlib import Path

import pytest

from campaigns.models import Campaign
from scoring.models import CriteriaAmendment, CriteriaSet
from tests.factories import CampaignFactory, group

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "criteria_department.xlsx"


def test_officer_imports_edits_previews_locks_and_amends(page, live_server, officer, agency_a, agency_b):
    campaign = CampaignFactory(status=Campaign.Status.DRAFT, name="Chỉ số CCHC 2026")
    campaign.groups.set([group("department")])
    campaign.agencies.set([agency_a, agency_b])
    log_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    page.get_by_role("link", name="Bộ tiêu chí").first.click()
    page.get_by_role("link", name="nhập từ Excel").click()
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    page.get_by_text("Sẽ thêm 44").wait_for()
    assert not CriteriaSet.objects.exists()
    page.get_by_role("button", name="Xác nhận nhập").click()
    page.get_by_text("Bộ tiêu chí hợp lệ.").wait_for()
    assert page.locator("table.crit-tree tbody tr").count() == 44

    page.get_by_role("link", name="Thêm tiêu chí con của 1.2", exact=True).click()
    page.locator("#id_title").fill("Báo cáo chuyên đề theo yêu cầu của UBND tỉnh")
    page.locator("#id_max_points").fill("1")
    page.locator("#id_rule").select_option("levels")
    page.locator("#id_rule_params").fill("Đầy đủ=1; Không đầy đủ=0")
    page.get_by_role("button", name="Lưu").click()
    page.locator("#c-1\\.2\\.3").wait_for()
    assert page.locator(".crit-problem").count() >= 1  # 1.2 is now 1 + 1 + 1 ≠ 2: shown, not hidden

    page.get_by_role("link", name="Xóa 1.2.3", exact=True).click()
    page.get_by_role("button", name="Xóa").click()
    page.get_by_text("Bộ tiêu chí hợp lệ.").wait_for()

    page.get_by_role("link", name="Xem như đơn vị").first.click()
    page.get_by_label("Xem như đơn vị").select_option("SA")
    page.get_by_role("button", name="Xem").click()
    page.get_by_text("Điểm tối đa áp dụng cho Sở Tài chính: 100,00").wait_for()
    assert page.locator("input[disabled]").count() > 20

    page.get_by_role("link", name="Cây tiêu chí").click()
    page.get_by_role("button", name="Khóa bộ tiêu chí").click()
    page.get_by_text("Đã khóa bộ tiêu chí").wait_for()
    page.get_by_role("link", name="Sửa 1.3", exact=True).click()
    page.locator("#id_title").fill("Kiểm tra công tác CCHC tại các đơn vị trực thuộc")
    page.locator("#id_reason").fill("Theo Quyết định 15/QĐ-UBND")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_role("cell", name="Theo Quyết định 15/QĐ-UBND").wait_for()
    assert CriteriaAmendment.objects.get().code == "1.3"
