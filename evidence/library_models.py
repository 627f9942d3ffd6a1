"""The campaign library (thư viện hướng dẫn): what the Sở publishes for a campaign — the
plan letter, the Ministry's instructions, the criteria guide, forms, training slides and
video links — each a stored file or an external link, tied to a plan step or criteria codes."""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import AgencyGroup, Campaign, StepKind
from cchc_portal.core.models import BaseModel


def guidance_path(instance, filename):
    # Opaque names, outside evidence/ (evidence_cleanup sweeps only that folder).
    return f"guidance/{instance.campaign_id}/{uuid.uuid4().hex}{instance.extension}"


class GuidanceDocument(BaseModel):
    class Kind(models.TextChoices):
        PLAN = "plan", _("Kế hoạch, văn bản triển khai")
        MINISTRY = "ministry", _("Hướng dẫn của Bộ Nội vụ")
        CRITERIA_GUIDE = "criteria_guide", _("Hướng dẫn bộ tiêu chí")
        TEMPLATE = "template", _("Biểu mẫu")
        TRAINING = "training", _("Tài liệu tập huấn")
        VIDEO = "video", _("Video hướng dẫn")
        OTHER = "other", _("Tài liệu khác")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="guidance_documents",
                                 verbose_name=_("đợt đánh giá"))
    kind = models.CharField(_("loại tài liệu"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("số hiệu"), max_length=100, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    title = models.CharField(_("tên tài liệu"), max_length=500)
    file = models.FileField(_("tệp"), upload_to=guidance_path, max_length=255, blank=True)
    original_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    extension = models.CharField(max_length=10, blank=True)
    size = models.PositiveBigIntegerField(_("dung lượng"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(_("loại tệp"), max_length=100, blank=True)
    url = models.URLField(_("đường liên kết"), max_length=500, blank=True)
    step_kind = models.CharField(_("bước kế hoạch"), max_length=30, choices=StepKind.choices, blank=True)
    group = models.ForeignKey(AgencyGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("nhóm cơ quan"))
    criteria_codes = models.JSONField(_("mã tiêu chí"), default=list, blank=True)
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="copies", verbose_name=_("sao chép từ"))
    # True while the codes follow last year's document through the year-over-year map;
    # an officer who edits the codes takes them over.
    codes_from_previous = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["kind", "-issued_on", "title", "id"]
        constraints = [
            models.CheckConstraint(condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                                   name="guidance_file_or_link"),
            models.UniqueConstraint(fields=["campaign", "copied_from"], condition=Q(copied_from__isnull=False),
                                    name="uniq_guidance_copy"),
        ]
        verbose_name = _("tài liệu hướng dẫn")
        verbose_name_plural = _("thư viện hướng dẫn")

    def __str__(self):
        return f"{self.number} {self.title}".strip() if self.number else self.title

    @property
    def is_link(self) -> bool:
        return bool(self.url)
