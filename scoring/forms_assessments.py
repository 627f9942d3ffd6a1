"""Forms of the scoring page: one item's input by rule kind, linking documents from the
agency's library.

The page posts plain form fields (`score`, `level`, `numerator`, `denominator`, `count`,
`explanation`, `version`); `item_input_from_form` turns them into the rule's input dict,
the same one the API takes as JSON, so both paths share `services.item_update`.
"""
from django import forms
from django.utils.translation import gettext_lazy as _

from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.core.numbers import NumberError, parse_decimal, parse_integer, plain
from scoring.rules.kinds import SCORE_RULES

FIELDS_BY_RULE = {
    **{rule: ("score",) for rule in SCORE_RULES},
    "levels": ("level",),
    "bands": ("numerator", "denominator"),
    "ratio": ("numerator", "denominator"),
    "deduction": ("count",),
    "survey": (),
}


NUMBER_FIELDS = {"score": _("Điểm"), "numerator": _("Số đạt"), "denominator": _("Tổng số"),
                 "count": _("Số lần vi phạm")}


def number_fields_from_form(data, keys) -> dict:
    """Posted fields with the numbers people typed ("4,5", "1.000" for a count) read by the
    shared parser into the API's text ("4.5", "1000"); a number that cannot be read raises
    ApplicationError naming the field (the page keeps the text)."""
    values = {key: (data.get(key) or "").strip() for key in keys}
    errors = {}
    for key, text in values.items():
        if key not in NUMBER_FIELDS or not text:
            continue
        try:
            values[key] = str(parse_integer(text)) if key == "count" else plain(parse_decimal(text))
        except NumberError as error:
            errors[key] = [f"{NUMBER_FIELDS[key]}: {error.message}"]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], extra={"errors": errors})
    return values


def item_input_from_form(*, rule: str, data) -> dict:
    """The input dict for a rule from posted fields; every field empty means "not scored" ({})."""
    values = number_fields_from_form(data, FIELDS_BY_RULE.get(rule, ()))
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
