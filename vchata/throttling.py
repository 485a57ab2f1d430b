"""Request throttles: per anonymous IP, per user, and per scope (``throttle_scope = "auth"``).

They are DRF's own throttles with one difference: the rates are read from
settings on every request. DRF copies ``DEFAULT_THROTTLE_RATES`` into a class
attribute when ``rest_framework.throttling`` is imported, so a changed setting
(a test's ``settings`` fixture, for one) would otherwise never reach them.

Counters live in Django's default cache, which is Redis whenever ``REDIS_URL``
is set, so every worker and every app server counts against the same limit.
A throttled request gets the 429 envelope with ``Retry-After``
(``vchata.exceptions``).
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class RatesFromSettings:
    @property
    def THROTTLE_RATES(self) -> dict[str, str | None]:  # DRF reads this name
        return api_settings.DEFAULT_THROTTLE_RATES


class AnonThrottle(RatesFromSettings, throttling.AnonRateThrottle):
    """Requests without a user, counted per client IP."""


class UserThrottle(RatesFromSettings, throttling.UserRateThrottle):
    """Requests of an authenticated user, counted per user whatever the IP."""


class ScopeThrottle(RatesFromSettings, throttling.ScopedRateThrottle):
    """Views with a ``throttle_scope`` (sign-up and token: per IP, at the stricter ``auth`` rate)."""
