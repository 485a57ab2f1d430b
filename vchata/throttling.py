"""Request throttles: per anonymous IP, per user, and per scope (``throttle_scope = "auth"``).

DRF's throttles decide who is counted (the IP, the user, the scope); three
things differ here:

- Counting is one atomic ``cache.incr``. DRF's own throttles read a list of
  timestamps, append, and write it back, so concurrent requests on several
  workers overwrite each other's entries and more than the limit get
  through: exactly what a credential-stuffing client sending in parallel
  would exploit.
- The window slides. A fixed window lets a client spend its whole allowance
  at the end of one minute and again at the start of the next: twice the
  limit in a second. The count of the previous window is weighed by how much
  of it still lies within the last ``duration`` seconds (the sliding-window
  counter), which keeps any such burst to the limit with two counters a key.
- The rates are read from settings on every request. DRF copies
  ``DEFAULT_THROTTLE_RATES`` into a class attribute at import, so a changed
  setting (a test's ``settings`` fixture, for one) would never reach it.

Only served requests are counted: a refused one is taken back, so a client
that slows down gets in again as the allowance frees up.

Counters live in Django's default cache, which is Redis whenever ``REDIS_URL``
is set, so every worker and every app server counts against the same limit.
A throttled request gets the 429 envelope with ``Retry-After``
(``vchata.exceptions``).

Throttles fail open: while the cache can't be reached a request is let
through, logged and counted (``vchata.cachefaults``), rather than refused or
answered with a 500. A limit is a defence against abuse, not something a
request needs in order to be served, and Redis is optional at run time.
"""

import math

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling
from rest_framework.settings import api_settings

from vchata.cachefaults import CACHE_ERRORS, THROTTLE_FAILED_OPEN, circuit


def weighted_count(previous: int, current: int, elapsed: float) -> float:
    """Requests in the last window's length: all of this window's, and the share of the previous
    window's still within reach, assuming those were spread evenly over it."""
    return previous * (1 - elapsed) + current


def seconds_until_allowed(previous: int, current: int, elapsed: float, limit: int, duration: int) -> float:
    """How long until one more request fits, with ``current`` served so far in this window and
    ``previous`` in the one before, ``elapsed`` (0..1) of this window gone."""
    if current < limit and previous:
        # Later in this window, once the previous window's share has shrunk enough.
        frees_at = 1 - (limit - 1 - current) / previous
        if frees_at < 1:
            return max(frees_at - elapsed, 0) * duration
    # In the next window this one becomes the previous, weighed down from whole.
    frees_at_next = 1 - (limit - 1) / current if current else 0
    return (1 - elapsed + max(frees_at_next, 0)) * duration


class SlidingWindowThrottle(throttling.SimpleRateThrottle):
    """At most ``num_requests`` in any ``duration`` seconds per key (a sliding-window counter)."""

    @property
    def THROTTLE_RATES(self) -> dict[str, str | None]:  # DRF reads this name
        return api_settings.DEFAULT_THROTTLE_RATES

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        if not circuit.available():
            circuit.skipped(THROTTLE_FAILED_OPEN)
            return True
        try:
            allowed = self._count_request(key)
        except CACHE_ERRORS as error:
            circuit.failed(error, THROTTLE_FAILED_OPEN)
            return True
        circuit.succeeded()
        return allowed

    def _count_request(self, key: str) -> bool:
        window, into = divmod(self.timer(), self.duration)
        elapsed = into / self.duration
        counter = f"{key}:{int(window)}"
        # DRF's ``cache`` is Django's proxy of the default cache: the backend behind it says which way to count.
        backend = caches[DEFAULT_CACHE_ALIAS] if self.cache is default_cache else self.cache
        if isinstance(backend, RedisCache):
            current, previous = self._count_in_redis(backend, counter, f"{key}:{int(window) - 1}")
        else:
            current = self._count_one(counter)
            previous = self.cache.get(f"{key}:{int(window) - 1}", 0)
        # Kept for X-RateLimit-* headers (integrations.throttling): what is used, when the window ends.
        self.used = weighted_count(previous, current, elapsed)
        self.window_ends_at = (int(window) + 1) * self.duration
        if self.used <= self.num_requests:
            return True
        self.cache.decr(counter)  # refused, so not counted
        # Others refused at the same moment may still be in the count; no more than the limit were served.
        served = min(current - 1, self.num_requests)
        self.wait_seconds = seconds_until_allowed(previous, served, elapsed, self.num_requests, self.duration)
        return False

    def _count_in_redis(self, backend: RedisCache, counter: str, previous: str) -> tuple[int, int]:
        """This window's count after counting this request, and the previous window's: one round trip.

        INCR creates the counter at 1; EXPIRE … NX gives it its lifetime only when it has none, so
        a busy counter is not kept alive forever. Django's Redis cache stores integers as plain
        Redis integers, so ``cache.decr``/``cache.get`` read the same values.

        The three commands are written to a pooled connection as one packet and their replies read
        back, as redis-py's pipeline does (with the connection's retry policy), without building a
        pipeline and packing its commands each request: that was most of the throttle's own time.
        """
        counter_key = backend.make_and_validate_key(counter).encode()
        previous_key = backend.make_and_validate_key(previous).encode()
        # Django builds a new client object (on its pooled connections) on every call; one a backend is enough.
        client = backend.__dict__.get("_throttle_client")
        if client is None:
            client = backend.__dict__["_throttle_client"] = backend._cache.get_client(counter, write=True)
        lifetime = b"%d" % (2 * self.duration + 1)
        packet = _commands(
            (b"INCRBY", counter_key, b"1"), (b"EXPIRE", counter_key, lifetime, b"NX"), (b"GET", previous_key)
        )
        pool = client.connection_pool
        connection = pool.get_connection()
        try:
            current, _, before = connection.retry.call_with_retry(
                lambda: _round_trip(connection, packet, replies=3), lambda error: connection.disconnect()
            )
        finally:
            pool.release(connection)
        return int(current), int(before or 0)

    def _count_one(self, counter: str) -> int:
        try:
            return self.cache.incr(counter)
        except ValueError:  # the window's first request here
            # The counter must outlive the next window, which weighs it; the extra second covers
            # clock skew between workers.
            if self.cache.add(counter, 1, 2 * self.duration + 1):
                return 1
            return self.cache.incr(counter)  # another worker started it first

    def wait(self) -> float:
        # At least a second: a racing request may already have taken the room computed for.
        return max(math.ceil(self.wait_seconds), 1)


def _commands(*commands: tuple[bytes, ...]) -> bytes:
    """Redis commands in the protocol's wire format (RESP arrays of bulk strings), back to back."""
    return b"".join(
        b"*%d\r\n" % len(command) + b"".join(b"$%d\r\n%s\r\n" % (len(part), part) for part in command)
        for command in commands
    )


def _round_trip(connection, packet: bytes, *, replies: int) -> list:
    try:
        connection.send_packed_command([packet])
        return [connection.read_response() for _ in range(replies)]
    except BaseException:
        connection.disconnect()  # replies may be left unread on it: never hand it back to the pool like that
        raise


class AnonThrottle(throttling.AnonRateThrottle, SlidingWindowThrottle):
    """Requests without a user, counted per client IP."""


class UserThrottle(throttling.UserRateThrottle, SlidingWindowThrottle):
    """Requests of an authenticated user, counted per user whatever the IP."""


class ScopeThrottle(throttling.ScopedRateThrottle, SlidingWindowThrottle):
    """Views with a ``throttle_scope`` (sign-up and token: per IP, at the stricter ``auth`` rate)."""
