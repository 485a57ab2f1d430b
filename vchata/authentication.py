"""JWT authentication for the org routes, with the user read together with the membership.

Every ``/…/{orgId}`` route needs the caller's membership anyway, so reading
the user on its own first (what ``JWTAuthentication`` does) costs one query a
request for nothing. ``TokenOnlyJWTAuthentication`` (simplejwt's stateless
class) validates the token as ``JWTAuthentication`` does, without reading the
user; ``OrgScopedMixin`` then reads membership,
organization and user in one query and applies the same checks on the user
``JWTAuthentication`` would (``check_user``): an inactive user or a token
issued before a password change is still a 401.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication, JWTStatelessUserAuthentication
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

# A valid token gives a ``TokenUser``; the view that needs the real user loads it.
TokenOnlyJWTAuthentication = JWTStatelessUserAuthentication


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
