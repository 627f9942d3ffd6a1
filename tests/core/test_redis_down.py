"""Issue #14.4: with Redis down (REDIS_URL at a closed port) the respondent's page, its answer
submission and the public results keep working: the cache and the rate limits fail open to the
process's memory, with one logged warning."""
import logging

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from reports.services import publication_create
from surveys.answers import expand_pending
from surveys.models import Answer, Invitation
from tests.reports.builders import golden_campaign
from tests.surveys.conftest import _fresh_cache, full_answers, invite, survey  # noqa: F401 - survey fixtures

pytestmark = pytest.mark.django_db
CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_down(settings, caplog):
    settings.REDIS_URL = CLOSED
    settings.CACHES = {"default": {"BACKEND": "cchc_portal.core.cache.FailOpenRedisCache", "LOCATION": CLOSED,
                                   "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    caplog.set_level(logging.WARNING, logger="cchc_portal.core.cache")
    yield caplog
    cache.fallback.clear()


def warnings_logged(caplog):
    return [r for r in caplog.records if r.name == "cchc_portal.core.cache" and r.levelno == logging.WARNING]


def test_the_respondent_answers_and_sends_with_redis_down(redis_down, client, survey, invite, commune,  # noqa: F811
                                                          agency_a, agency_b):
    invitation, token = invite(commune, "an@example.vn")
    url = reverse("surveys:answer", kwargs={"token": token})
    assert client.get(url).status_code == 200
    save = client.post(reverse("surveys:answer_save", kwargs={"token": token}), {f"q{survey.q4.pk}": "Góp ý"})
    assert save.status_code == 200
    sent = client.post(url, full_answers(survey, [agency_a, agency_b], q1="A") | {"action": "submit"})
    assert sent.status_code == 302
    assert "Cảm ơn" in client.get(url).content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ANSWERED
    expand_pending()
    assert set(Answer.objects.filter(question=survey.q1).values_list("option", flat=True)) == {"A"}
    assert len(warnings_logged(redis_down)) == 1  # once, not once a request


@override_settings(SURVEY_RATE_TOKEN=(2, 60))
def test_the_rate_limits_still_count_in_the_process_meanwhile(redis_down, client, survey, invite, commune):  # noqa: F811
    _invitation, token = invite(commune, "an@example.vn")
    url = reverse("surveys:answer", kwargs={"token": token})
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]


def test_the_public_results_with_redis_down(redis_down, client, campaign, agency_a, agency_b, officer):
    golden_campaign(campaign, agency_a, agency_b)
    publication_create(campaign=campaign, user=officer, decision_number="2468/QĐ-UBND")
    for _ in range(2):  # built, then from the process's memory
        page = client.get(reverse("public-results", args=[campaign.pk]))
        assert page.status_code == 200 and "2468/QĐ-UBND" in page.content.decode()
        assert client.get(reverse("public-agency", args=[campaign.pk, "SA"])).status_code == 200
    assert len(warnings_logged(redis_down)) == 1


def test_redis_is_tried_again_after_a_few_seconds(redis_down, monkeypatch):
    import cchc_portal.core.cache as fail_open

    clock = [1000.0]
    monkeypatch.setattr(fail_open.time, "monotonic", lambda: clock[0])
    cache.set("k", 1)
    assert cache.down and cache.get("k") == 1  # from the process's memory
    clock[0] += fail_open.RETRY_SECONDS + 1
    assert not cache.down
    assert cache.get("k") == 1 and cache.down  # Redis tried again, still down: memory again
    assert len(warnings_logged(redis_down)) == 1
    clock[0] += fail_open.WARN_SECONDS
    cache.get("k")
    assert len(warnings_logged(redis_down)) == 2  # a minute later, said again
