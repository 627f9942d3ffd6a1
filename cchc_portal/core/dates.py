"""One date and one date-time input for every form: dd/mm/yyyy and dd/mm/yyyy HH:MM.

A plain text input, whatever the browser's language: `<input type="datetime-local">`
shows `10/24/2026, 08:00 AM` in an English browser and cannot be typed in our order.
The value is written in the current time zone (Giờ Việt Nam) and read with the `vi`
input formats (`cchc_portal/formats/vi/formats.py`), whichever language is active, so
`05/11/2026 08:00` is always 5 November. ISO (`2026-11-05T08:00`) is still accepted, as
posted by an old page or a script. The API keeps ISO-8601 (DRF's own fields).
"""
from django import forms
from django.utils.translation import gettext_lazy as _

from cchc_portal.formats.vi import formats as vi

DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATE_PLACEHOLDER = "dd/mm/yyyy"
DATETIME_PLACEHOLDER = "dd/mm/yyyy HH:MM"
DATE_INPUT_FORMATS = list(vi.DATE_INPUT_FORMATS)
# A deadline needs its hour: "05/11/2026" alone would silently mean 00:00.
DATETIME_INPUT_FORMATS = [f for f in vi.DATETIME_INPUT_FORMATS if "%H" in f]


class DateTextInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(attrs={"inputmode": "numeric", "placeholder": DATE_PLACEHOLDER, "autocomplete": "off",
                                "size": 12, "data-date-input": "date", **(attrs or {})}, format=DATE_FORMAT)


class DateTimeTextInput(forms.DateTimeInput):
    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(attrs={"inputmode": "numeric", "placeholder": DATETIME_PLACEHOLDER, "autocomplete": "off",
                                "size": 18, "data-date-input": "datetime", **(attrs or {})},
                         format=DATETIME_FORMAT)


class DateField(forms.DateField):
    widget = DateTextInput
    input_formats = DATE_INPUT_FORMATS
    default_error_messages = {"invalid": _("Nhập ngày theo dạng dd/mm/yyyy, ví dụ 05/11/2026.")}


class DateTimeField(forms.DateTimeField):
    """Aware datetimes in the current time zone; `prepare_value` (Django's) shows an aware
    value in that zone too."""

    widget = DateTimeTextInput
    input_formats = DATETIME_INPUT_FORMATS
    default_error_messages = {"invalid": _("Nhập ngày giờ theo dạng dd/mm/yyyy HH:MM, ví dụ 05/11/2026 08:00.")}

