"""Per API key rate limits, counted like every other throttle (``vchata.throttling``: Redis-shared, failing open).

Every keyed response says where the key stands: ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (unix seconds when the
current window ends); the org-scoped base copies them onto the response.
"""

import math

from vchata.throttling import SlidingWindowThrottle


def is_api_key(auth) -> bool:
    # Not an isinstance check: DRF imports its throttles before the apps' models are ready.
    return getattr(auth, "is_api_key", False)


class ApiKeyThrottle(SlidingWindowThrottle):
    scope = "apikey"

    def get_cache_key(self, request, view):
        if not is_api_key(request.auth):
            return None
        return f"throttle_apikey_{request.auth.pk}"

    def allow_request(self, request, view) -> bool:
        key = request.auth
        if not is_api_key(key):
            return True
        if key.rate_limit:
            self.rate = f"{key.rate_limit}/minute"
            self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        self.used, self.window_ends_at = None, None
        allowed = super().allow_request(request, view)
        if self.used is None:  # failed open, nothing counted
            remaining, reset = self.num_requests, math.ceil(self.timer() / self.duration) * self.duration
        else:
            remaining = max(self.num_requests - math.ceil(self.used), 0) if allowed else 0
            reset = self.window_ends_at
        request.rate_limit_headers = {
            "X-RateLimit-Limit": str(self.num_requests),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(int(reset)),
        }
        return allowed
