"""Criteria sets, assessments and their items, appraisal.

Points are stored on items (computed by the engine on every write) so that results read
sums instead of recomputing trees.
"""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaigns.models import Agency, AgencyGroup, Campaign
from cchc_portal.core.models import BaseModel
from evidence.models import Document

POINTS = {"max_digits": 7, "decimal_places": 2}


class Rule(models.TextChoices):
    SUM = "sum", _("Tổng các tiêu chí con")
    MANUAL = "manual", _("Tự nhập điểm")
    LEVELS = "levels", _("Chọn mức")
    BANDS = "bands", _("Theo khoảng tỷ lệ")
    RATIO = "ratio", _("Tỷ lệ × điểm tối đa")
    DEDUCTION = "deduction", _("Trừ điểm theo vi phạm")
    SURVEY = "survey", _("Từ kết quả điều tra XHH")
    IMPORTED = "imported", _("Từ số liệu nhập khẩu")
    BONUS = "bonus", _("Điểm thưởng")
    PENALTY = "penalty", _("Điểm trừ")


class CriteriaSet(BaseModel):
    """One criteria tree per campaign and agency group (bộ tiêu chí)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="criteria_sets")
    group = models.ForeignKey(AgencyGroup, on_delete=models.PROTECT, related_name="criteria_sets")
    locked_at = models.DateTimeField(_("khóa lúc"), null=True, blank=True)
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")
    bonus_cap = models.DecimalField(_("trần điểm thưởng"), null=True, blank=True, **POINTS)
    penalty_cap = models.DecimalField(_("trần điểm trừ"), null=True, blank=True, **POINTS)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "group"], name="uniq_criteria_set")]
        verbose_name = _("bộ tiêu chí")
        verbose_name_plural = _("bộ tiêu chí")

    def __str__(self):
        return f"{self.campaign} – {self.group}"


class Criterion(BaseModel):
    """A node of the tree: field (lĩnh vực) → criterion (tiêu chí) → sub-criterion."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.CharField(_("mã"), max_length=20)
    title = models.TextField(_("nội dung"))
    max_points = models.DecimalField(_("điểm tối đa"), validators=[MinValueValidator(Decimal("0"))], **POINTS)
    rule = models.CharField(_("cách chấm"), max_length=20, choices=Rule.choices, default=Rule.SUM)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    capped = models.BooleanField(_("tổng con có thể vượt điểm tối đa"), default=False)
    evidence_required = models.BooleanField(_("cần tài liệu kiểm chứng"), default=False)
    guidance = models.TextField(_("hướng dẫn chấm"), blank=True)
    responsible_agency = models.ForeignKey(Agency, on_delete=models.SET_NULL, null=True, blank=True,
                                           related_name="responsible_criteria", verbose_name=_("đơn vị tham mưu"))
    # the province's own index: agencies that help the responsible (lead) one, with evidence and notes
    cooperating_agencies = models.ManyToManyField(Agency, blank=True, related_name="cooperating_criteria",
                                                  verbose_name=_("đơn vị phối hợp"))
    not_applicable_to = models.ManyToManyField(Agency, blank=True, related_name="not_applicable_criteria",
                                               verbose_name=_("không áp dụng cho đơn vị"))
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_versions",
                                 verbose_name=_("tiêu chí năm trước"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["criteria_set", "code"], name="uniq_criterion_code")]
        ordering = ["order", "id"]
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")

    def __str__(self):
        return f"{self.code}. {self.title[:60]}"

    @property
    def depth(self):
        return self.code.count(".") + 1

    @property
    def is_leaf(self):
        return self.rule != Rule.SUM


class CriteriaAmendment(models.Model):
    """A change to a locked set: explicit, with a reason, recorded."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="amendments")
    code = models.CharField(max_length=20)
    reason = models.TextField(_("lý do"))
    change = models.JSONField(_("thay đổi"), default=dict)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()

    class Meta:
        ordering = ["-made_at"]
        verbose_name = _("sửa đổi bộ tiêu chí")
        verbose_name_plural = _("sửa đổi bộ tiêu chí")


class Assessment(BaseModel):
    """One agency's self-assessment and its appraisal in one campaign."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang chấm")
        WITH_LEADER = "with_leader", _("Chờ lãnh đạo duyệt")
        LOCKED = "locked", _("Đã khóa (hết hạn)")
        SUBMITTED = "submitted", _("Đã gửi Sở Nội vụ")
        IN_APPRAISAL = "in_appraisal", _("Đang thẩm định")
        EXPLANATION_REQUESTED = "explanation_requested", _("Được yêu cầu giải trình")
        EXPLAINED = "explained", _("Đã giải trình")
        APPRAISED = "appraised", _("Đã thẩm định")
        FINAL = "final", _("Đã chốt điểm")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assessments")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assessments")
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(_("trạng thái"), max_length=30, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    sent_to_leader_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    locked_at = models.DateTimeField(_("khóa lúc"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("chốt lúc"), null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    leader_comment = models.TextField(_("ý kiến lãnh đạo"), blank=True)
    self_total = models.DecimalField(_("tổng điểm tự chấm"), default=Decimal("0"), **POINTS)
    appraised_total = models.DecimalField(_("tổng điểm thẩm định"), null=True, blank=True, **POINTS)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "agency"], name="uniq_assessment")]
        verbose_name = _("bản tự đánh giá")
        verbose_name_plural = _("bản tự đánh giá")

    def __str__(self):
        return f"{self.agency} – {self.campaign}"


class LeadStatus(models.TextChoices):
    DRAFT = "draft", _("Đang chấm")
    SENT = "sent", _("Đã gửi Sở Nội vụ")
    RETURNED = "returned", _("Bị trả lại")
    ACCEPTED = "accepted", _("Sở Nội vụ đã tiếp nhận")


class Item(models.Model):
    """One criterion (leaf) in one assessment: the agency's input and the appraisal."""

    class AppraisalState(models.TextChoices):
        PENDING = "pending", _("Chưa thẩm định")
        ACCEPTED = "accepted", _("Chấp nhận điểm tự chấm")
        ADJUSTED = "adjusted", _("Điều chỉnh")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="items")
    input = models.JSONField(_("số liệu tự chấm"), default=dict, blank=True)
    explanation = models.TextField(_("giải trình, thuyết minh"), blank=True)
    documents = models.ManyToManyField(Document, blank=True, related_name="items")
    self_points = models.DecimalField(_("điểm tự chấm"), null=True, blank=True, **POINTS)
    self_reason = models.CharField(max_length=255, blank=True)
    external_points = models.DecimalField(_("điểm từ XHH / số liệu nhập"), null=True, blank=True, **POINTS)
    appraised_input = models.JSONField(_("số liệu thẩm định"), null=True, blank=True)
    appraised_points = models.DecimalField(_("điểm thẩm định"), null=True, blank=True, **POINTS)
    appraisal_state = models.CharField(max_length=10, choices=AppraisalState.choices, default=AppraisalState.PENDING)
    appraisal_comment = models.TextField(_("ý kiến thẩm định"), blank=True)
    appraised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    appraised_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # the province's own index: the responsible department sends each item; the Sở returns or accepts it
    lead_status = models.CharField(_("trạng thái tiêu chí"), max_length=10, choices=LeadStatus.choices,
                                   default=LeadStatus.DRAFT)
    lead_sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    review_comment = models.TextField(_("ý kiến của Sở Nội vụ"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[documents])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="uniq_item")]
        verbose_name = _("tiêu chí chấm")
        verbose_name_plural = _("tiêu chí chấm")

    def __str__(self):
        return f"{self.assessment} – {self.criterion.code}"


class Assignment(BaseModel):
    """An appraiser's share of the work: criterion codes (a prefix covers its subtree),
    optionally limited to one agency group."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    appraiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    group = models.ForeignKey(AgencyGroup, on_delete=models.CASCADE, null=True, blank=True)
    codes = models.JSONField(_("mã tiêu chí"), default=list)

    class Meta:
        verbose_name = _("phân công thẩm định")
        verbose_name_plural = _("phân công thẩm định")


class ExplanationRequest(BaseModel):
    """Giải trình, bổ sung tài liệu: the appraiser asks about chosen items by a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("Chờ giải trình")
        ANSWERED = "answered", _("Đã giải trình")
        CLOSED = "closed", _("Đã đóng")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="explanation_requests")
    items = models.ManyToManyField(Item, related_name="explanation_requests")
    question = models.TextField(_("nội dung yêu cầu"))
    due_at = models.DateTimeField(_("hạn trả lời"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    round = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("yêu cầu giải trình")
        verbose_name_plural = _("yêu cầu giải trình")


class Message(models.Model):
    """One message of an item's thread (question, answer, note)."""

    request = models.ForeignKey(ExplanationRequest, on_delete=models.CASCADE, related_name="messages")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, null=True, blank=True, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("nội dung"))
    documents = models.ManyToManyField(Document, blank=True, related_name="messages")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


# ---------------------------------------------------------------- appraisal (issue #5)


class AppraisalSeen(models.Model):
    """When an appraiser last opened an assessment's appraisal page: "what changed since"."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="appraisal_seen")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "user"], name="uniq_appraisal_seen")]


class FinalisationLog(models.Model):
    """Every finalisation (chốt điểm) and reopening of an assessment, with who, when and why."""

    class Action(models.TextChoices):
        FINALISE = "finalise", _("Chốt điểm")
        REOPEN = "reopen", _("Mở lại để thẩm định")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="finalisation_log")
    action = models.CharField(_("thao tác"), max_length=10, choices=Action.choices)
    reason = models.TextField(_("lý do"), blank=True)
    appraised_total = models.DecimalField(_("tổng điểm thẩm định"), null=True, blank=True, **POINTS)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("lúc"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("nhật ký chốt điểm")
        verbose_name_plural = _("nhật ký chốt điểm")


class ImportedFigure(models.Model):
    """One imported figure for an `imported` item (e.g. the National Public Service Portal
    ratings): kept for every import, the latest is the item's external points."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="imported_figures")
    value = models.DecimalField(_("điểm"), **POINTS)
    source = models.CharField(_("nguồn số liệu"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")  # None: the import_figures command
    imported_at = models.DateTimeField(_("nhập lúc"))

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("số liệu nhập khẩu")
        verbose_name_plural = _("số liệu nhập khẩu")


class ItemNote(models.Model):
    """A co-operating (or the responsible) agency's note on a province item, with its evidence."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="notes")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("nội dung"), blank=True)
    documents = models.ManyToManyField(Document, blank=True, related_name="item_notes")
    created_at = models.DateTimeField(_("lúc"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ý kiến đơn vị phối hợp")
        verbose_name_plural = _("ý kiến đơn vị phối hợp")


class OfficialResult(models.Model):
    """The Ministry's published points for one item of a province campaign (kết quả chính
    thức): one row per item, replaced by the next import."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="official_result")
    points = models.DecimalField(_("điểm chính thức"), validators=[MinValueValidator(Decimal("0"))], **POINTS)
    note = models.TextField(_("ghi chú"), blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    imported_at = models.DateTimeField(_("nhập lúc"))

    class Meta:
        verbose_name = _("kết quả chính thức")
        verbose_name_plural = _("kết quả chính thức")

    def __str__(self):
        return f"{self.item} – {self.points}"
