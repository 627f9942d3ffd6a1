"""One date-time widget (dd/mm/yyyy HH:MM whatever the language) and the plan's
confirmation before it moves a deadline that has already passed (issue #13, points 5, 10)."""
import re
from datetime import UTC, datetime, timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

from campaigns.forms import ExtensionForm, StepForm
from campaigns.models import Extension, Step
from cchc_portal.core.dates import DateField, DateTimeField
from evidence.forms import DocumentMetadataForm
from scoring.forms_appraisal import ExplanationRequestForm
from tests.factories import StepFactory

KINDS = ["criteria", "training", "self_assessment", "respondent_lists", "survey", "appraisal", "explanation",
         "appraisal_2", "publication"]


class _DateForm(forms.Form):
    at = DateTimeField()
    on = DateField(required=False)


def local(*args):
    return timezone.make_aware(datetime(*args))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_widget_writes_and_reads_day_first_in_every_language(language):
    with translation.override(language):
        form = _DateForm(initial={"at": local(2026, 11, 5, 8, 0)})
        html = str(form["at"])
        assert 'type="text"' in html and 'value="05/11/2026 08:00"' in html
        assert 'placeholder="dd/mm/yyyy HH:MM"' in html and 'inputmode="numeric"' in html
        assert 'autocomplete="off"' in html
        form = _DateForm({"at": "05/11/2026 08:00", "on": "05/11/2026"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["at"] == local(2026, 11, 5, 8, 0)
        assert form.cleaned_data["on"].month == 11 and form.cleaned_data["on"].day == 5


def test_an_aware_value_is_shown_in_vietnam_time():
    form = _DateForm(initial={"at": datetime(2026, 11, 5, 1, 0, tzinfo=UTC)})
    assert 'value="05/11/2026 08:00"' in str(form["at"])


@pytest.mark.parametrize("typed", ["11/25/2026 08:00", "05/11/2026", "2026-13-01T08:00", "mai"])
def test_a_date_time_not_day_first_with_its_hour_gets_a_clear_error(typed):
    with translation.override("vi"):
        form = _DateForm({"at": typed})
        assert not form.is_valid()
        assert form.errors["at"] == ["Nhập ngày giờ theo dạng dd/mm/yyyy HH:MM, ví dụ 05/11/2026 08:00."]


def test_iso_from_an_old_page_or_a_script_is_still_read():
    form = _DateForm({"at": "2026-11-05T08:00"})
    assert form.is_valid() and form.cleaned_data["at"] == local(2026, 11, 5, 8, 0)


@pytest.mark.django_db
def test_every_form_with_a_date_uses_the_one_widget(campaign):
    forms_with_dates = [StepForm(), ExtensionForm(campaign=campaign), ExplanationRequestForm(),
                        DocumentMetadataForm()]
    for form in forms_with_dates:
        for name, field in form.fields.items():
            if isinstance(field, forms.DateTimeField | forms.DateField):
                assert isinstance(field, DateTimeField | DateField), (type(form).__name__, name)
                assert 'type="text"' in str(form[name]), (type(form).__name__, name)


@pytest.mark.django_db
def test_no_page_offers_a_browser_date_picker(login, campaign, officer):
    client = login(officer)
    for url in (f"/campaigns/{campaign.pk}/plan/", f"/campaigns/{campaign.pk}/extensions/new/",
                f"/campaigns/{campaign.pk}/"):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "datetime-local" not in html and 'type="date"' not in html, url
    html = client.get(f"/campaigns/{campaign.pk}/plan/").content.decode()
    step = campaign.steps.get(kind="self_assessment")
    assert f'value="{timezone.localtime(step.closes_at):%d/%m/%Y %H:%M}"' in html


def plan_data(steps):
    """The plan form as posted: steps maps kind → (opens, closes) as typed."""
    data = {"form-TOTAL_FORMS": "9", "form-INITIAL_FORMS": "9"}
    for i, kind in enumerate(KINDS):
        data[f"form-{i}-kind"] = kind
        if kind in steps:
            data[f"form-{i}-enabled"] = "on"
            data[f"form-{i}-opens_at"], data[f"form-{i}-closes_at"] = steps[kind]
    return data


def typed(value):
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


@pytest.mark.django_db
def test_the_plan_typed_day_first_in_an_english_browser_saves_the_right_date(login, campaign, officer):
    client = login(officer)
    sa = campaign.steps.get(kind="self_assessment")
    r = client.post(f"/campaigns/{campaign.pk}/plan/", plan_data({
        "self_assessment": (typed(sa.opens_at), typed(sa.closes_at)),
        "publication": ("05/11/2027 08:00", "10/11/2027 17:30")}), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 302, r.content.decode()[:2000]
    step = campaign.steps.get(kind="publication")
    assert step.opens_at == local(2027, 11, 5, 8, 0) and step.closes_at == local(2027, 11, 10, 17, 30)


@pytest.mark.django_db
def test_a_bad_date_on_the_plan_says_how_to_type_it_and_keeps_what_was_typed(login, campaign, officer):
    client = login(officer)
    sa = campaign.steps.get(kind="self_assessment")
    r = client.post(f"/campaigns/{campaign.pk}/plan/", plan_data({
        "self_assessment": (typed(sa.opens_at), typed(sa.closes_at)),
        "publication": ("11/25/2027 08:00", "30/11/2027 17:00")}))
    html = r.content.decode()
    assert r.status_code == 200 and "Nhập ngày giờ theo dạng dd/mm/yyyy HH:MM, ví dụ 05/11/2026 08:00." in html
    assert 'value="11/25/2027 08:00"' in html and 'value="30/11/2027 17:00"' in html
    assert not campaign.steps.filter(kind="publication").exists()


@pytest.fixture
def passed(campaign):
    """A criteria step whose deadline passed two days ago (seconds included, as the API may set)."""
    now = timezone.now()
    return StepFactory(campaign=campaign, kind="criteria", opens_at=now - timedelta(days=20),
                       closes_at=(now - timedelta(days=2)).replace(second=42, microsecond=0))


@pytest.mark.django_db
def test_moving_a_deadline_that_passed_needs_a_confirmation(login, campaign, officer, staff_a, passed):
    sa = campaign.steps.get(kind="self_assessment")
    new_close = timezone.localtime(passed.closes_at + timedelta(days=7)).replace(second=0)
    data = plan_data({"criteria": (typed(passed.opens_at), typed(new_close)),
                      "self_assessment": (typed(sa.opens_at), typed(sa.closes_at))})
    url = f"/campaigns/{campaign.pk}/plan/"
    assert login(staff_a).post(url, data).status_code == 403
    client = login(officer)
    r = client.post(url, data)
    html = r.content.decode()
    assert r.status_code == 200 and Step.objects.get(pk=passed.pk).closes_at == passed.closes_at
    box = html[html.index('id="moved-h"'):]
    assert str(passed.get_kind_display()) in box
    assert f"{typed(passed.closes_at)} → <strong>{typed(new_close)}</strong>" in box
    assert re.search(r'<button[^>]*name="confirmed" value="criteria"', box)
    r = client.post(url, {**data, "confirmed": "criteria"})
    assert r.status_code == 302 and Step.objects.get(pk=passed.pk).closes_at == new_close


@pytest.mark.django_db
def test_removing_a_step_that_passed_needs_a_confirmation_too(login, campaign, officer, passed):
    sa = campaign.steps.get(kind="self_assessment")
    data = plan_data({"self_assessment": (typed(sa.opens_at), typed(sa.closes_at))})
    client = login(officer)
    r = client.post(f"/campaigns/{campaign.pk}/plan/", data)
    assert r.status_code == 200 and "bỏ bước này" in r.content.decode() and Step.objects.filter(pk=passed.pk).exists()
    # a confirmation for other steps than the ones moved now does not count
    r = client.post(f"/campaigns/{campaign.pk}/plan/", {**data, "confirmed": "survey"})
    assert r.status_code == 200 and "Số liệu đã thay đổi" in r.content.decode()
    assert Step.objects.filter(pk=passed.pk).exists()


@pytest.mark.django_db
def test_a_plan_that_leaves_passed_deadlines_alone_saves_at_once_and_keeps_their_seconds(
        login, campaign, officer, passed):
    sa = campaign.steps.get(kind="self_assessment")
    later = timezone.localtime(sa.closes_at + timedelta(days=1)).replace(second=0, microsecond=0)
    r = login(officer).post(f"/campaigns/{campaign.pk}/plan/", plan_data({
        "criteria": (typed(passed.opens_at), typed(passed.closes_at)),
        "self_assessment": (typed(sa.opens_at), typed(later))}))
    assert r.status_code == 302
    assert Step.objects.get(pk=passed.pk).closes_at == passed.closes_at  # 42 seconds kept
    assert Step.objects.get(pk=sa.pk).closes_at == later


@pytest.mark.django_db
def test_an_extension_typed_day_first_in_english(login, campaign, officer, agency_a):
    r = login(officer).post(reverse("campaigns:extension_create", args=[campaign.pk]), {
        "agency": agency_a.pk, "step_kind": "self_assessment", "reason": "Sự cố mạng",
        "closes_at": "05/01/2027 17:00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 302
    assert Extension.objects.get().closes_at == local(2027, 1, 5, 17, 0)
