"""Checks every service of this package shares."""

from django.db import IntegrityError, transaction

from vchata.accounts.models import Organization
from vchata.exceptions import Conflict, InvalidInput


def check_org_links(org: Organization, **objects) -> None:
    """Refuse rows of another org (serializers already scope ids; this guards other callers)."""
    for field, obj in objects.items():
        if obj is not None and getattr(obj, "organization_id", org.pk) != org.pk:
            raise InvalidInput([f"{field} does not match any record in this organization"])


def save_unique(row, conflict: str, **save_kwargs) -> None:
    """Save; a unique index that a concurrent request filled first becomes the documented 409."""
    try:
        with transaction.atomic():
            row.save(**save_kwargs)
    except IntegrityError as exc:
        raise Conflict(conflict) from exc
