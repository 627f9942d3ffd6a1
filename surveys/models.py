"""The sociological survey (điều tra xã hội học): groups, questionnaires, respondents,
invitations with unguessable tokens, responses and answers."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models import Agency, AgencyGroup, Campaign
from cchc_portal.core.models import BaseModel
from scoring.models import Criterion


class RespondentGroup(BaseModel):
    """E.g. provincial People's Council delegates, who rate every department."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="respondent_groups")
    code = models.CharField(_("mã nhóm"), max_length=40)
    name = models.CharField(_("tên nhóm đối tượng"), max_length=255)
    rates_group = models.ForeignKey(AgencyGroup, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("đánh giá nhóm cơ quan"))
    form_code = models.CharField(_("mã phiếu"), max_length=40, blank=True)
    instructions = models.TextField(_("hướng dẫn trả lời"), blank=True)
    min_answers = models.PositiveSmallIntegerField(_("số phiếu tối thiểu"), default=3)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="uniq_respondent_group")]
        ordering = ["code"]
        verbose_name = _("nhóm đối tượng điều tra")
        verbose_name_plural = _("nhóm đối tượng điều tra")

    def __str__(self):
        return self.name


class Question(BaseModel):
    class Kind(models.TextChoices):
        RATING = "rating", _("Đánh giá theo từng đơn vị (ma trận)")
        SINGLE = "single", _("Chọn một")
        MULTIPLE = "multiple", _("Chọn nhiều")
        TEXT = "text", _("Trả lời ngắn")

    group = models.ForeignKey(RespondentGroup, on_delete=models.CASCADE, related_name="questions")
    section = models.CharField(_("phần"), max_length=255, blank=True)
    number = models.CharField(_("số thứ tự"), max_length=20)
    text = models.TextField(_("câu hỏi"))
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.RATING)
    # [{"key": "A", "label": "...", "weight": "100"}, ..., {"key": "E", "label": "Không biết", "weight": null}]
    options = models.JSONField(_("phương án"), default=list, blank=True)
    criterion = models.ForeignKey(Criterion, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions")
    required = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "number"], name="uniq_question_number")]
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("câu hỏi")

    def __str__(self):
        return f"{self.number}. {self.text[:60]}"


class RespondentList(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang lập")
        SENT = "sent", _("Đã gửi Sở")
        APPROVED = "approved", _("Đã duyệt")
        RETURNED = "returned", _("Trả lại")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="respondent_lists")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="respondent_lists")
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    comment = models.TextField(_("ý kiến của Sở"), blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "agency"], name="uniq_respondent_list")]
        verbose_name = _("danh sách đối tượng điều tra")
        verbose_name_plural = _("danh sách đối tượng điều tra")


class Respondent(BaseModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="respondents")
    respondent_list = models.ForeignKey(RespondentList, on_delete=models.CASCADE, related_name="respondents")
    group = models.ForeignKey(RespondentGroup, on_delete=models.PROTECT, related_name="respondents")
    full_name = models.CharField(_("họ và tên"), max_length=200)
    position = models.CharField(_("chức vụ"), max_length=255, blank=True)
    email = models.EmailField(_("thư điện tử"))
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "email"], name="uniq_respondent_email")]
        ordering = ["full_name", "id"]
        verbose_name = _("đối tượng điều tra")
        verbose_name_plural = _("đối tượng điều tra")

    def __str__(self):
        return self.full_name


class Invitation(BaseModel):
    """One personal link. The token itself is never stored: only its SHA-256."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chưa gửi")
        SENT = "sent", _("Đã gửi")
        OPENED = "opened", _("Đã mở")
        ANSWERED = "answered", _("Đã trả lời")
        BOUNCED = "bounced", _("Thư bị trả lại")
        VOIDED = "voided", _("Đã hủy")

    respondent = models.OneToOneField(Respondent, on_delete=models.CASCADE, related_name="invitation")
    # Indexes kept to what is looked up, none on what a submission changes (status, times),
    # so that turning an invitation answered rewrites no index (PostgreSQL's HOT update).
    token_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # A re-issued link (printed QR sheet, reminder) replaces the token; the one before it
    # then shows "replaced by a newer link" instead of the questionnaire.
    previous_token_hash = models.CharField(max_length=64, blank=True)
    issue_count = models.PositiveSmallIntegerField(_("số lần cấp liên kết"), default=1)
    reissued_at = models.DateTimeField(_("cấp lại lúc"), null=True, blank=True)
    reissued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("người cấp lại"))
    # The last QR sheet this link was printed on: its answer goes to the integrity review.
    printed_in = models.ForeignKey("LinkPrint", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("in mã QR lần"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token_hash"], name="uniq_invitation_token")]
        indexes = [models.Index(fields=["previous_token_hash"], condition=~models.Q(previous_token_hash=""),
                                name="invitation_previous_token_idx")]
        verbose_name = _("thư mời trả lời phiếu")
        verbose_name_plural = _("thư mời trả lời phiếu")


class LinkPrint(models.Model):
    """A QR sheet an officer printed: who, when, for which agency and which invitations. Only
    officers print (an agency holding its respondents' live links could answer for them)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="link_prints")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("người in"))
    printed_at = models.DateTimeField(_("in lúc"))
    invitations = models.ManyToManyField(Invitation, related_name="prints", verbose_name=_("thư mời được in"))

    class Meta:
        ordering = ["-printed_at", "-id"]
        verbose_name = _("lần in mã QR")
        verbose_name_plural = _("các lần in mã QR")

    def __str__(self):
        return f"{self.agency} – {self.printed_at:%d/%m/%Y %H:%M}"


class Response(models.Model):
    """A respondent's answers: anonymous in results, kept with timing and a hashed fingerprint."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)  # looked up by response_device_idx
    user_agent = models.CharField(max_length=300, blank=True)
    flags = models.JSONField(default=list, blank=True)  # kinds raised when this response was submitted
    voided = models.BooleanField(default=False)
    void_reason = models.TextField(blank=True)
    last_saved_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the rating answers (question, rated agency, option): identical patterns.
    answers_digest = models.CharField(max_length=64, blank=True)
    rating_rows = models.PositiveIntegerField(default=0)
    # The respondent's answers as one document, drafts and sent alike (the link resumes from
    # it): {"<question id>": {"<rated agency id>": "A", ...} | ["A", "C"] | "text"}. A
    # submission writes this one row; the rows of Answer that the points count are written
    # from it off the respondent's path (services.responses_expand), and `answers_pending`
    # says they are not written yet. Every reader of Answer expands what is pending first.
    answers_data = models.JSONField(default=dict, blank=True)
    answers_pending = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["ip_hash", "submitted_at"], name="response_device_idx"),
            models.Index(fields=["answers_digest"], name="response_digest_idx"),
            models.Index(fields=["id"], condition=models.Q(answers_pending=True), name="response_pending_idx"),
        ]
        verbose_name = _("phiếu trả lời")
        verbose_name_plural = _("phiếu trả lời")


class Answer(models.Model):
    """One counted answer of a sent response, written from `Response.answers_data`."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    rated_agency = models.ForeignKey(Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    option = models.CharField(max_length=10, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question", "rated_agency", "option"], name="uniq_answer"),
        ]


class Flag(models.Model):
    """A suspicion for officers to review (never shown to agencies): answers from one device,
    implausibly fast answers, identical patterns across one agency's respondents."""

    class Kind(models.TextChoices):
        SAME_DEVICE = "same_device", _("Nhiều phiếu từ một thiết bị trong thời gian ngắn")
        TOO_FAST = "too_fast", _("Trả lời nhanh bất thường")
        IDENTICAL = "identical", _("Nhiều phiếu của một đơn vị giống hệt nhau")
        PRINTED_LINK = "printed_link", _("Phiếu trả lời qua liên kết in mã QR")

    class Status(models.TextChoices):
        OPEN = "open", _("Chờ xem xét")
        DISMISSED = "dismissed", _("Không vi phạm")
        VOIDED = "voided", _("Đã hủy phiếu")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="survey_flags")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                               verbose_name=_("đơn vị của người trả lời"))
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200, unique=True)
    detail = models.JSONField(default=dict, blank=True)
    responses = models.ManyToManyField(Response, related_name="flag_set")
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    created_at = models.DateTimeField(_("phát hiện lúc"))
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    review_note = models.TextField(_("ý kiến xử lý"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("dấu hiệu bất thường")
        verbose_name_plural = _("dấu hiệu bất thường")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%d/%m/%Y})"


class SurveyVoid(models.Model):
    """A recorded decision: one response, or the whole survey result of an agency (its
    respondents' responses), no longer counts. Who, when and why."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="survey_voids")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("đơn vị bị hủy kết quả"))
    response = models.ForeignKey(Response, on_delete=models.CASCADE, null=True, blank=True, related_name="voids")
    flag = models.ForeignKey(Flag, on_delete=models.SET_NULL, null=True, blank=True, related_name="voids")
    reason = models.TextField(_("lý do"))
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(_("hủy lúc"))
    responses_voided = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-made_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(agency__isnull=False) | models.Q(response__isnull=False),
                                   name="survey_void_has_target"),
        ]
        verbose_name = _("quyết định hủy kết quả khảo sát")
        verbose_name_plural = _("quyết định hủy kết quả khảo sát")
