"""Reminder policies, the reminders that went out, and the tick's record.

Their tables keep the names they had when they lived in `notifications`.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, StepKind
from cchc_portal.notifications.models import Outbox

REMINDER_STEP_KINDS = [
    StepKind.FOCAL_OFFICERS, StepKind.SELF_ASSESSMENT, StepKind.RESPONDENT_LISTS, StepKind.SURVEY, StepKind.EXPLANATION,
    StepKind.DEPARTMENTS,
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
        db_table = "notifications_reminderpolicy"
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
        db_table = "notifications_reminder"
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
        db_table = "notifications_tickrun"
        verbose_name = _("lượt chạy tự động")
        verbose_name_plural = _("lượt chạy tự động")
