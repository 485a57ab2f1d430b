"""JWT authentication for the org routes, with the user read together with the membership.

Every ``/…/{orgId}`` route needs the caller's membership anyway, so reading
the user on its own first (what ``JWTAuthentication`` does) costs one query a
request for nothing. ``TokenOnlyJWTAuthentication`` (simplejwt's stateless
class) validates the token as ``JWTAuthentication`` does, without reading the
user; ``OrgScopedMixin`` then reads membership,
organization and user in one query and applies the same checks on the user
``JWTAuthentication`` would (``check_user``): an inactive user or a token
issued before a password change is still a 401.

A token this process has verified is kept (bounded, until it expires): decoding it and checking
its signature again was a sixth of ``/auth/me``'s time. What can revoke a token before it expires
is the user's password (checked on the user row every request, ``check_user``) or a new signing
key (part of the key it is kept under), so keeping it changes no answer.
"""

import threading

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication, JWTStatelessUserAuthentication
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import aware_utcnow, datetime_from_epoch, get_md5_hash_password

# How many verified tokens a process keeps (about one per signed-in client it serves).
VERIFIED_TOKENS_KEPT = 2048


class TokenOnlyJWTAuthentication(JWTStatelessUserAuthentication):
    """A valid token gives a ``TokenUser``; the view that needs the real user loads it."""

    _verified: dict[tuple, Token] = {}
    _lock = threading.Lock()

    def get_validated_token(self, raw_token: bytes) -> Token:
        key = (raw_token, api_settings.SIGNING_KEY, api_settings.ALGORITHM)
        token = self._verified.get(key)
        if token is not None and aware_utcnow() < datetime_from_epoch(token["exp"]):
            return token
        token = super().get_validated_token(raw_token)
        with self._lock:
            if len(self._verified) >= VERIFIED_TOKENS_KEPT:
                self._verified.clear()  # rarely full: a fresh start is simpler than an LRU, and as correct
            self._verified[key] = token
        return token


def check_user(user, token: Token | None) -> None:
    """The checks ``JWTAuthentication.get_user`` makes on the user it loaded, for a user loaded elsewhere."""
    if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
        raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
    if token is None:  # authenticated without a token (tests' force_authenticate)
        return
    if api_settings.CHECK_REVOKE_TOKEN and token.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(
        user.password
    ):
        raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")


def load_user(token: Token):
    """The token's user, with every check of ``JWTAuthentication`` (401 when missing, inactive or revoked)."""
    return JWTAuthentication().get_user(token)
