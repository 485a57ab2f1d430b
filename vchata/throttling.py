"""Request throttles: per anonymous IP, per user, and per scope (``throttle_scope = "auth"``).

DRF's throttles decide who is counted (the IP, the user, the scope); two
things differ here:

- Counting is one atomic ``cache.incr`` on a fixed window. DRF's own
  throttles read a list of timestamps, append, and write it back, so
  concurrent requests on several workers overwrite each other's entries and
  more than the limit get through: exactly what a credential-stuffing client
  sending in parallel would exploit.
- The rates are read from settings on every request. DRF copies
  ``DEFAULT_THROTTLE_RATES`` into a class attribute at import, so a changed
  setting (a test's ``settings`` fixture, for one) would never reach it.

Counters live in Django's default cache, which is Redis whenever ``REDIS_URL``
is set, so every worker and every app server counts against the same limit.
A throttled request gets the 429 envelope with ``Retry-After``
(``vchata.exceptions``).
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class FixedWindowThrottle(throttling.SimpleRateThrottle):
    """At most ``num_requests`` per key in each window of ``duration`` seconds, counted atomically."""

    @property
    def THROTTLE_RATES(self) -> dict[str, str | None]:  # DRF reads this name
        return api_settings.DEFAULT_THROTTLE_RATES

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.wait_seconds = (window + 1) * self.duration - now
        counter = f"{key}:{window}"
        # add() is a no-op when the counter exists; the extra second outlives clock skew between workers.
        self.cache.add(counter, 0, self.duration + 1)
        try:
            count = self.cache.incr(counter)
        except ValueError:  # expired between add() and incr()
            self.cache.add(counter, 1, self.duration + 1)
            count = 1
        return count <= self.num_requests

    def wait(self) -> float:
        return self.wait_seconds


class AnonThrottle(throttling.AnonRateThrottle, FixedWindowThrottle):
    """Requests without a user, counted per client IP."""


class UserThrottle(throttling.UserRateThrottle, FixedWindowThrottle):
    """Requests of an authenticated user, counted per user whatever the IP."""


class ScopeThrottle(throttling.ScopedRateThrottle, FixedWindowThrottle):
    """Views with a ``throttle_scope`` (sign-up and token: per IP, at the stricter ``auth`` rate)."""
