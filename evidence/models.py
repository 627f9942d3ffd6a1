"""Evidence documents (tài liệu kiểm chứng) and their files."""
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Agency, Campaign

from .search import TextVector


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
    # to_tsvector('vn_unaccent', text), kept by PostgreSQL and searched through a GIN index
    # (migration 0006 makes it outside Meta.indexes: PostgreSQL only); NULL on SQLite.
    text_vector = models.GeneratedField(expression=TextVector(), output_field=SearchVectorField(), db_persist=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "campaign", "sha256"], name="uniq_document_per_agency_campaign")
        ]
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("tài liệu kiểm chứng")
        verbose_name_plural = _("tài liệu kiểm chứng")

    def __str__(self):
        return self.number or self.original_name


class DocumentCheck(models.Model):
    """What the background check (evidence.tasks.document_check_job) found in a document:
    its text, the signatures, a proposal of number/date/issuer/title. One row per document,
    created with the upload (status queued) and filled in by the job."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("đang chờ")
        RUNNING = "running", _("đang kiểm tra")
        DONE = "done", _("đã kiểm tra")
        FAILED = "failed", _("lỗi")

    class Source(models.TextChoices):
        NONE = "", _("không có")
        LAYER = "layer", _("lớp chữ của PDF")
        DOCX = "docx", _("tệp Word")
        XLSX = "xlsx", _("tệp Excel")
        OCR = "ocr", _("nhận dạng chữ (OCR)")

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="analysis")
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    error = models.CharField(_("lỗi"), max_length=500, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    text_source = models.CharField(_("nguồn nội dung"), max_length=10, choices=Source.choices, blank=True)
    ocr_confidence = models.FloatField(_("độ tin cậy OCR (%)"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    proposed_number = models.CharField(_("số, ký hiệu đề xuất"), max_length=100, blank=True)
    proposed_issued_on = models.DateField(_("ngày ban hành đề xuất"), null=True, blank=True)
    proposed_issuer = models.CharField(_("cơ quan ban hành đề xuất"), max_length=255, blank=True)
    proposed_title = models.CharField(_("trích yếu đề xuất"), max_length=500, blank=True)
    # The document's text lower-cased without diacritics (evidence.search.plain): the search
    # on SQLite reads it ("quyet dinh" finds "Quyết định"); PostgreSQL searches Document.text_vector.
    plain_text = models.TextField(blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kết quả kiểm tra tài liệu")
        verbose_name_plural = _("kết quả kiểm tra tài liệu")

    def __str__(self):
        return f"{self.document} · {self.get_status_display()}"

    @property
    def has_proposal(self):
        return bool(self.proposed_number or self.proposed_issued_on or self.proposed_issuer or self.proposed_title)


class DocumentSignature(models.Model):
    """One digital signature of a PDF, as pyHanko validated it."""

    class Trust(models.TextChoices):
        YES = "yes", _("chuỗi chứng thư hợp lệ tới chứng thư gốc")
        NO = "no", _("không tin cậy")
        NOT_CHECKED = "not_checked", _("chưa kiểm tra với chứng thư gốc")

    analysis = models.ForeignKey(DocumentCheck, on_delete=models.CASCADE, related_name="signatures")
    position = models.PositiveSmallIntegerField(default=0)
    field_name = models.CharField(max_length=255, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=255, blank=True)
    organisation = models.CharField(_("tổ chức"), max_length=255, blank=True)
    signing_time = models.DateTimeField(_("thời điểm ký"), null=True, blank=True)
    intact = models.BooleanField(_("toàn vẹn"), default=False)
    coverage = models.CharField(_("phạm vi ký"), max_length=40, blank=True)
    modified_after = models.BooleanField(_("bị sửa sau khi ký"), default=False)
    trusted = models.CharField(_("tin cậy"), max_length=12, choices=Trust.choices, default=Trust.NOT_CHECKED)
    problem = models.CharField(_("vấn đề"), max_length=500, blank=True)

    class Meta:
        ordering = ["analysis", "position"]
        verbose_name = _("chữ ký số")
        verbose_name_plural = _("chữ ký số")

    def __str__(self):
        return self.organisation or self.signer_name or self.field_name

    @property
    def ok(self):
        return self.intact and not self.modified_after and self.trusted != self.Trust.NO

    @property
    def label(self):
        return self.organisation or self.signer_name


class TrustRoot(models.Model):
    """A CA certificate (PEM or DER) that signatures must chain to, uploaded by an admin
    (e.g. Vietnam's national root CA, the government CA). The portal ships none."""

    name = models.CharField(_("tên"), max_length=255)
    certificate = models.TextField(_("chứng thư (PEM)"),
                                   help_text=_("Dán nội dung PEM của chứng thư gốc hoặc trung gian."))
    active = models.BooleanField(_("đang dùng"), default=True)
    uploaded_at = models.DateTimeField(_("tải lên lúc"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("chứng thư gốc tin cậy")
        verbose_name_plural = _("chứng thư gốc tin cậy")

    def __str__(self):
        return self.name


class AssessedPeriod(models.Model):
    """The period a campaign assesses (dates of evidence outside it are flagged); without a
    row, 01/01–31/12 of the campaign's year."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="assessed_period")
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))

    class Meta:
        verbose_name = _("kỳ đánh giá")
        verbose_name_plural = _("kỳ đánh giá")

    def __str__(self):
        return f"{self.campaign}: {self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.starts_on and self.ends_on and self.starts_on > self.ends_on:
            raise ValidationError({"ends_on": _("Ngày kết thúc phải sau ngày bắt đầu.")})
from .library_models import GuidanceDocument  # noqa: E402,F401 - the campaign library (its own module)
