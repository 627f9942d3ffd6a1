"""The e-mail outbox and in-app notifications.

Every e-mail is first a row, committed with the change that caused it; a task sends
queued rows. `key` makes a message unique (a reminder goes out once however often the
tick runs).
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Outbox(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Gửi lỗi")
        BOUNCED = "bounced", _("Bị trả lại")

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

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("thư đi")
        verbose_name_plural = _("hộp thư đi")

    def __str__(self):
        return f"{self.to}: {self.subject}"


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
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")

    def __str__(self):
        return self.text
