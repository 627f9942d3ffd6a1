"""A fixed-window counter in Django's cache (Redis in production, local memory in the demo),
for the few places outside the survey that limit how often something may happen.

(The survey's answer page has its own module, surveys/ratelimit.py, tuned for its load.)
"""
import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def hit(*, scope: str, ident: str, allowed: int, period: int, now=None) -> bool:
    """Count one event of `ident` in `scope`; False once more than `allowed` happened in the
    current window of `period` seconds. `ident` is hashed: no address is kept in the cache."""
    now = time.time() if now is None else now
    digest = hashlib.sha256(str(ident).encode()).hexdigest()[:32]
    key = f"rl:{scope}:{digest}:{int(now // period)}"
    try:
        return cache.incr(key) <= allowed
    except ValueError:  # the window's first event (or the key expired meanwhile)
        if cache.add(key, 1, timeout=period + 5):
            return allowed >= 1
        return cache.incr(key) <= allowed  # another process added it in between


def client_ip(request) -> str:
    """The client address: REMOTE_ADDR, or behind a reverse proxy the header named by
    SURVEY_CLIENT_IP_HEADER (e.g. "HTTP_X_REAL_IP"); the same reading as the survey's."""
    header = getattr(settings, "SURVEY_CLIENT_IP_HEADER", "")
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")
