"""The metadata form, shared by the upload widget, the edit page and other apps' pages."""
from django import forms
from django.utils.translation import gettext_lazy as _

from cchc_portal.core.dates import DATE_INPUT_FORMATS, DateField

__all__ = ["DATE_INPUT_FORMATS", "DocumentMetadataForm"]


class DocumentMetadataForm(forms.Form):
    """Số, ký hiệu; ngày ban hành (dd/mm/yyyy, ISO accepted); cơ quan ban hành; trích yếu.
    The rules (dates not in the future, lengths) live in `services.clean_metadata`."""

    number = forms.CharField(label=_("Số, ký hiệu"), max_length=100, required=False,
                             widget=forms.TextInput(attrs={"placeholder": _("VD: 125/KH-UBND")}))
    issued_on = DateField(label=_("Ngày ban hành"), required=False,
                          error_messages={"invalid": _("Ngày ban hành phải có dạng dd/mm/yyyy.")})
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=255, required=False)
    summary = forms.CharField(label=_("Trích yếu"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def errors_dict(self) -> dict[str, list[str]]:
        return {field: [str(e) for e in errs] for field, errs in self.errors.items()}
