"""API keys: making, checking and revoking the ``vch_…`` secrets integrations authenticate with.

The secret is 32 random bytes, so it can't be guessed or brute-forced from
its digest; a slow password hasher (PBKDF2, Argon2) protects low-entropy
passwords and would only add tens of milliseconds to every keyed request. A
keyed HMAC-SHA256 (with ``SECRET_KEY``) is deterministic, so the digest is
looked up directly through a unique index, and a leaked table without the
app's secret key gives nothing to test guesses against.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vchata.accounts.models import Organization, User
from vchata.exceptions import NotFound

from .models import ApiKey

SECRET_PREFIX = "vch_"
API_KEY_NOT_FOUND = "API key not found or you don't have access"
# last_used_at is written at most this often a key: one UPDATE a minute, not one a request.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class KeyActor:
    """Who did something, when it was done through a key (picked up as ``request.auth.actor``)."""

    kind: str
    id: str
    name: str


def actor_of(key: ApiKey):
    try:
        from vchata.actors import Actor  # the shared Actor concept, once it exists
    except ImportError:
        return KeyActor(kind="API_KEY", id=key.pk, name=key.name)
    return Actor(kind="API_KEY", id=key.pk, name=key.name)


def digest_of(secret: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), secret.encode(), hashlib.sha256).hexdigest()


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def create_api_key(
    *, org: Organization, actor: User | None, name: str, scopes: list[str], rate_limit: int | None = None
) -> tuple[ApiKey, str]:
    """The new key and its secret: the only time the secret exists outside the caller's hands."""
    secret = new_secret()
    key = ApiKey.objects.create(
        organization=org,
        name=name,
        scopes=sorted(set(scopes)),
        prefix=secret[:12],
        digest=digest_of(secret),
        rate_limit=rate_limit,
        created_by=actor if actor is not None and actor.pk else None,
    )
    return key, secret


@transaction.atomic
def revoke_api_key(*, org: Organization, actor: User | None, key_id: str) -> ApiKey:
    """Revoke the key (it answers 401 from now on); revoking it again changes nothing."""
    key = ApiKey.objects.for_org(org).select_for_update().filter(pk=key_id).first()
    if key is None:
        raise NotFound(API_KEY_NOT_FOUND)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])
    return key


def revoke_keys_of(*, org: Organization, user: User) -> int:
    """Revoke every live key ``user`` made for ``org``: a key acts as its creator, who is no longer a member."""
    return (
        ApiKey.objects.for_org(org)
        .filter(created_by=user, revoked_at__isnull=True)
        .update(revoked_at=timezone.now(), updated_at=timezone.now())
    )


def on_member_removed(sender, *, organization: Organization, user: User, **kwargs) -> None:
    revoke_keys_of(org=organization, user=user)


def key_for_secret(secret: str) -> ApiKey | None:
    """The live or revoked key with this secret (with its creator), or None."""
    return ApiKey.objects.select_related("created_by", "organization").filter(digest=digest_of(secret)).first()


def note_use(key: ApiKey) -> None:
    """Record that the key was used now, at most once a ``LAST_USED_PRECISION``."""
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_PRECISION:
        return
    # Conditional, so concurrent requests of one key write once.
    ApiKey.objects.filter(pk=key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    ).update(last_used_at=now)
    key.last_used_at = now
