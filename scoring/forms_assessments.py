"""Forms of the scoring page: one item's input by rule kind, linking documents from the
agency's library.

The page posts plain form fields (`score`, `level`, `numerator`, `denominator`, `count`,
`explanation`, `version`); `item_input_from_form` turns them into the rule's input dict,
the same one the API takes as JSON, so both paths share `services.item_update`.
"""
from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.rules import SCORE_RULES

FIELDS_BY_RULE = {
    **{rule: ("score",) for rule in SCORE_RULES},
    "levels": ("level",),
    "bands": ("numerator", "denominator"),
    "ratio": ("numerator", "denominator"),
    "deduction": ("count",),
    "survey": (),
}


def item_input_from_form(*, rule: str, data) -> dict:
    """The input dict for a rule from posted fields; every field empty means "not scored" ({})."""
    keys = FIELDS_BY_RULE.get(rule, ())
    values = {key: (data.get(key) or "").strip() for key in keys}
    if not any(values.values()):
        return {}
    return values


class ItemSaveForm(forms.Form):
    version = forms.IntegerField(min_value=1, error_messages={"required": _("Thiếu phiên bản của tiêu chí.")})
    explanation = forms.CharField(required=False, max_length=10000, widget=forms.Textarea)


class LinkDocumentsForm(forms.Form):
    documents = forms.TypedMultipleChoiceField(label=_("Tài liệu"), coerce=int, choices=(),
                                               widget=forms.CheckboxSelectMultiple,
                                               error_messages={"required": _("Chưa chọn tài liệu.")})

    def __init__(self, *args, library=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [(d.pk, str(d)) for d in library]
