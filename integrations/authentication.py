"""``Authorization: Bearer vch_…``: an API key, accepted on the org routes next to JWT.

The key's request runs as its creator (a real user, so services can record
them), through a membership that is not a row: the key's org, the MANAGER
role (it works and manages leads, it never configures the org), narrowed
further by the key's scopes. ``request.auth`` is the key, whose ``actor``
names it (kind ``API_KEY``).
"""

from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed

from vchata.accounts.models import Membership
from vchata.exceptions import Forbidden, NotFound
from vchata.tenancy.membership import ORG_NOT_FOUND

from .apikeys import SECRET_PREFIX, key_for_secret, note_use
from .models import ApiKey, ApiKeyScope

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OUT_OF_SCOPE = "This API key's scopes don't allow this request"


def scope_needed(view, method: str) -> str | None:
    """The scope a keyed request to ``view`` needs, or None where no key may go (configuration, members, keys)."""
    module = type(view).__module__
    reading = method in SAFE_METHODS
    if module.startswith("analytics."):
        return ApiKeyScope.ANALYTICS_READ if reading else None
    if module == "leads.api.conversations" or "conversation" in module:
        return ApiKeyScope.CONVERSATIONS_WRITE
    if module.startswith("leads."):
        return ApiKeyScope.LEADS_READ if reading else ApiKeyScope.LEADS_WRITE
    if module.startswith("pipelines.") and reading:
        return ApiKeyScope.LEADS_READ  # pipelines and stages, to place and move leads
    return None


def allows(key: ApiKey, scope: str | None) -> bool:
    if scope is None:
        return False
    # Writing leads includes reading them.
    return scope in key.scopes or (scope == ApiKeyScope.LEADS_READ and ApiKeyScope.LEADS_WRITE in key.scopes)


def membership_for(key: ApiKey, org_id: str, view, method: str) -> Membership:
    """What the key may do on ``org_id``'s route: 404 on another org's, 403 beyond its scopes."""
    if key.organization_id != org_id:
        raise NotFound(ORG_NOT_FOUND)
    if not allows(key, scope_needed(view, method)):
        raise Forbidden(OUT_OF_SCOPE)
    membership = Membership(organization=key.organization, user=key.created_by, role=Membership.Role.MANAGER)
    return membership


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if len(header) != 2 or header[0].decode(errors="replace") != self.keyword:
            return None
        secret = header[1].decode(errors="replace")
        if not secret.startswith(SECRET_PREFIX):
            return None  # a JWT: the next class's
        key = key_for_secret(secret)
        if key is None:
            raise AuthenticationFailed("Invalid API key", code="invalid_api_key")
        if key.revoked_at is not None:
            raise AuthenticationFailed("This API key has been revoked", code="revoked_api_key")
        if key.created_by is None or not key.created_by.is_active:
            raise AuthenticationFailed("This API key's creator is no longer active", code="inactive_api_key")
        note_use(key)
        return key.created_by, key

    def authenticate_header(self, request):
        return self.keyword
