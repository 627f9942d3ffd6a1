"""The e-mail outbox, in-app notifications and long jobs: below campaigns, so any app may use them.

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
