"""Evidence documents (tài liệu kiểm chứng) and their files."""
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Agency, Campaign


def evidence_path(instance, filename):
    # Opaque storage names: the original name is kept in the row, never trusted as a path.
    return f"evidence/{instance.campaign_id}/{instance.agency_id}/{uuid.uuid4().hex}{instance.extension}"


class Document(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="documents")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(_("tệp"), upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    extension = models.CharField(max_length=10, blank=True)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    summary = models.TextField(_("trích yếu"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("tải lên lúc"), default=timezone.now)
    text = models.TextField(_("nội dung trích xuất"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "campaign", "sha256"], name="uniq_document_per_agency_campaign")
        ]
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("tài liệu kiểm chứng")
        verbose_name_plural = _("tài liệu kiểm chứng")

    def __str__(self):
        return self.number or self.original_name

from .library_models import GuidanceDocument  # noqa: E402,F401 - the campaign library (its own module)
