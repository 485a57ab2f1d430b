"""Throttled sign-in for the pages: ``/login`` and ``/admin/login/``.

Each attempt is counted before the password is hashed (a try costs the
server a full password hash, which is what made unthrottled logins a way to
load it down), with the counters and limits of ``vchata.throttling``:

- per client IP, on the very counter of ``/auth/token`` and ``/auth/signup``
  (scope ``auth``): a client gets ``THROTTLE_AUTH_RATE`` tries in all,
  whichever door it knocks on;
- per account (the email typed, or the body's ``email`` on ``/auth/token``:
  ``TokenAccountThrottle``), at the same rate, on one counter for every door,
  so a guesser spread over many addresses is slowed down too.

The per-account limit must not lock the real user out while someone else
guesses their password. A browser that signed in to an account gets a
signed "known device" cookie for it (``DEVICE_COOKIE``, long-lived); its
attempts on that account skip the account counter (the IP counter still
applies). A stranger's guesses fill the account's counter; its owner, on
their usual browser, still gets in.

A throttled attempt is answered 429 with ``Retry-After`` and the form says
when to try again.
"""

import hashlib
import math
from functools import wraps
from types import SimpleNamespace

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError

from vchata.throttling import ScopeThrottle, SlidingWindowThrottle

SCOPE = "auth"
DEVICE_COOKIE = "vchata_device"
DEVICE_SALT = "vchata.accounts.known-device"
DEVICE_MAX_AGE = 180 * 24 * 3600
# Accounts one browser is remembered for (people share a computer).
DEVICE_ACCOUNTS = 5

# What ScopeThrottle reads from the view: the scope of /auth/token.
_AUTH_VIEW = SimpleNamespace(throttle_scope=SCOPE)


def account_key(email: str) -> str:
    """The account's name in counters and cookies: a digest, so neither shows an address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def account_counter(account: str) -> str:
    """The counter of sign-in attempts on one account (``account_key``), shared by the pages and the API."""
    return f"throttle_{SCOPE}-account_{account}"


class AccountThrottle(SlidingWindowThrottle):
    """Sign-in attempts on one account, whatever the client, at the ``auth`` rate."""

    scope = SCOPE

    def __init__(self, email: str):
        self.account = account_key(email)
        super().__init__()

    def get_cache_key(self, request, view):
        return account_counter(self.account)


class TokenAccountThrottle(SlidingWindowThrottle):
    """``/auth/token`` per account: the body's ``email`` on the pages' account counter.

    A browser's known-device cookie skips it there as on the pages; a body with no usable
    email is not counted here (the serializer answers it 400, the IP counter still applies).
    """

    scope = SCOPE

    def allow_request(self, request, view) -> bool:
        data = request.data
        email = data.get("email") if isinstance(data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return True
        self.account = account_key(email)
        if self.account in known_accounts(request):
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return account_counter(self.account)


def known_accounts(request) -> list[str]:
    """The accounts this browser signed in to before (from its signed cookie; [] when absent or forged)."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        accounts = signing.loads(raw, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return []
    return [item for item in accounts if isinstance(item, str)] if isinstance(accounts, list) else []


def remember_device(request, response, email: str) -> None:
    """After a good sign-in: this browser is a known device for the account from now on."""
    accounts = [account_key(email), *(a for a in known_accounts(request) if a != account_key(email))]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(accounts[:DEVICE_ACCOUNTS], salt=DEVICE_SALT),
        max_age=DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def seconds_to_wait(request, email: str) -> int | None:
    """Count this attempt; None when it may go ahead, else how many seconds until it may."""
    throttles = [ScopeThrottle()]
    if email and account_key(email) not in known_accounts(request):
        throttles.append(AccountThrottle(email))
    waits = []
    for throttle in throttles:
        if not throttle.allow_request(request, _AUTH_VIEW):
            waits.append(throttle.wait() or 1)
    return max(math.ceil(wait) for wait in waits) if waits else None


class ThrottledLoginMixin:
    """For an ``AuthenticationForm``: refuse a throttled attempt before any password is checked.

    ``retry_after`` is then the number of seconds to wait (``login_throttled`` answers it).
    """

    retry_after: int | None = None

    def clean(self):
        if self.request is not None:
            wait = seconds_to_wait(self.request, self.cleaned_data.get("username") or "")
            if wait is not None:
                self.retry_after = wait
                raise ValidationError(
                    f"Too many sign-in attempts. Try again in {wait} second{'s' if wait != 1 else ''}.",
                    code="throttled",
                )
        return super().clean()


def login_throttled(view):
    """Wrap a login view whose form uses ``ThrottledLoginMixin``: 429 + ``Retry-After`` when throttled,
    and the known-device cookie after a good sign-in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method != "POST":
            return response
        form = (getattr(response, "context_data", None) or {}).get("form")
        retry_after = getattr(form, "retry_after", None)
        if retry_after is not None:
            response.status_code = 429
            response["Retry-After"] = str(retry_after)
        elif response.status_code == 302 and request.user.is_authenticated:
            remember_device(request, response, request.user.email)
        return response

    return wrapper
