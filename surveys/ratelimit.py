"""Fixed-window rate limits in Django's cache (Redis in production, local memory in the
demo): per link and per client address on the answer page, and a tighter one for unknown
links from an address, so that guessing tokens gets nowhere.

A request's checks go together (`within`), through Django's cache API only. Redis down:
the limits count in each process's memory meanwhile (cchc_portal.core.cache).
"""
import time

from django.conf import settings
from django.core.cache import cache

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
    """Every check of one request, `(name, ident, count)` as for `hit`, in turn: False at
    the first one over its limit (what follows is not counted)."""
    now = time.time() if now is None else now
    return all(hit(name, ident, now=now, count=count) for name, ident, count in checks)
