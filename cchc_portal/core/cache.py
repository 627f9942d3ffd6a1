"""Django's Redis cache, failing open: while Redis cannot be reached, each process keeps its
cache (rate-limit counters, charts, the public pages' figures) in its own memory, says so in
the log once a minute, and tries Redis again every few seconds. A page never fails because
the cache is down; what it loses is only that the limits count per process meanwhile."""
import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_SECONDS = 5  # after a failure, Redis is left alone this long: no request waits on it meanwhile
WARN_SECONDS = 60  # one warning a minute, not one a request


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        local = {key: value for key, value in params.items() if key != "OPTIONS"}  # prefix, version, timeout
        self.fallback = LocMemCache(f"fail-open:{server}", local)
        self._down_until = 0.0
        self._warned_at = None

    @property
    def down(self) -> bool:
        return time.monotonic() < self._down_until

    def unreachable(self, exc):
        """Redis failed: the process's memory serves until RETRY_SECONDS have passed."""
        now = time.monotonic()
        self._down_until = now + RETRY_SECONDS
        if self._warned_at is None or now - self._warned_at >= WARN_SECONDS:
            self._warned_at = now
            logger.warning("Redis cache unreachable (%s): rate limits and caches use this process's memory "
                           "until it answers again", exc)


def _fail_open(name):
    def method(self, *args, **kwargs):
        if not self.down:
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except UNREACHABLE as exc:
                self.unreachable(exc)
        return getattr(self.fallback, name)(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"RedisCache.{name}, or the process's memory while Redis cannot be reached."
    return method


# Every operation RedisCache implements itself (the others, get_or_set, decr, ..., call these).
for _name in ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many",
              "clear"):
    setattr(FailOpenRedisCache, _name, _fail_open(_name))
