"""An officer follows the bell to a running job, watches htmx finish it, reads a notification,
and imports agencies from Excel as a job."""
import pytest

from campaigns.models import Agency
from cchc_portal.core.excel import write_workbook
from cchc_portal.notifications.models import Job
from cchc_portal.notifications.services import notify

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_follows_a_job_from_the_bell_and_imports_agencies(page, live_server, officer, campaign, tmp_path):
    job = Job.objects.create(kind="export", title="Xuất bảng điểm", created_by=officer, status=Job.Status.RUNNING,
                             done=40, total=100, message="Đang xuất 40/100 đơn vị")
    notify(users=[officer], text="Sở Tài chính đã gửi bản tự đánh giá", url=f"/campaigns/{campaign.pk}/",
           key="submitted:SA")
    log_in(page, live_server, "officer")
    bell = page.locator("a.bell")
    assert bell.locator(".badge").inner_text() == "1"
    bell.click()
    page.get_by_role("link", name="Xuất bảng điểm").click()
    assert page.locator(".job-count").inner_text() == "40/100"

    # the worker finishes while the page is open: htmx polls and shows the result
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, done=100, message="Đã xuất 100 đơn vị",
                                         result_url=f"/campaigns/{campaign.pk}/")
    page.get_by_role("link", name="Xem kết quả").wait_for(timeout=5000)
    assert "Đã xuất 100 đơn vị" in page.locator(".job-message").inner_text()
    page.reload()
    assert page.get_by_role("link", name="Xem kết quả").is_visible()

    page.goto(f"{live_server.url}/notifications/")
    page.locator(".notif", has_text="Sở Tài chính đã gửi").get_by_role("button", name="Xem").click()
    page.wait_for_url(f"{live_server.url}/campaigns/{campaign.pk}/")
    assert page.locator("a.bell .badge").count() == 0

    xlsx = tmp_path / "don_vi.xlsx"
    xlsx.write_bytes(write_workbook([("Đơn vị", ["code", "name", "group", "parent_code", "email"],
                                      [["SYT", "Sở Y tế", "department", "", "syt@tuyenquang.gov.vn"]])]))
    page.goto(f"{live_server.url}/notifications/jobs/import-agencies/")
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(xlsx))
    page.get_by_role("button", name="Tải lên và nhập").click()
    page.locator(".job-message", has_text="Đã nhập: 1 đơn vị mới").wait_for()
    assert Agency.objects.filter(code="SYT").exists()
