from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaigns.models import AgencyGroup
from cchc_portal.core.forms import LocalizedIntegerField
from scoring.models import Criterion, Rule

from .models import Flag, Question, RespondentGroup
from .options import OptionsError, format_options, parse_options


class GroupForm(forms.Form):
    code = forms.SlugField(label=_("Mã nhóm"), max_length=40)
    name = forms.CharField(label=_("Tên nhóm đối tượng"), max_length=255)
    rates_group = forms.ModelChoiceField(label=_("Đánh giá nhóm cơ quan"), queryset=AgencyGroup.objects.all(),
                                         help_text=_("Mỗi câu hỏi đánh giá có một dòng cho từng cơ quan của nhóm này."))
    form_code = forms.CharField(label=_("Mã phiếu"), max_length=40, required=False)
    instructions = forms.CharField(label=_("Hướng dẫn trả lời"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    min_answers = LocalizedIntegerField(
        label=_("Số phiếu tối thiểu"), min_value=0, initial=3,
        help_text=_("Ít hơn số phiếu hợp lệ này thì tiêu chí được đánh dấu, không tính điểm."))


class QuestionForm(forms.Form):
    section = forms.CharField(label=_("Phần"), max_length=255, required=False)
    number = forms.CharField(label=_("Số thứ tự"), max_length=20)
    text = forms.CharField(label=_("Câu hỏi"), widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Loại"), choices=Question.Kind.choices)
    options = forms.CharField(
        label=_("Phương án"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Đánh giá: A=100|Tốt; B=60|Khá; C=20|Trung bình; D=0|Kém; E=-|Không biết (để trống: mặc định). "
                    "Chọn một/nhiều: A=Nam; B=Nữ. Trả lời ngắn: để trống."))
    criterion = forms.ModelChoiceField(label=_("Tiêu chí điều tra XHH"), queryset=Criterion.objects.none(),
                                       required=False, help_text=_("Bắt buộc với câu hỏi đánh giá."))
    required = forms.BooleanField(label=_("Bắt buộc trả lời"), required=False, initial=True)

    def __init__(self, *args, group: RespondentGroup, question: Question | None = None, **kwargs):
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "section": question.section, "number": question.number, "text": question.text, "kind": question.kind,
                "options": format_options(question.kind, question.options), "criterion": question.criterion,
                "required": question.required,
            }
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = Criterion.objects.filter(
            criteria_set__campaign=group.campaign, criteria_set__group=group.rates_group, rule=Rule.SURVEY,
        ).order_by("order", "code")
        self.fields["criterion"].label_from_instance = lambda c: gettext("%(code)s. %(title)s (%(points)s đ)") % {
            "code": c.code, "title": c.title[:80], "points": c.max_points}

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind:
            try:
                data["options"] = parse_options(kind, data.get("options", ""))
            except OptionsError as exc:
                self.add_error("options", str(exc))
            if kind == Question.Kind.RATING and not data.get("criterion"):
                self.add_error("criterion", _("Câu hỏi đánh giá phải gắn với một tiêu chí điều tra XHH."))
        return data


class XlsxField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Tệp Excel (.xlsx)"))
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
        super().__init__(**kwargs)


class ImportForm(forms.Form):
    file = XlsxField()
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, chưa nhập"), required=False)


class RespondentForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    position = forms.CharField(label=_("Chức vụ"), max_length=255, required=False)
    group = forms.ModelChoiceField(label=_("Nhóm đối tượng"), queryset=RespondentGroup.objects.none())
    email = forms.EmailField(label=_("Thư điện tử"))
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = RespondentGroup.objects.filter(campaign=campaign).order_by("code")


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("Lý do trả lại"), widget=forms.Textarea(attrs={"rows": 2}))


class FlagReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Quyết định"), choices=[
        (Flag.Status.DISMISSED, _("Không vi phạm: giữ các phiếu")),
        (Flag.Status.VOIDED, _("Hủy các phiếu này")),
    ], widget=forms.RadioSelect)
    note = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))


class AgencyVoidForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None)
    reason = forms.CharField(label=_("Lý do hủy toàn bộ kết quả khảo sát"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = campaign.agencies.order_by("group__order", "code")
