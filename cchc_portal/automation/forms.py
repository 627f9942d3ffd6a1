from django import forms
from django.utils.translation import gettext_lazy as _

from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.core.forms import LocalizedIntegerField

from .reminders import parse_offsets


class ReminderPolicyForm(forms.Form):
    offsets = forms.CharField(
        label=_("Các mốc nhắc (ngày)"), max_length=100,
        help_text=_("Số ngày trước hạn, cách nhau bởi dấu phẩy; số âm là số ngày sau khi quá hạn. Ví dụ: 7, 3, 1, -1"))
    leader_from = LocalizedIntegerField(
        label=_("Báo lãnh đạo đơn vị từ mốc"), required=False, min_value=-30, max_value=90,
        help_text=_("Ví dụ 1: lãnh đạo đơn vị nhận nhắc từ mốc 1 ngày trước hạn trở đi. Để trống: không báo."))
    notify_officers = forms.BooleanField(label=_("Báo cán bộ Sở khi đơn vị quá hạn"), required=False)
    active = forms.BooleanField(label=_("Đang áp dụng"), required=False)

    def clean_offsets(self):
        try:
            return parse_offsets(self.cleaned_data["offsets"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc


class AgencyImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx)"),
        help_text=_("Các cột: code, name, group, parent_code, email (chấp nhận tiêu đề tiếng Việt)."))
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, chưa ghi dữ liệu"), required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx."))
        if f.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp lớn hơn 10 MB."))
        return f
