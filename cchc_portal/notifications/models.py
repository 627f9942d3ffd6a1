"""The e-mail outbox, in-app notifications, reminder policies, the tick's record and long jobs.

Every e-mail is first a row, committed with the change that caused it; a task sends
queued rows. `key` makes a message unique (a reminder goes out once however often the
tick runs).
"""
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, StepKind


class Outbox(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi lỗi")
        BOUNCED = "bounced", _("Bị trả lại")
        # The worker stopped after handing the message to the SMTP server and before it
        # heard the answer: most likely delivered; never resent without an officer.
        UNCERTAIN = "uncertain", _("Chưa rõ kết quả")

    key = models.CharField(_("khóa duy nhất"), max_length=255, unique=True)
    to = models.EmailField(_("người nhận"))
    subject = models.CharField(_("tiêu đề"), max_length=255)
    template = models.CharField(_("mẫu thư"), max_length=100)
    context = models.JSONField(_("dữ liệu"), default=dict, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(_("thử lại lúc"), default=timezone.now)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    # The worker's claim: only the holder of the token may hand the message over or mark it.
    claim = models.CharField(max_length=32, blank=True, default="")
    # Set, in the same transaction that is committed right after the final "." of DATA was
    # written, when the message was handed to the SMTP server: a row stuck in `sending`
    # without it was certainly not delivered and is sent again; with it, it is uncertain.
    handed_over_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("thư đi")
        verbose_name_plural = _("hộp thư đi")

    def __str__(self):
        return f"{self.to}: {self.subject}"

    @property
    def message_id(self) -> str:
        """The same Message-ID on every attempt, so a receiving client can fold a repeat."""
        digest = hashlib.sha256(self.key.encode()).hexdigest()[:20]
        return f"<cchc.{self.pk}.{digest}@{message_id_domain()}>"


def message_id_domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    domain = sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else ""
    return domain or "cchc.local"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("nội dung"), max_length=500)
    url = models.CharField(_("liên kết"), max_length=500, blank=True)
    key = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~Q(key=""), name="uniq_notification_key"),
        ]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")

    def __str__(self):
        return self.text


REMINDER_STEP_KINDS = [
    StepKind.SELF_ASSESSMENT, StepKind.RESPONDENT_LISTS, StepKind.SURVEY, StepKind.EXPLANATION,
]


class ReminderPolicy(models.Model):
    """When to remind about one step of a campaign, and whom to escalate to.

    `offsets` are whole days before the effective deadline (7, 3, 1) or after missing it
    (-1); leaders are added from `leader_from` (an offset) on; officers get a digest of
    who missed the deadline when `notify_officers` is set.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminder_policies")
    step_kind = models.CharField(_("bước"), max_length=30, choices=StepKind.choices)
    offsets = models.JSONField(_("các mốc nhắc (ngày)"), default=list)
    leader_from = models.SmallIntegerField(
        _("báo lãnh đạo đơn vị từ mốc"), null=True, blank=True,
        help_text=_("Ví dụ 1: lãnh đạo đơn vị nhận nhắc từ mốc 1 ngày trước hạn trở đi. Để trống: không báo."))
    notify_officers = models.BooleanField(_("báo cán bộ Sở khi quá hạn"), default=True)
    active = models.BooleanField(_("đang áp dụng"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "step_kind"], name="uniq_reminder_policy")]
        ordering = ["campaign", "step_kind"]
        verbose_name = _("chính sách nhắc hạn")
        verbose_name_plural = _("chính sách nhắc hạn")

    def __str__(self):
        return f"{self.get_step_kind_display()} – {self.campaign}"

    @property
    def offsets_text(self) -> str:
        return ", ".join(str(o) for o in self.offsets)


class Reminder(models.Model):
    """One reminder that went out: unique per (policy, recipient, offset), so never twice."""

    policy = models.ForeignKey(ReminderPolicy, on_delete=models.CASCADE, related_name="reminders")
    target = models.CharField(_("đối tượng nhắc"), max_length=80)  # a key: "agency:12", "respondent:7"
    target_name = models.CharField(_("tên đối tượng nhắc"), max_length=255, blank=True)  # what people read
    recipient = models.CharField(_("người nhận"), max_length=160)
    offset = models.SmallIntegerField(_("mốc (ngày)"))
    deadline = models.DateTimeField(_("hạn áp dụng"))
    due_at = models.DateTimeField(_("đến hạn nhắc lúc"))
    created_at = models.DateTimeField(default=timezone.now)
    email = models.EmailField(blank=True)
    outbox = models.ForeignKey(Outbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "recipient", "offset"], name="uniq_reminder"),
        ]
        ordering = ["-created_at", "-id"]
        verbose_name = _("lượt nhắc hạn")
        verbose_name_plural = _("lượt nhắc hạn")


class TickRun(models.Model):
    """What one run of the periodic tick did: one entry per registered piece of due work."""

    now = models.DateTimeField(_("thời điểm xét"))
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    results = models.JSONField(default=list)
    ok = models.BooleanField(default=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("lượt chạy tự động")
        verbose_name_plural = _("lượt chạy tự động")


class Job(models.Model):
    """A long piece of work (import, export, bulk send) run by a task, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Chờ chạy")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Hoàn thành")
        FAILED = "failed", _("Lỗi")

    kind = models.CharField(_("loại việc"), max_length=40)
    title = models.CharField(_("tên việc"), max_length=255, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(_("tình trạng"), max_length=500, blank=True)
    result_url = models.CharField(_("kết quả"), max_length=500, blank=True)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    args = models.JSONField(default=dict, blank=True)
    input_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("việc chạy nền")
        verbose_name_plural = _("việc chạy nền")

    def __str__(self):
        return self.title or self.kind

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("notifications:job", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
