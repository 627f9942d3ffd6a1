from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from cchc_portal.core.dates import DateTimeField, DateTimeTextInput
from cchc_portal.core.forms import LocalizedIntegerField

from .models import AgencyGroup, Campaign, StepKind
from .participants import participant_agencies


class CampaignForm(forms.Form):
    year = LocalizedIntegerField(label=_("Năm đánh giá"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Tên đợt đánh giá"), max_length=255)
    kind = forms.ChoiceField(label=_("Loại đợt đánh giá"), choices=Campaign.Kind.choices,
                             initial=Campaign.Kind.AGENCIES, required=False)

    def clean_kind(self):
        return self.cleaned_data.get("kind") or Campaign.Kind.AGENCIES
    groups = forms.ModelMultipleChoiceField(
        label=_("Nhóm cơ quan được đánh giá"), queryset=AgencyGroup.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )


class StepForm(forms.Form):
    kind = forms.ChoiceField(choices=StepKind.choices, widget=forms.HiddenInput)
    enabled = forms.BooleanField(label=_("Có bước này"), required=False)
    # the plan's table shows the format once, under it (#plan-hint)
    opens_at = DateTimeField(label=_("Bắt đầu"), required=False,
                             widget=DateTimeTextInput(attrs={"aria-describedby": "plan-hint"}))
    closes_at = DateTimeField(label=_("Kết thúc"), required=False,
                              widget=DateTimeTextInput(attrs={"aria-describedby": "plan-hint"}))

    def clean(self):
        data = super().clean()
        if data.get("enabled"):
            if not data.get("opens_at"):
                self.add_error("opens_at", _("Nhập thời điểm bắt đầu."))
            if not data.get("closes_at"):
                self.add_error("closes_at", _("Nhập thời điểm kết thúc."))
            if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
                self.add_error("closes_at", _("Thời điểm kết thúc phải sau thời điểm bắt đầu."))
        return data


def step_formset(data, initial):
    """The plan's steps, one form per step of the campaign's kind: a post with more forms
    than that is refused with a message, never read past the campaign's steps."""
    count = len(initial)
    return forms.formset_factory(StepForm, extra=0, max_num=count, absolute_max=count, validate_max=True)(
        data, initial=initial)


class ExtensionForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None)
    step_kind = forms.ChoiceField(label=_("Bước"), choices=StepKind.choices)
    closes_at = DateTimeField(label=_("Hạn mới"), help_text=_("dd/mm/yyyy HH:MM, giờ Việt Nam (GMT+7)"))
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = participant_agencies(campaign).select_related("group").order_by(
            "group__order", "code")
        kinds = set(campaign.steps.values_list("kind", flat=True))
        self.fields["step_kind"].choices = [c for c in StepKind.choices if c[0] in kinds]


class CopyPlanForm(forms.Form):
    year = LocalizedIntegerField(label=_("Năm mới"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Tên đợt mới"), max_length=255, required=False)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, but the e-mail goes through the outbox with a link built from SITE_URL
    (campaigns.services.user_request_password_reset), under rate limits."""

    def save(self, *, request=None, **kwargs):
        from cchc_portal.core.ratelimit import client_ip

        from . import services

        services.user_request_password_reset(email=self.cleaned_data["email"],
                                             client_ip=client_ip(request) if request else "")
