"""Pages: the bell and its list, the officers' outbox, jobs with their progress, the agency
import job, reminder policies and the tick's record. Everyone refused gets 403/404."""
import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns.models import Agency
from cchc_portal.automation.models import ReminderPolicy, TickRun
from cchc_portal.automation.tick import tick_run
from cchc_portal.core.excel import write_workbook
from cchc_portal.notifications.models import Job, Notification, Outbox
from cchc_portal.notifications.services import notify, outbox_enqueue

from .conftest import vn

pytestmark = pytest.mark.django_db
S = Outbox.Status


def failed_row(**kw):
    row = outbox_enqueue(to=kw.get("to", "loi@example.vn"), subject="Nhắc hạn tự đánh giá", template="notice",
                         context={"text": "Nội dung"}, key=kw.get("key", "failed:1"))
    Outbox.objects.filter(pk=row.pk).update(status=kw.get("status", S.FAILED), attempts=6,
                                            last_error="SMTPServerDisconnected: mất kết nối")
    row.refresh_from_db()
    return row


# ---------------------------------------------------------------- the bell


def test_the_bell_shows_the_unread_count_and_links_to_the_list(login, staff_a):
    notify(users=[staff_a], text="Bản tự đánh giá đã được trả lại", url="/campaigns/", key="k1")
    notify(users=[staff_a], text="Nhắc hạn tự đánh giá", url="", key="k2")
    html = login(staff_a).get(reverse("home")).content.decode()
    assert f'href="{reverse("notifications:list")}"' in html
    assert '<span class="badge" aria-hidden="true">2</span>' in html and "Thông báo: 2 chưa đọc" in html


def test_the_list_shows_only_my_notifications_newest_first(login, staff_a, staff_b, django_assert_max_num_queries):
    for i in range(25):
        notify(users=[staff_a], text=f"Thông báo số {i}", key=f"n{i}")
    notify(users=[staff_b], text="Của đơn vị khác", key="other")
    client = login(staff_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("notifications:list"))
    html = response.content.decode()
    assert "Thông báo số 24" in html and "Thông báo số 4" not in html and "Của đơn vị khác" not in html
    assert "Trang 1/2" in html and "25 thông báo chưa đọc" in html


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(login, staff_a, staff_b):
    notify(users=[staff_a, staff_b], text="Đã khóa", url="/campaigns/", key="lock")
    mine = Notification.objects.get(user=staff_a)
    client = login(staff_a)
    response = client.post(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/campaigns/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert '<span class="badge"' not in client.get(reverse("home")).content.decode()
    theirs = Notification.objects.get(user=staff_b)
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[mine.pk])).status_code == 405


def test_a_notification_never_redirects_off_site(login, staff_a):
    notify(users=[staff_a], text="Lạ", url="https://evil.example.com/", key="evil")
    n = Notification.objects.get()
    response = login(staff_a).post(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read(login, staff_a):
    notify(users=[staff_a], text="Một", key="a")
    notify(users=[staff_a], text="Hai", key="b")
    response = login(staff_a).post(reverse("notifications:read_all"), follow=True)
    assert "Đã đánh dấu 2 thông báo là đã đọc." in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_notify_reaches_each_user_once_per_key(staff_a, leader_a):
    assert notify(users=[staff_a, leader_a], text="x", key="same") == 2
    assert notify(users=[staff_a, leader_a.pk], text="x", key="same") == 0
    assert Notification.objects.count() == 2


# ---------------------------------------------------------------- the outbox (officers)


def test_officers_see_failed_rows_with_a_retry_button_and_staff_get_403(
        login, officer, staff_a, django_assert_max_num_queries, client):
    rows = [failed_row(key=f"f{i}", to=f"nguoi{i}@example.vn") for i in range(35)]
    Outbox.objects.filter(pk=rows[0].pk).update(status=S.SENT)
    c = login(officer)
    with django_assert_max_num_queries(12):
        response = c.get(reverse("notifications:outbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "mất kết nối" in html and "Gửi lại" in html and "Trang 1/2" in html
    assert reverse("notifications:outbox_retry", args=[rows[5].pk]) in html
    assert reverse("notifications:outbox_retry", args=[rows[0].pk]) not in html  # sent: not a failure
    client.logout()
    assert login(staff_a).get(reverse("notifications:outbox")).status_code == 403


def test_the_retry_button_queues_the_row_again_and_sends_it(login, officer, staff_a,
                                                           django_capture_on_commit_callbacks):
    row = failed_row()
    assert login(staff_a).post(reverse("notifications:outbox_retry", args=[row.pk])).status_code == 403
    c = login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("notifications:outbox_retry", args=[row.pk]), {"next": "/notifications/outbox/"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == S.SENT and row.attempts == 1
    again = c.post(reverse("notifications:outbox_retry", args=[row.pk]), follow=True)
    assert "không ở trạng thái lỗi" in again.content.decode()


def test_an_officer_records_a_bounce_and_confirms_an_uncertain_row(login, officer):
    row = failed_row()
    c = login(officer)
    c.post(reverse("notifications:outbox_mark", args=[row.pk]), {"status": "bounced"})
    row.refresh_from_db()
    assert row.status == S.BOUNCED
    uncertain = failed_row(key="u", status=S.UNCERTAIN)
    html = c.get(reverse("notifications:outbox") + "?status=uncertain").content.decode()
    assert "Xác nhận đã gửi" in html
    c.post(reverse("notifications:outbox_mark", args=[uncertain.pk]), {"status": "sent"})
    uncertain.refresh_from_db()
    assert uncertain.status == S.SENT
    response = c.post(reverse("notifications:outbox_mark", args=[uncertain.pk]), {"status": "queued"}, follow=True)
    assert "Trạng thái không hợp lệ." in response.content.decode()


def test_send_all_runs_as_a_job_with_progress(login, officer, staff_a, django_capture_on_commit_callbacks):
    for i in range(3):
        outbox_enqueue(to=f"a{i}@example.vn", subject="Thư", template="notice", context={"text": "x"}, key=f"q{i}")
    assert login(staff_a).post(reverse("notifications:outbox_send_all")).status_code == 403
    c = login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("notifications:outbox_send_all"))
    job = Job.objects.get()
    assert response["Location"] == reverse("notifications:job", args=[job.pk])
    assert job.status == Job.Status.DONE and job.total == 3 and job.done == 3
    assert job.message == "Đã gửi 3 thư." and job.created_by == officer
    assert not Outbox.objects.exclude(status=S.SENT).exists()
    assert Notification.objects.filter(user=officer, url=job.get_absolute_url()).exists()


# ---------------------------------------------------------------- jobs


def running_job(user, **kw):
    return Job.objects.create(kind="export", title="Xuất kết quả", created_by=user, status=Job.Status.RUNNING,
                              done=40, total=100, message="Đang xuất 40/100 đơn vị", **kw)


def test_the_job_page_survives_a_reload_and_polls_until_done(login, officer):
    job = running_job(officer)
    c = login(officer)
    for _ in range(2):  # leave and come back: the state is on the server
        html = c.get(reverse("notifications:job", args=[job.pk])).content.decode()
        assert "40/100" in html and "width: 40%" in html and "Đang xuất 40/100 đơn vị" in html
        assert 'hx-trigger="every 1s"' in html
        assert f'hx-get="{reverse("notifications:job_progress", args=[job.pk])}"' in html
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, done=100, message="Xong", result_url="/ket-qua/1/")
    partial = c.get(reverse("notifications:job_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in partial and "width: 100%" in partial and 'href="/ket-qua/1/"' in partial
    assert "<html" not in partial


def test_a_job_is_listed_for_its_creator_and_hidden_from_others(login, staff_a, staff_b, officer, client):
    job = running_job(staff_a)
    c = login(staff_a)
    assert job.get_absolute_url() in c.get(reverse("notifications:list")).content.decode()
    assert job.get_absolute_url() in c.get(reverse("notifications:jobs")).content.decode()
    client.logout()
    other = login(staff_b)
    assert other.get(job.get_absolute_url()).status_code == 404
    assert other.get(reverse("notifications:job_progress", args=[job.pk])).status_code == 404
    assert job.get_absolute_url() not in other.get(reverse("notifications:jobs")).content.decode()
    client.logout()
    assert login(officer).get(job.get_absolute_url()).status_code == 200


def agencies_file(rows):
    return SimpleUploadedFile("don_vi.xlsx", write_workbook([("Đơn vị", ["code", "name", "group", "parent_code",
                                                                         "email"], rows)]),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_the_agency_import_runs_as_a_job_and_imports(login, officer, django_capture_on_commit_callbacks):
    c = login(officer)
    assert "Tải lên và nhập" in c.get(reverse("notifications:agency_import")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("notifications:agency_import"), {"file": agencies_file([
            ["SNN", "Sở Nông nghiệp và Môi trường", "department", "", "snn@tuyenquang.gov.vn"],
            ["XTL", "Xã Thái Long", "commune", "", ""],
        ])})
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.status == Job.Status.DONE and job.total == 2
    assert job.message == "Đã nhập: 2 đơn vị mới, 0 đơn vị cập nhật."
    assert Agency.objects.filter(code__in=["SNN", "XTL"]).count() == 2
    assert "Đã nhập: 2 đơn vị mới" in c.get(job.get_absolute_url()).content.decode()


def test_the_agency_import_shows_every_row_error_and_imports_nothing(login, officer,
                                                                     django_capture_on_commit_callbacks):
    c = login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("notifications:agency_import"), {"file": agencies_file([
            ["SNN", "Sở Nông nghiệp", "department", "", "khong-phai-email"],
            ["", "Thiếu mã", "nhom-la", "", ""],
        ])})
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and job.message.startswith("Tệp có 3 lỗi")
    html = c.get(job.get_absolute_url()).content.decode()
    assert "không hợp lệ" in html and "Thiếu mã đơn vị." in html and "Không có nhóm" in html
    assert not Agency.objects.filter(code="SNN").exists()


def test_the_agency_import_refuses_staff_and_wrong_files(login, staff_a, officer, client):
    assert login(staff_a).get(reverse("notifications:agency_import")).status_code == 403
    client.logout()
    c = login(officer)
    response = c.post(reverse("notifications:agency_import"),
                      {"file": SimpleUploadedFile("danh_sach.csv", b"code,name\n")})
    assert "Chỉ nhận tệp .xlsx." in response.content.decode() and not Job.objects.exists()


def test_a_job_whose_task_breaks_is_failed_with_its_message(officer, django_capture_on_commit_callbacks):
    from campaigns.tasks import agency_import_job
    from cchc_portal.notifications.services import job_start

    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="agency_import", user=officer, task=agency_import_job, title="Không có tệp")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message.startswith("Lỗi:")
    assert agency_import_job.delay(job_id=job.pk).get() == "skipped"  # a redelivery after the end does nothing


# ---------------------------------------------------------------- reminder policies


def test_an_officer_edits_a_campaigns_reminder_policy(login, officer, campaign, django_assert_max_num_queries):
    c = login(officer)
    url = reverse("notifications:reminders", args=[campaign.pk])
    c.get(url)
    with django_assert_max_num_queries(20):
        html = c.get(url).content.decode()
    policy = ReminderPolicy.objects.get(campaign=campaign)
    assert "Tự đánh giá, chấm điểm" in html and 'value="7, 3, 1, -1"' in html
    response = c.post(url, {"policy": policy.pk, f"p{policy.pk}-offsets": "10, 5, 2, -1, -3",
                            f"p{policy.pk}-leader_from": "2", f"p{policy.pk}-active": "on"})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.offsets == [10, 5, 2, -1, -3] and policy.leader_from == 2 and not policy.notify_officers
    assert policy.updated_by == officer
    bad = c.post(url, {"policy": policy.pk, f"p{policy.pk}-offsets": "7, 0", f"p{policy.pk}-active": "on"})
    assert "khác 0" in bad.content.decode()


def test_reminder_policies_are_for_officers_only(login, staff_a, appraiser, campaign, client):
    url = reverse("notifications:reminders", args=[campaign.pk])
    assert login(staff_a).get(url).status_code == 404
    client.logout()
    assert login(appraiser).get(url).status_code == 404


def test_the_campaign_page_links_to_reminders_for_officers(login, officer, staff_a, campaign, client):
    url = reverse("notifications:reminders", args=[campaign.pk])
    assert url in login(officer).get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    client.logout()
    assert url not in login(staff_a).get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()


# ---------------------------------------------------------------- the tick's record


def test_officers_see_what_the_tick_did_and_can_run_it(login, officer, staff_a, client):
    tick_run(now=vn(2026, 11, 15, 17))
    c = login(officer)
    html = c.get(reverse("notifications:automation")).content.decode()
    assert "17:00:00 15/11/2026" in html and "Nhắc hạn" in html and "Khóa chấm điểm khi hết hạn" in html
    assert "Tự đánh giá, chấm điểm" in html  # a reminder source by its step's name
    # names are keys, not words: no dotted task name nor step code reaches the page
    text = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\b(scoring|surveys)\.[a-z_]+", text) and "self_assessment" not in text
    assert "reminders" not in text and "outbox" not in text
    response = c.post(reverse("notifications:automation_run"))
    assert response.status_code == 302 and TickRun.objects.count() == 2
    client.logout()
    assert login(staff_a).get(reverse("notifications:automation")).status_code == 403


def test_an_upload_is_kept_for_the_worker(officer):
    from campaigns.tasks import agency_import_job
    from cchc_portal.notifications.services import job_start

    job = job_start(kind="agency_import", user=officer, task=agency_import_job,
                    input_file=SimpleUploadedFile("a.xlsx", b"PK"), args={"dry_run": True})
    with job.input_file.open("rb") as f:
        assert BytesIO(f.read()).getvalue() == b"PK"
    assert job.args == {"dry_run": True}
