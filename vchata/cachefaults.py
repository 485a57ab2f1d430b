"""The shared cache (Redis) as an optional dependency: the errors it raises, and a per-process circuit.

Everything the app keeps in the cache can be done without: throttle counters
(a request is let through), lead totals and board fingerprints (computed live),
invalidations (recorded in the database instead, ``vchata.counts``). So a cache
error never fails a request; the caller falls back and reports it here.

After a failure this process stops asking the cache for ``REDIS_RETRY_SECONDS``:
an unreachable Redis that answers with timeouts rather than "connection refused"
would otherwise cost every request one timeout per cache call. The first call
after that tries again and a success closes the circuit, so recovery needs
nobody: it comes within about that many seconds of Redis answering again.

Each fallback is counted, and the count logged when the cache comes back, so an
outage leaves one warning when it starts and one line saying what it cost.
"""

import logging
import threading
import time
from collections import Counter

from django.conf import settings
from redis.exceptions import RedisError

logger = logging.getLogger("vchata.cache")

# What Django's Redis backend raises when Redis can't be reached or answers late.
# Not ValueError: the backend raises that for "no such key" on incr.
CACHE_ERRORS = (RedisError, OSError)

THROTTLE_FAILED_OPEN = "requests let through unthrottled"
COMPUTED_LIVE = "values computed live"
INVALIDATION_RECORDED = "invalidations recorded in the database"


class CacheCircuit:
    """Whether this process should use the cache right now, and what doing without it cost."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._retry_at = 0.0
        self._down_since: float | None = None
        self.fallbacks: Counter[str] = Counter()

    def available(self) -> bool:
        """False for ``REDIS_RETRY_SECONDS`` after a failure: don't even try the cache."""
        return time.monotonic() >= self._retry_at

    def failed(self, error: BaseException, fallback: str) -> None:
        """A cache call raised; the caller did ``fallback`` instead."""
        now = time.monotonic()
        with self._lock:
            self.fallbacks[fallback] += 1
            self._retry_at = now + settings.REDIS_RETRY_SECONDS
            starting = self._down_since is None
            if starting:
                self._down_since = now
        if starting:
            logger.warning("Cache unreachable (%s: %s); serving without it", type(error).__name__, error)

    def skipped(self, fallback: str) -> None:
        """The circuit was open, so the caller did ``fallback`` without asking the cache."""
        with self._lock:
            self.fallbacks[fallback] += 1

    def succeeded(self) -> None:
        """A cache call worked: close the circuit and say what the outage cost, if there was one."""
        if self._down_since is None:  # the usual case, without taking the lock
            return
        with self._lock:
            if self._down_since is None:
                return
            seconds = time.monotonic() - self._down_since
            cost = ", ".join(f"{count} {what}" for what, count in sorted(self.fallbacks.items())) or "nothing"
            self._down_since = None
            self._retry_at = 0.0
            self.fallbacks.clear()
        logger.warning("Cache reachable again after %.1f s; meanwhile: %s", seconds, cost)

    def reset(self) -> None:
        """Forget any outage, as a freshly started process would (tests)."""
        with self._lock:
            self._retry_at = 0.0
            self._down_since = None
            self.fallbacks.clear()


circuit = CacheCircuit()
