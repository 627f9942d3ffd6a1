"""Forms of the officer pages for criteria sets. Services re-check everything."""
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaigns.models import Agency, AgencyGroup
from cchc_portal.core.forms import LocalizedDecimalField
from scoring.models import Rule
from scoring.rules.kinds import RuleParamsError
from scoring.rules.text import parse_params
from scoring.rules.validation import validate_params

PARAMS_HELP = _(
    "Theo cách chấm — manual, bonus, penalty, imported: step=0.25 · levels: Đúng hạn=1; Trễ hạn=0.5; "
    "Không ban hành=0 · bands: >90:2; 70-90:1; <70:0 · ratio: target=100 (có thể để trống) · deduction: "
    "per=0.5 · sum, survey: để trống. Tử số lớn hơn mẫu số được tính 100%; thêm over=refuse để không nhận."
)


class ReasonMixin:
    """A required `reason` field when the set is locked (the change becomes an amendment)."""

    def add_reason(self, locked: bool):
        if locked:
            self.fields["reason"] = forms.CharField(
                label=_("Lý do sửa đổi"), widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Bộ tiêu chí đã khóa: thay đổi được ghi thành sửa đổi, kèm lý do."),
            )


class CriterionForm(ReasonMixin, forms.Form):
    code = forms.CharField(label=_("Mã"), max_length=20,
                           help_text=_("1, 1.2, 1.2.3: tiêu chí cha lấy theo mã. Đổi mã để chuyển tiêu chí (cùng các "
                                       "tiêu chí con) sang vị trí khác."))
    title = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 2}))
    max_points = LocalizedDecimalField(label=_("Điểm tối đa"), max_digits=7, decimal_places=2, min_value=0)
    rule = forms.ChoiceField(label=_("Cách chấm"), choices=Rule.choices)
    rule_params = forms.CharField(label=_("Tham số chấm"), required=False, help_text=PARAMS_HELP,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    capped = forms.BooleanField(label=_("Tổng điểm tối đa các tiêu chí con được vượt điểm tối đa (giới hạn)"),
                                required=False)
    evidence_required = forms.BooleanField(label=_("Cần tài liệu kiểm chứng (không có tài liệu: 0 điểm)"),
                                           required=False)
    guidance = forms.CharField(label=_("Hướng dẫn chấm"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    responsible_agency = forms.ModelChoiceField(
        label=_("Đơn vị tham mưu"), required=False, queryset=Agency.objects.none(),
        help_text=_("Đơn vị chấm tiêu chí này khi tỉnh tự đánh giá (có thể để trống)."))
    not_applicable_to = forms.ModelMultipleChoiceField(
        label=_("Không áp dụng cho đơn vị"), required=False, queryset=Agency.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Đơn vị không bị đánh giá ở tiêu chí này: điểm tối đa của đơn vị giảm tương ứng."))

    def __init__(self, *args, criteria_set, locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.select_related("group").order_by("group__order", "code")
        self.fields["responsible_agency"].queryset = agencies.filter(active=True)
        covered = criteria_set.campaign.agencies.filter(group=criteria_set.group).values("pk")
        self.fields["not_applicable_to"].queryset = agencies.filter(group=criteria_set.group, pk__in=covered)
        self.add_reason(locked)

    def clean(self):
        data = super().clean()
        rule, text, max_points = data.get("rule"), data.get("rule_params", ""), data.get("max_points")
        if not rule:
            return data
        try:
            data["params"] = parse_params(rule, text)
        except RuleParamsError as exc:
            self.add_error("rule_params", exc.message)
            return data
        if max_points is not None:
            for problem in validate_params(rule, data["params"], max_points):
                self.add_error("rule_params", problem)
        return data


class CapsForm(ReasonMixin, forms.Form):
    bonus_cap = LocalizedDecimalField(label=_("Trần điểm thưởng"), required=False, max_digits=7, decimal_places=2,
                                   min_value=0, help_text=_("Tổng điểm thưởng tối đa; để trống: không giới hạn."))
    penalty_cap = LocalizedDecimalField(label=_("Trần điểm trừ"), required=False, max_digits=7, decimal_places=2,
                                     min_value=0, help_text=_("Tổng điểm trừ tối đa; để trống: không giới hạn."))

    def __init__(self, *args, locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_reason(locked)


class ReasonForm(ReasonMixin, forms.Form):
    def __init__(self, *args, locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_reason(locked)


class MoveForm(ReasonForm):
    direction = forms.ChoiceField(choices=[("up", _("Lên trên")), ("down", _("Xuống dưới"))],
                                  widget=forms.HiddenInput)


class ImportForm(ReasonMixin, forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
                           help_text=_("Cột: code, title, max_points, rule, rule_params, evidence_required, guidance, "
                                       "not_applicable_to (tiêu đề tiếng Việt cũng được). Tải bộ hiện tại về để xem "
                                       "mẫu."))

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 5 MB."))
        return upload


class CreateSetForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Nhóm cơ quan"), queryset=AgencyGroup.objects.none())

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class CopySetForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Sao chép từ bộ tiêu chí"), queryset=None)
    group = forms.ModelChoiceField(label=_("Cho nhóm cơ quan"), queryset=AgencyGroup.objects.none(),
                                   required=False, help_text=_("Để trống: cùng nhóm với bộ được sao chép."))

    def __init__(self, *args, sources, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        self.fields["source"].label_from_instance = (
            lambda s: ngettext("%(campaign)s – %(group)s (%(n)s tiêu chí)", "%(campaign)s – %(group)s (%(n)s tiêu chí)",
                               s.criterion_count) % {"campaign": s.campaign.name, "group": s.group.name,
                                                     "n": s.criterion_count})
        self.fields["group"].queryset = groups
