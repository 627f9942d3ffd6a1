from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ResultSettings


class PublishForm(forms.Form):
    decision_number = forms.CharField(label=_("Số quyết định phê duyệt của UBND"), max_length=100,
                                      help_text=_("Ví dụ: 1234/QĐ-UBND"))
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Bắt buộc khi công bố đính chính: nêu lý do đính chính."))


class ResultSettingsForm(forms.Form):
    grade_bands = forms.CharField(
        label=_("Xếp loại theo chỉ số"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi mức “chỉ số tối thiểu: tên xếp loại”, cách nhau bằng dấu chấm phẩy, ví dụ "
                    "“90: Xuất sắc; 80: Tốt; 65: Khá; 50: Trung bình; 0: Yếu”."))
    rank_method = forms.ChoiceField(label=_("Xếp hạng khi bằng chỉ số"), choices=ResultSettings.RankMethod.choices)
    authority_name = forms.CharField(label=_("Cơ quan chủ quản (dòng trên tiêu đề báo cáo)"), max_length=200)
    office_name = forms.CharField(label=_("Cơ quan ban hành báo cáo"), max_length=200)
    place_name = forms.CharField(label=_("Địa danh ghi ngày tháng"), max_length=100, required=False,
                                 help_text=_("Ví dụ: Tuyên Quang"))


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm đơn vị (tên hoặc mã)"), required=False, max_length=100)
    group = forms.CharField(label=_("Nhóm cơ quan"), required=False, max_length=40)
