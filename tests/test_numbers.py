"""The portal's one number parser and its form fields (issue #13, point 1)."""
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from cchc_portal.core.forms import LocalizedDecimalField, LocalizedIntegerField, number_input_html
from cchc_portal.core.numbers import NumberError, parse_decimal, parse_integer, vi_number


@pytest.mark.parametrize("text, expected", [
    ("4,5", "4.5"), ("4.5", "4.5"), (" 4,5 ", "4.5"), ("0,125", "0.125"), (",5", "0.5"), ("4,", "4"),
    ("1 000", "1000"), ("12 500,5", "12500.5"), ("1\u00a0000", "1000"), ("1.000.000", "1000000"),
    ("1.000,5", "1000.5"), ("1,000.5", "1000.5"), ("-2,5", "-2.5"), ("1000.000", "1000"), ("100", "100"),
])
def test_parse_decimal_reads_both_marks_and_unambiguous_grouping(text, expected):
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text, fragment", [
    ("4,5,6", "có nhiều dấu phân cách thập phân"),
    ("4.5.6", "có nhiều dấu phân cách thập phân"),
    ("1.000,5,5", "có nhiều dấu phân cách thập phân"),
    ("4a", "không phải là số"),
    ("4,5đ", "không phải là số"),
    ("1 00", "khoảng trắng chỉ dùng để tách hàng nghìn"),
    ("1.000", "không rõ là 1000 hay 1"),  # a thousand in Vietnamese, one in English
    ("2,500", "không rõ là 2500 hay 2,5"),
    ("", "Chưa nhập số."),
])
def test_parse_decimal_refuses_anything_but_one_number(text, fragment):
    with pytest.raises(NumberError) as caught:
        parse_decimal(text)
    assert fragment in caught.value.message


def test_parse_decimal_limits_places_and_reads_machine_text():
    with pytest.raises(NumberError, match="quá 2 chữ số thập phân"):
        parse_decimal("0,555", places=2)
    assert parse_decimal("1.125", grouping=False) == Decimal("1.125")  # the API's and the cells' text
    assert parse_decimal("4,5", grouping=False) == Decimal("4.5")
    with pytest.raises(NumberError):
        parse_decimal("4,5,6", grouping=False)


@pytest.mark.parametrize("text, expected", [("1.000", 1000), ("1 000", 1000), ("4,0", 4), ("12", 12),
                                            ("1.000.000", 1000000)])
def test_parse_integer_reads_vietnamese_thousands(text, expected):
    assert parse_integer(text) == expected


def test_parse_integer_refuses_fractions():
    with pytest.raises(NumberError, match="phải là số nguyên"):
        parse_integer("4,5")


@pytest.mark.parametrize("value, places, expected", [
    ("0.5", None, "0,5"), ("1000", None, "1.000"), ("80.03", None, "80,03"), ("4", 2, "4,00"),
    ("1234567.5", 2, "1.234.567,50"), ("-2.25", None, "-2,25"), ("0", None, "0"),
])
def test_vi_number(value, places, expected):
    assert vi_number(Decimal(value), places) == expected


class ScoreForm(forms.Form):
    score = LocalizedDecimalField(max_digits=7, decimal_places=2, min_value=0)
    count = LocalizedIntegerField(required=False, min_value=0)


@pytest.mark.parametrize("typed, expected", [("4,5", "4.5"), ("4.5", "4.5"), (" 4,50 ", "4.5")])
def test_decimal_field_takes_the_comma_and_the_dot(typed, expected):
    form = ScoreForm({"score": typed, "count": "1.000"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"score": Decimal(expected), "count": 1000}


def test_decimal_field_refuses_and_keeps_what_was_typed():
    form = ScoreForm({"score": "4,5,6"})
    assert not form.is_valid()
    assert "có nhiều dấu phân cách thập phân" in form.errors["score"][0]
    html = str(form["score"])
    assert 'value="4,5,6"' in html and 'type="text"' in html and 'inputmode="decimal"' in html
    assert "step=" not in html and 'type="number"' not in html


def test_decimal_field_shows_the_languages_decimal_mark():
    form = ScoreForm(initial={"score": Decimal("4.50")})
    with translation.override("vi"):
        assert 'value="4,5"' in str(form["score"])
    with translation.override("en"):
        assert 'value="4.5"' in str(form["score"])


def test_number_input_html_for_pages_built_in_python():
    with translation.override("vi"):
        html = number_input_html(name="score", value="4.5", id="i1-score", form="f1", disabled=True)
    assert html == ('<input type="text" inputmode="decimal" autocomplete="off" data-number="decimal" name="score"'
                    ' value="4,5" id="i1-score" form="f1" disabled>')
    with translation.override("vi"):
        assert 'value="4,5,6"' in number_input_html(name="score", value="4,5,6")  # typed text stays
        assert 'inputmode="numeric" autocomplete="off" data-number="integer"' in number_input_html(
            name="count", value="3", integer=True)
