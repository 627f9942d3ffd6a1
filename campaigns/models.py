"""Agencies, users and their roles, yearly campaigns with their dated steps."""
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc_portal.core.models import BaseModel


class AgencyGroup(BaseModel):
    """A kind of assessed agency: departments, district committees, commune committees...

    `department`, `district` and `commune` come from a migration; provinces add others.
    """

    code = models.SlugField(_("mã nhóm"), max_length=40, unique=True)
    name = models.CharField(_("tên nhóm"), max_length=200)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("nhóm cơ quan")
        verbose_name_plural = _("nhóm cơ quan")

    def __str__(self):
        return self.name


class Agency(BaseModel):
    """An assessed agency (sở/ban/ngành, UBND cấp huyện, UBND cấp xã).

    `parent` lets a district hold its communes (the pre-2025 three-level shape); today's
    two-level shape simply leaves it empty.
    """

    code = models.CharField(_("mã đơn vị"), max_length=40, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    group = models.ForeignKey(AgencyGroup, on_delete=models.PROTECT, related_name="agencies",
                              verbose_name=_("nhóm"))
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("đơn vị cấp trên"))
    email = models.EmailField(_("thư điện tử"), blank=True)
    active = models.BooleanField(_("đang hoạt động"), default=True)
    # Cục Thống kê, Cục Thuế: they answer for province criteria but are never ranked
    ranked = models.BooleanField(
        _("được đánh giá, xếp hạng"), default=True,
        help_text=_("Bỏ chọn cho cơ quan chỉ tham mưu chỉ số của tỉnh (Cục Thống kê, Cục Thuế)."))

    class Meta:
        ordering = ["group__order", "code"]
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")

    def __str__(self):
        return self.name

    def clean(self):
        node, seen = self.parent, {self.pk}
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": _("Đơn vị cấp trên tạo thành vòng lặp.")})
            seen.add(node.pk)
            node = node.parent


class User(AbstractUser):
    """Province-wide roles (admin, officer, appraiser) are Django groups; agency roles are
    memberships, so one person can serve two agencies."""

    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.get_full_name() or self.username


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    OFFICER = "officer", _("Cán bộ Sở Nội vụ")
    APPRAISER = "appraiser", _("Thành viên Tổ thẩm định")
    STAFF = "staff", _("Cán bộ đầu mối của đơn vị")
    LEADER = "leader", _("Lãnh đạo đơn vị")


PROVINCE_ROLES = (Role.ADMIN, Role.OFFICER, Role.APPRAISER)
AGENCY_ROLES = (Role.STAFF, Role.LEADER)


class Membership(BaseModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=20,
                            choices=[(r.value, r.label) for r in AGENCY_ROLES])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="uniq_membership")]
        verbose_name = _("thành viên đơn vị")
        verbose_name_plural = _("thành viên đơn vị")

    def __str__(self):
        return f"{self.user} – {self.agency} ({self.get_role_display()})"


class Campaign(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        OPEN = "open", _("Đang triển khai")
        CLOSED = "closed", _("Đã kết thúc")
        PUBLISHED = "published", _("Đã công bố")

    class Kind(models.TextChoices):
        AGENCIES = "agencies", _("Đánh giá các cơ quan, đơn vị")
        PROVINCE = "province", _("Tỉnh tự đánh giá Chỉ số CCHC cấp tỉnh")

    kind = models.CharField(_("loại đợt đánh giá"), max_length=20, choices=Kind.choices, default=Kind.AGENCIES)
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    name = models.CharField(_("tên đợt đánh giá"), max_length=255)
    owner = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="owned_campaigns", verbose_name=_("đơn vị chủ trì"),
                              help_text=_("Để trống: cấp tỉnh. Một huyện chủ trì đợt đánh giá các xã."))
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    groups = models.ManyToManyField(AgencyGroup, related_name="campaigns", verbose_name=_("nhóm được đánh giá"))
    agencies = models.ManyToManyField(Agency, related_name="campaigns", blank=True,
                                      verbose_name=_("đơn vị được đánh giá"))
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="next_campaigns", verbose_name=_("đợt năm trước"))
    opened_at = models.DateTimeField(_("mở lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("đợt đánh giá")
        verbose_name_plural = _("đợt đánh giá")

    def __str__(self):
        return f"{self.name} ({self.year})"

    def clean(self):
        if self.year and not 2000 <= self.year <= 2100:
            raise ValidationError({"year": _("Năm đánh giá không hợp lệ.")})


class StepKind(models.TextChoices):
    CRITERIA = "criteria", _("Điều chỉnh bộ tiêu chí")
    FOCAL_OFFICERS = "focal_officers", _("Cử cán bộ đầu mối")
    TRAINING = "training", _("Tập huấn")
    SELF_ASSESSMENT = "self_assessment", _("Tự đánh giá, chấm điểm")
    RESPONDENT_LISTS = "respondent_lists", _("Gửi danh sách đối tượng điều tra")
    SURVEY = "survey", _("Trả lời phiếu điều tra XHH")
    APPRAISAL = "appraisal", _("Thẩm định")
    EXPLANATION = "explanation", _("Giải trình, bổ sung tài liệu")
    APPRAISAL_2 = "appraisal_2", _("Thẩm định lần 2")
    PUBLICATION = "publication", _("Công bố kết quả")
    # the province's own index (Campaign.Kind.PROVINCE)
    DEPARTMENTS = "departments", _("Các sở, ngành tự chấm và gửi tài liệu kiểm chứng")
    PROVINCE_DRAFT = "province_draft", _("Sở Nội vụ tổng hợp, dự thảo báo cáo")
    PROVINCE_APPROVAL = "province_approval", _("UBND tỉnh phê duyệt")
    MINISTRY_ENTRY = "ministry_entry", _("Nhập dữ liệu vào phần mềm của Bộ Nội vụ")


STEP_ORDER = [k.value for k in StepKind]
# steps both kinds of campaign have; the province's departments name focal officers too
SHARED_STEPS = (StepKind.CRITERIA, StepKind.FOCAL_OFFICERS, StepKind.TRAINING)
PROVINCE_STEPS = (*SHARED_STEPS, StepKind.DEPARTMENTS, StepKind.PROVINCE_DRAFT, StepKind.PROVINCE_APPROVAL,
                  StepKind.MINISTRY_ENTRY)


class Step(BaseModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("bước"), max_length=30, choices=StepKind.choices)
    opens_at = models.DateTimeField(_("bắt đầu"))
    closes_at = models.DateTimeField(_("kết thúc"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="uniq_step_kind"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="step_closes_after_opens"),
        ]
        ordering = ["opens_at"]
        verbose_name = _("bước kế hoạch")
        verbose_name_plural = _("các bước kế hoạch")

    def __str__(self):
        return f"{self.get_kind_display()} – {self.campaign}"

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("Thời điểm kết thúc phải sau thời điểm bắt đầu.")})

    @property
    def order(self):
        return STEP_ORDER.index(self.kind)


class Extension(BaseModel):
    """A later close of one step for one agency. The latest granted one is in force."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="extensions")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="extensions")
    closes_at = models.DateTimeField(_("hạn mới"))
    reason = models.TextField(_("lý do"))
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("gia hạn lúc"))

    class Meta:
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["step", "agency", "-granted_at"])]
        verbose_name = _("gia hạn")
        verbose_name_plural = _("gia hạn")

    def __str__(self):
        return f"{self.agency} – {self.step}"


class FocalRole(models.TextChoices):
    """What a focal officer answers for (seed 000: an IT one for the survey's mail system)."""

    SCORING = "scoring", _("Tự đánh giá, chấm điểm")
    SURVEY = "survey", _("Điều tra xã hội học")
    IT = "it", _("Công nghệ thông tin")


REQUIRED_FOCAL_ROLES = (FocalRole.SCORING, FocalRole.SURVEY)


class FocalOfficer(BaseModel):
    """The person an agency names for one duty in one campaign: the Sở's contact, and a
    recipient of the agency's reminders and requests about that duty."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="focal_officers")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="focal_officers")
    role = models.CharField(_("nhiệm vụ"), max_length=20, choices=FocalRole.choices)
    full_name = models.CharField(_("họ và tên"), max_length=200)
    position = models.CharField(_("chức vụ"), max_length=200)
    phone = models.CharField(_("số điện thoại"), max_length=20)
    email = models.EmailField(_("thư điện tử"))
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "agency", "role"], name="uniq_focal_officer")]
        ordering = ["agency__code", "role"]
        verbose_name = _("cán bộ đầu mối")
        verbose_name_plural = _("cán bộ đầu mối")

    def __str__(self):
        return f"{self.full_name} – {self.agency} ({self.get_role_display()})"

    @property
    def phone_text(self) -> str:
        """0912 345 678 (mobile), 0207 3818 973 (landline with its area code)."""
        return phone_display(self.phone)


def phone_display(digits: str) -> str:
    if len(digits) == 10:
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if len(digits) == 11:
        return f"{digits[:4]} {digits[4:8]} {digits[8:]}"
    return digits
