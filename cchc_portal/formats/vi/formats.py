"""Vietnamese formats: dd/mm/yyyy in and out, decimal comma, dot grouping.

Django's own `vi` locale has no input formats (05/11/2026 would parse as 11 May) and
prints numbers without grouping.
"""
DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "H:i d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F \\n\\ă\\m Y"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 05/11/2026
    "%d/%m/%y",  # 05/11/26
    "%d-%m-%Y",  # 05-11-2026
    "%d.%m.%Y",  # 05.11.2026
    "%Y-%m-%d",  # ISO, as sent by <input type="date"> and the API
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%H:%M %d/%m/%Y",
    "%Y-%m-%dT%H:%M",  # <input type="datetime-local">
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
