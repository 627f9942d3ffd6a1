"""Results settings per campaign and published results: frozen, numbered snapshots."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from cchc_portal.core.models import BaseModel


def default_grade_bands():
    """≥ 90 Xuất sắc, 80–<90 Tốt, 65–<80 Khá, 50–<65 Trung bình, < 50 Yếu (index in %)."""
    return [
        {"min": "90", "label": "Xuất sắc"},
        {"min": "80", "label": "Tốt"},
        {"min": "65", "label": "Khá"},
        {"min": "50", "label": "Trung bình"},
        {"min": "0", "label": "Yếu"},
    ]


# "Nơi nhận" of the Sở's reports, one recipient a line; the PDF adds "- " and the ";" / "."
DEFAULT_RECIPIENTS = "UBND tỉnh (để báo cáo)\nCác cơ quan, đơn vị trong tỉnh\nLưu: VT, CCHC"


def recipients_list(text: str) -> list[str]:
    """One recipient a line, without the "- " and the ";" / "." the PDF adds itself (so
    "- Lưu: VT, CCHC." and "Lưu: VT, CCHC" are the same recipient); blank lines dropped."""
    lines = (" ".join(raw.split()).lstrip("-–•+* ").rstrip(";.,").strip() for raw in str(text or "").splitlines())
    return [line for line in lines if line]


class ResultSettings(BaseModel):
    """How one campaign's results are graded, ranked and headed in official reports.

    A campaign without a row uses the defaults (see `reports.selectors.result_settings_for`).
    """

    class RankMethod(models.TextChoices):
        COMPETITION = "competition", _("Đồng hạng, bỏ qua hạng kế tiếp (1, 1, 3)")
        DENSE = "dense", _("Đồng hạng, không bỏ hạng (1, 1, 2)")

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="result_settings")
    # [{"min": "90", "label": "Xuất sắc"}, ...] sorted by min descending; an index ≥ min gets the label.
    grade_bands = models.JSONField(_("xếp loại theo chỉ số"), default=default_grade_bands)
    rank_method = models.CharField(_("cách xếp hạng khi bằng điểm"), max_length=20, choices=RankMethod.choices,
                                   default=RankMethod.COMPETITION)
    authority_name = models.CharField(_("cơ quan chủ quản (dòng 1 quốc hiệu)"), max_length=200,
                                      default="ỦY BAN NHÂN DÂN TỈNH")
    office_name = models.CharField(_("cơ quan ban hành báo cáo"), max_length=200, default="SỞ NỘI VỤ")
    place_name = models.CharField(_("địa danh ghi trên báo cáo"), max_length=100, blank=True)
    # the closing block (Nghị định 30/2020): "KT. GIÁM ĐỐC" over "PHÓ GIÁM ĐỐC", the name under the signature
    signer_authority = models.CharField(_("thẩm quyền ký (KT., TL., TUQ.)"), max_length=100, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=100, default="GIÁM ĐỐC")
    signer_name = models.CharField(_("họ tên người ký"), max_length=100, blank=True)
    recipients = models.TextField(_("nơi nhận"), default=DEFAULT_RECIPIENTS)

    class Meta:
        verbose_name = _("cấu hình kết quả")
        verbose_name_plural = _("cấu hình kết quả")

    def __str__(self):
        return f"{self.campaign}"


class Published(models.Model):
    """What was published is written once, never edited or deleted (a correction is a new
    publication): a safety net under the services, for Publication and its rows."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError(gettext("Bản công bố không được sửa; hãy công bố đính chính (lần mới)."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(gettext("Bản công bố không được xóa."))


class Publication(Published):
    """A frozen snapshot of a campaign's results. Never edited: a correction is a new number.

    `rows`: one entry per agency as the results API serves it (scores by field, rank,
    grade); `method`: how they were computed (bands, rank method, rounding, the formula,
    the criteria titles). Item-level scores live in `PublicationRow.data`.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="publications")
    number = models.PositiveSmallIntegerField(_("lần công bố"))
    published_at = models.DateTimeField(_("công bố lúc"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision_number = models.CharField(_("số quyết định của UBND"), max_length=100)
    note = models.TextField(_("ghi chú"), blank=True)
    method = models.JSONField(_("phương pháp tính"), default=dict)
    rows = models.JSONField(_("kết quả"), default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="uniq_publication_number")]
        ordering = ["campaign", "-number"]
        verbose_name = _("công bố kết quả")
        verbose_name_plural = _("công bố kết quả")

    def __str__(self):
        return gettext("%(campaign)s – lần %(n)s") % {"campaign": self.campaign, "n": self.number}


class PublicationRow(Published):
    """One agency in one publication, frozen with it: searchable columns plus every score
    (fields, criteria and items) in `data`, so the public pages read one row, not the
    whole snapshot."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="agency_rows")
    agency_id = models.BigIntegerField()  # no FK: the snapshot outlives renames and merges
    agency_code = models.CharField(_("mã đơn vị"), max_length=40)
    agency_name = models.CharField(_("tên đơn vị"), max_length=255)
    group_code = models.CharField(_("mã nhóm"), max_length=40)
    position = models.PositiveIntegerField(_("thứ tự"))
    rank = models.PositiveIntegerField(_("hạng"), null=True, blank=True)
    index = models.DecimalField(_("chỉ số"), max_digits=7, decimal_places=2, null=True, blank=True)
    data = models.JSONField(_("điểm chi tiết"), default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["publication", "agency_code"], name="uniq_publication_row"),
        ]
        indexes = [models.Index(fields=["publication", "group_code", "position"])]
        ordering = ["publication", "position"]
        verbose_name = _("kết quả đơn vị đã công bố")
        verbose_name_plural = _("kết quả đơn vị đã công bố")

    def __str__(self):
        return f"{self.publication} – {self.agency_code}"
