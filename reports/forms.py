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
    signer_authority = forms.CharField(
        label=_("Thẩm quyền ký"), max_length=100, required=False,
        help_text=_("Để trống khi Giám đốc ký; ví dụ “KT. GIÁM ĐỐC” khi Phó Giám đốc ký thay."))
    signer_title = forms.CharField(label=_("Chức vụ người ký"), max_length=100,
                                   help_text=_("Ví dụ: GIÁM ĐỐC, PHÓ GIÁM ĐỐC"))
    signer_name = forms.CharField(label=_("Họ và tên người ký"), max_length=100, required=False,
                                  help_text=_("Để trống: báo cáo chừa chỗ ký và ghi họ tên bằng tay."))
    recipients = forms.CharField(
        label=_("Nơi nhận"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Mỗi nơi nhận một dòng, ví dụ “UBND tỉnh (để báo cáo)”; báo cáo tự thêm “- ” đầu dòng, "
                    "dấu “;” cuối mỗi dòng và dấu “.” ở dòng cuối."))

    FIELDSETS = [
        (_("Xếp loại và xếp hạng"), ["grade_bands", "rank_method"]),
        (_("Tiêu đề báo cáo"), ["authority_name", "office_name", "place_name"]),
        (_("Phần ký và nơi nhận của báo cáo"), ["signer_authority", "signer_title", "signer_name", "recipients"]),
    ]

    def fieldsets(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm đơn vị (tên hoặc mã)"), required=False, max_length=100)
    group = forms.CharField(label=_("Nhóm cơ quan"), required=False, max_length=40)
