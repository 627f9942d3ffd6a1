from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class CommandRun(models.Model):
    """Each run of a management command that writes: who ran it (`--user`, empty for the
    command line alone), whether the windows were overridden (`--force`) and why, what it
    was given and how it ended."""

    command = models.CharField(_("lệnh"), max_length=100)
    user = models.ForeignKey("campaigns.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("người chạy"))
    forced = models.BooleanField(_("bỏ qua thời hạn"), default=False)
    reason = models.TextField(_("lý do"), blank=True)
    arguments = models.JSONField(_("tham số"), default=dict, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=500, blank=True)
    at = models.DateTimeField(_("lúc"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("lần chạy lệnh")
        verbose_name_plural = _("nhật ký chạy lệnh")

    def __str__(self):
        return f"{self.command} ({self.at:%d/%m/%Y %H:%M})"
