"""Fixed-window rate limits in Django's cache (Redis in production, local memory in the
demo): per link and per client address on the answer page, and a tighter one for unknown
links from an address, so that guessing tokens gets nowhere.

A request's checks go together (`within`): on Redis they are one round trip (a pipeline:
each counter set to 0 with its expiry if it does not exist yet, then incremented; a
looked-at counter read), where Django's cache would take two round trips an increment.
Redis down: the limits count in each process's memory meanwhile (cchc_portal.core.cache).
"""
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache

from cchc_portal.core.cache import UNREACHABLE, FailOpenRedisCache

# (requests, seconds); override in settings as SURVEY_RATE_<NAME>.
DEFAULTS = {
    "TOKEN": (120, 60),  # one respondent: page loads and partial saves
    "IP": (1200, 60),  # one address: an office behind one NAT answers together
    "BAD_TOKEN_IP": (30, 600),  # unknown or expired links from one address
    "LINK_REQUEST_IP": (20, 3600),  # "send me a new link" from one address
    "LINK_REQUEST_EMAIL": (3, 3600),  # ... for one e-mail address
}


def limit(name) -> tuple[int, int]:
    return getattr(settings, f"SURVEY_RATE_{name}", DEFAULTS[name])


def _key(name, ident, now) -> tuple[str, int, int]:
    """(the window's cache key, the limit, the key's lifetime)"""
    allowed, period = limit(name)
    return f"srl:{name}:{ident}:{int(now // period)}", allowed, period + 5  # short: the cache checks every character


def hit(name, ident, *, now=None, count=True) -> bool:
    """Count one request of `ident` under the limit `name`; False once it is over the limit.
    With `count=False` only look (an address already blocked for bad links)."""
    key, allowed, timeout = _key(name, ident, time.time() if now is None else now)
    if not count:
        return (cache.get(key) or 0) < allowed
    try:  # a key counting already is the common case: one operation
        return cache.incr(key) <= allowed
    except ValueError:  # the window's first request (or the key expired meanwhile)
        if cache.add(key, 1, timeout=timeout):
            return allowed >= 1
        return cache.incr(key) <= allowed  # another process added it in between


def within(*checks, now=None) -> bool:
    """Every check of one request, `(name, ident, count)` as for `hit`: False when any is
    over its limit. Elsewhere than on Redis they run in turn and stop at the first refusal
    (what follows is not counted); on Redis all go in one round trip and all count."""
    now = time.time() if now is None else now
    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, RedisCache) or getattr(backend, "down", False):
        return all(hit(name, ident, now=now, count=count) for name, ident, count in checks)
    try:
        return _within_redis(backend, checks, now)
    except UNREACHABLE as exc:
        if not isinstance(backend, FailOpenRedisCache):
            raise
        backend.unreachable(exc)  # fail open: the counters of this process's memory meanwhile
        return all(hit(name, ident, now=now, count=count) for name, ident, count in checks)


def _within_redis(backend, checks, now) -> bool:
    keys = []
    for name, ident, count in checks:
        key, allowed, timeout = _key(name, ident, now)
        keys.append((backend.make_and_validate_key(key), allowed, timeout, count))
    pipe = backend._cache.get_client(keys[0][0], write=True).pipeline(transaction=False)
    for key, _allowed, timeout, count in keys:
        if count:
            pipe.set(key, 0, ex=timeout, nx=True)  # an integer, as Django's cache stores one: cache.get reads it
            pipe.incr(key)
        else:
            pipe.get(key)
    results = iter(pipe.execute())
    ok = True
    for _name, allowed, _timeout, count in keys:
        if count:
            next(results)  # the SET's answer
        ok = ok and int(next(results) or 0) <= (allowed if count else allowed - 1)
    return ok
