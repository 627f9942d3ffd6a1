"""Dates typed dd/mm/yyyy HH:MM in an English browser (no datetime-local picker showing
10/24/2026, 08:00 AM), and the plan's confirmation before it moves a deadline already
passed (issue #13, points 5 and 10). Publishing's confirmation is in the results journey."""
import os
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from campaigns.models import STEP_ORDER, Step
from tests.factories import StepFactory

from .conftest import _close_quietly

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder: save the pages to look at them


@pytest.fixture
def english(browser, transactional_db, live_server):
    context = browser.new_context(locale="en-US", timezone_id="America/New_York")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield context, pg
    _close_quietly(context)


def logged_in(context, live_server, user):
    """The session of a logged-in Django client, handed to the browser (the login page's
    labels are in English here, the journey is about the plan)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])


def test_the_plan_in_an_english_browser_is_typed_day_first_and_moving_a_passed_deadline_asks_first(
        english, live_server, campaign, officer):
    context, page = english
    now = timezone.now()
    passed = StepFactory(campaign=campaign, kind="criteria", opens_at=now - timedelta(days=20),
                         closes_at=now - timedelta(days=2))
    logged_in(context, live_server, officer)
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/plan/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("input[type=datetime-local]").count() == 0
    sa = campaign.steps.get(kind="self_assessment")
    shown = page.locator(f"#id_form-{STEP_ORDER.index('self_assessment')}-closes_at")
    assert shown.get_attribute("type") == "text"
    assert shown.input_value() == timezone.localtime(sa.closes_at).strftime("%d/%m/%Y %H:%M")  # Vietnam time
    assert shown.get_attribute("placeholder") == "dd/mm/yyyy HH:MM"
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/plan-desktop.png", full_page=True)

    # the publication step, typed as officers write dates: 5 November, not 11 May
    PUBLICATION = STEP_ORDER.index("publication")  # noqa: N806
    page.locator(f"#id_form-{PUBLICATION}-enabled").check()
    page.locator(f"#id_form-{PUBLICATION}-opens_at").fill("05/11/2027 08:00")
    page.locator(f"#id_form-{PUBLICATION}-closes_at").fill("10/11/2027 17:30")
    # and the passed criteria deadline moved a week later
    new_close = timezone.localtime(passed.closes_at + timedelta(days=7)).replace(second=0, microsecond=0)
    page.locator("#id_form-0-closes_at").fill(new_close.strftime("%d/%m/%Y %H:%M"))
    page.get_by_role("button", name="Save plan").click()

    box = page.locator(".confirm-card")
    box.wait_for()
    assert new_close.strftime("%d/%m/%Y %H:%M") in box.inner_text()
    assert not campaign.steps.filter(kind="publication").exists()  # nothing saved yet
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/plan-confirm-desktop.png", full_page=True)
        page.set_viewport_size({"width": 360, "height": 780})
        page.screenshot(path=f"{SHOTS}/plan-confirm-360.png", full_page=True)
    box.locator("button[name=confirmed]").click()
    page.wait_for_url(f"**/campaigns/{campaign.pk}/")

    step = campaign.steps.get(kind="publication")
    tz = timezone.get_current_timezone()
    assert step.opens_at == datetime(2027, 11, 5, 8, 0, tzinfo=tz)
    assert step.closes_at == datetime(2027, 11, 10, 17, 30, tzinfo=tz)
    assert Step.objects.get(pk=passed.pk).closes_at == new_close
