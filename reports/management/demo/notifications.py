"""Demo data of the notifications area: reminder policies of the current campaign, a few
bell entries, a sample of the outbox (sent, bounced, failed) and a finished job.
Idempotent: every row is found by its natural key before it is created."""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from campaigns.models import User
from cchc_portal.automation.reminders import reminder_policies_ensure, vn_time
from cchc_portal.notifications.models import Job, Outbox
from cchc_portal.notifications.services import notify

S = Outbox.Status


def _outbox(key, **fields):
    Outbox.objects.get_or_create(key=key, defaults=fields)


@transaction.atomic
def seed(*, campaigns, now=None) -> None:
    now = now or timezone.now()
    current = campaigns["current"]
    reminder_policies_ensure(campaign=current)
    users = {u.username: u for u in User.objects.filter(username__in=[
        "canbo.snv", "stc.canbo", "minhxuan.lanhdao", "stp.canbo", "minhxuan.canbo"])}
    if len(users) < 5:
        return
    step = current.steps.filter(kind="self_assessment").first()
    deadline = vn_time(step.closes_at) if step else ""
    url = f"/campaigns/{current.pk}/"
    notify(users=[users["stc.canbo"], users["stp.canbo"], users["minhxuan.canbo"]],
           text=f"Sở Nội vụ đã mở đợt “{current.name}”: hạn tự đánh giá {deadline}.", url=url,
           key=f"demo:opened:{current.pk}")
    notify(users=[users["minhxuan.lanhdao"]],
           text="Cán bộ đầu mối đã trình bản tự đánh giá của Phường Minh Xuân để duyệt.",
           url=url, key=f"demo:with-leader:{current.pk}")
    notify(users=[users["canbo.snv"]], text="2 thư gửi lỗi hoặc bị trả lại; xem Hộp thư đi để gửi lại.",
           url="/notifications/outbox/", key=f"demo:outbox-failed:{current.pk}")

    common = {"template": "notice", "created_at": now - timedelta(days=2), "next_attempt_at": now - timedelta(days=2)}
    for username in ("stc.canbo", "stp.canbo", "minhxuan.canbo"):
        user = users[username]
        _outbox(f"demo:opened:{current.pk}:u{user.pk}", to=user.email, status=S.SENT, attempts=1,
                subject=f"Mở đợt đánh giá: {current.name}", sent_at=now - timedelta(days=2),
                context={"full_name": user.display_name, "url": url,
                         "text": f"Sở Nội vụ đã mở đợt “{current.name}”: hạn tự đánh giá {deadline}."}, **common)
    _outbox(f"demo:bounced:{current.pk}", to="vanthu.sxd@tuyenquang.gov.vn", status=S.BOUNCED, attempts=1,
            subject=f"Mở đợt đánh giá: {current.name}", last_error="550 5.1.1 Không có hộp thư này",
            context={"full_name": "Văn thư Sở Xây dựng", "text": "Sở Nội vụ đã mở đợt đánh giá."}, **common)
    _outbox(f"demo:failed:{current.pk}", to="ubnd.lambinh@tuyenquang.gov.vn", status=S.FAILED, attempts=6,
            subject=f"Mở đợt đánh giá: {current.name}",
            last_error="SMTPServerDisconnected: Connection unexpectedly closed",
            context={"full_name": "UBND xã Lâm Bình", "text": "Sở Nội vụ đã mở đợt đánh giá."}, **common)
    officer = users["canbo.snv"]
    if not Job.objects.filter(created_by=officer, kind="agency_import").exists():
        Job.objects.create(kind="agency_import", title="Nhập danh sách đơn vị: don_vi_tuyen_quang.xlsx",
                           created_by=officer, status=Job.Status.DONE, done=37, total=37,
                           message="Đã nhập: 0 đơn vị mới, 37 đơn vị cập nhật.", created_at=now - timedelta(days=30),
                           started_at=now - timedelta(days=30), finished_at=now - timedelta(days=30))
