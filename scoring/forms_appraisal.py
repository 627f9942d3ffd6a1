"""Forms of the appraisal pages: assignments, one item's appraisal, explanation requests and
answers, reopening, and the imported figures upload."""
from django import forms
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import Role, User
from cchc_portal.core.dates import DateTimeField
from evidence.models import Document
from scoring.criteria_excel import code_key
from scoring.models import Criterion

INPUT_KEYS = ("score", "level", "numerator", "denominator", "count")


class AssignmentForm(forms.Form):
    appraiser = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Thành viên Tổ thẩm định"))
    group = forms.ModelChoiceField(queryset=None, required=False, label=_("Nhóm cơ quan"),
                                   empty_label=_("Mọi nhóm của đợt đánh giá"))
    codes = forms.MultipleChoiceField(label=_("Lĩnh vực, tiêu chí"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    other_codes = forms.CharField(label=_("Mã tiêu chí khác"), required=False,
                                  help_text=_("Cách nhau bằng dấu phẩy, ví dụ: 3.1, 3.2. Một mã gồm mọi tiêu chí con."))

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        groups = Group.objects.filter(name__in=[Role.APPRAISER, Role.OFFICER])
        self.fields["appraiser"].queryset = (
            User.objects.filter(Q(groups__in=groups), is_active=True).distinct().order_by("username"))
        self.fields["appraiser"].label_from_instance = lambda u: f"{u.display_name} ({u.username})"
        self.fields["group"].queryset = campaign.groups.all()
        seen = {}
        for code, title in (Criterion.objects.filter(criteria_set__campaign=campaign)
                            .exclude(code__contains=".").values_list("code", "title")):
            seen.setdefault(code, title)
        self.fields["codes"].choices = [(c, f"{c}. {seen[c]}") for c in sorted(seen, key=code_key)]

    def clean(self):
        data = super().clean()
        codes = list(data.get("codes") or [])
        codes += [c.strip() for c in (data.get("other_codes") or "").replace(";", ",").split(",") if c.strip()]
        if not codes:
            raise forms.ValidationError(_("Chọn ít nhất một lĩnh vực hoặc nhập mã tiêu chí."))
        data["all_codes"] = codes
        return data


def appraisal_input_from(data) -> tuple[dict | None, str]:
    """(input, comment) from a posted appraisal form: the fields that fit the rule kind.
    "accept" (the button "Chấp nhận điểm tự chấm") gives input None. Numbers are as typed;
    `forms_assessments.number_fields_from_form` reads them."""
    comment = (data.get("comment") or "").strip()
    if data.get("accept"):
        return None, comment
    raw = {key: data.get(key).strip() for key in INPUT_KEYS if (data.get(key) or "").strip() != ""}
    return raw, comment


class ExplanationRequestForm(forms.Form):
    codes = forms.CharField(widget=forms.MultipleHiddenInput, required=False)
    question = forms.CharField(label=_("Nội dung yêu cầu giải trình, bổ sung tài liệu"),
                               widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    due_at = DateTimeField(label=_("Hạn trả lời"), help_text=_("dd/mm/yyyy HH:MM, giờ Việt Nam (GMT+7)"))


class ExplanationAnswerForm(forms.Form):
    body = forms.CharField(label=_("Nội dung giải trình"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=5000)
    file = forms.FileField(label=_("Tài liệu kiểm chứng bổ sung (PDF, ảnh...)"), required=False)
    number = forms.CharField(label=_("Số, ký hiệu văn bản"), required=False, max_length=100)
    documents = forms.ModelMultipleChoiceField(queryset=Document.objects.none(), required=False,
                                               label=_("Hoặc chọn tài liệu đã có trong thư viện"),
                                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, library=(), **kwargs):
        super().__init__(*args, **kwargs)
        ids = [d.pk for d in library]
        self.fields["documents"].queryset = Document.objects.filter(pk__in=ids).order_by("-uploaded_at")
        self.fields["documents"].label_from_instance = lambda d: d.number and f"{d.number} – {d.original_name}" \
            or d.original_name


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Lý do mở lại"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class ImportFiguresForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"),
                           help_text=_("Cột: agency_code (mã đơn vị), criterion_code (mã tiêu chí), value (điểm), "
                                       "source (nguồn), note (ghi chú)."))


class OfficialResultForm(forms.Form):
    """The Ministry's official result of the province's own index (scoring.services.province_official)."""

    file = forms.FileField(label=_("Tệp Excel (.xlsx)"),
                           help_text=_("Cột: code (mã tiêu chí), points (điểm chính thức), note (ghi chú)."))
