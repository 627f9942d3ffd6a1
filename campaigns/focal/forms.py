from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import REQUIRED_FOCAL_ROLES, FocalRole

from .selectors import phone_display

LABELS = {"full_name": _("Họ và tên"), "position": _("Chức vụ"), "phone": _("Số điện thoại"),
          "email": _("Thư điện tử")}


class FocalOfficersForm(forms.Form):
    """Four fields per duty (`scoring_full_name`, ...); the service checks them (its field
    errors land on these names), so the form only carries text."""

    def __init__(self, *args, officers=None, disabled=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = []
        for role in FocalRole:
            officer = (officers or {}).get(role.value)
            names = []
            for name, label in LABELS.items():
                key = f"{role.value}_{name}"
                attrs = {"autocomplete": "off"}
                if name == "phone":
                    attrs.update(inputmode="tel", placeholder="0912 345 678")
                elif name == "email":
                    attrs.update(inputmode="email")
                self.fields[key] = forms.CharField(
                    label=label, required=False, max_length=254, disabled=disabled,
                    widget=forms.TextInput(attrs=attrs),
                    initial=(phone_display(officer.phone) if name == "phone" else getattr(officer, name))
                    if officer else "")
                names.append(key)
            self.sections.append({"role": role, "required": role in REQUIRED_FOCAL_ROLES,
                                  "fields": [self[n] for n in names]})

    def entries(self) -> dict:
        return {role.value: {name: self.cleaned_data.get(f"{role.value}_{name}", "") for name in LABELS}
                for role in FocalRole}
