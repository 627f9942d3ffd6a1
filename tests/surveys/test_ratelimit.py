"""The answer page's rate limits on both caches the portal runs with: local memory (the
demo, the tests) and Redis (production; CI's PostgreSQL run sets REDIS_URL). On Redis a
request's checks are one round trip."""
import uuid
from types import SimpleNamespace

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from surveys import ratelimit

BACKENDS = ["locmem", pytest.param("redis", marks=pytest.mark.skipif(
    not django_settings.REDIS_URL, reason="REDIS_URL is not set (CI's PostgreSQL run sets it)"))]


@pytest.fixture(params=BACKENDS)
def rate_cache(request, settings):
    prefix = f"t{uuid.uuid4().hex[:12]}"  # parallel test workers share the Redis database
    if request.param == "redis":
        settings.CACHES = {"default": {"BACKEND": "cchc_portal.core.cache.FailOpenRedisCache",
                                       "LOCATION": django_settings.REDIS_URL, "KEY_PREFIX": prefix}}
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                       "LOCATION": prefix}}
    yield request.param
    if request.param == "redis":
        _drop(prefix)
    else:
        cache.clear()


def _drop(prefix):
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@override_settings(SURVEY_RATE_IP=(2, 60))
def test_checks_count_and_refuse_past_the_limit(rate_cache):
    assert [ratelimit.within(("IP", "198.51.100.1", True), now=1000) for _ in range(3)] == [True, True, False]
    assert ratelimit.within(("IP", "198.51.100.2", True), now=1000)  # another address
    assert ratelimit.within(("IP", "198.51.100.1", True), now=1060)  # the next window


@override_settings(SURVEY_RATE_BAD_TOKEN_IP=(2, 600))
def test_a_looked_at_limit_is_not_counted_and_refuses_once_reached(rate_cache):
    ip = "198.51.100.3"
    assert all(ratelimit.within(("BAD_TOKEN_IP", ip, False), now=1000) for _ in range(5))  # looking counts nothing
    ratelimit.hit("BAD_TOKEN_IP", ip, now=1000)
    assert ratelimit.within(("BAD_TOKEN_IP", ip, False), now=1000)
    ratelimit.hit("BAD_TOKEN_IP", ip, now=1000)  # the limit reached, by the page's unknown links
    assert not ratelimit.within(("BAD_TOKEN_IP", ip, False), ("IP", ip, True), now=1000)


@override_settings(SURVEY_RATE_IP=(5, 60))
def test_both_ways_of_counting_read_the_same_counter(rate_cache):
    assert ratelimit.within(("IP", "a", True), now=1000)
    assert ratelimit.hit("IP", "a", now=1000)  # Django's incr on the counter within() made
    assert ratelimit.within(("IP", "a", True), now=1000)
    assert cache.get("srl:IP:a:16") == 3


@override_settings(SURVEY_RATE_IP=(1, 60))
def test_the_checks_stop_at_the_first_refusal(rate_cache):
    assert ratelimit.within(("IP", "b", True), ("TOKEN", "t1", True), now=1000)
    assert not ratelimit.within(("IP", "b", True), ("TOKEN", "t2", True), now=1000)
    assert cache.get("srl:TOKEN:t2:16") is None  # refused before the link's counter


@pytest.mark.django_db
@override_settings(SURVEY_RATE_TOKEN=(3, 60))
def test_the_answer_page_is_limited_per_link(rate_cache, client, survey, invite, commune, monkeypatch):
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1000.0))  # one window, however slow
    _, token = invite(commune, "an@example.vn")
    page = reverse("surveys:answer", kwargs={"token": token})
    assert [client.get(page).status_code for _ in range(4)] == [200, 200, 200, 429]
