"""Lost reasons: the organization's list of why deals are lost."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max

from vchata.accounts.models import Organization, User
from vchata.exceptions import Conflict
from vchata.tenancy import get_in_org

from ..models import Lead, LostReason
from .common import save_unique

LOST_REASON_EXISTS = "A lost reason with this name already exists"
LOST_REASON_IN_USE = "This lost reason is on leads: set isActive to false to retire it instead"
LOST_REASON_FIELDS = ("name", "is_active", "order")


def _check_name(org: Organization, reason: LostReason) -> None:
    if LostReason.objects.for_org(org).filter(name__iexact=reason.name).exclude(pk=reason.pk).exists():
        raise Conflict(LOST_REASON_EXISTS)


@transaction.atomic
def create_lost_reason(
    *, org: Organization, actor: User | None, name: str, is_active: bool = True, order: int | None = None
) -> LostReason:
    """A new reason, last in the list unless ``order`` is given."""
    if order is None:
        last = LostReason.objects.for_org(org).aggregate(last=Max("order"))["last"]
        order = 0 if last is None else last + 1
    reason = LostReason(organization=org, name=name, is_active=is_active, order=order)
    _check_name(org, reason)
    save_unique(reason, LOST_REASON_EXISTS, force_insert=True)
    return reason


@transaction.atomic
def update_lost_reason(
    *, org: Organization, actor: User | None, reason_id: str, changes: Mapping[str, Any]
) -> LostReason:
    reason = get_in_org(LostReason, org, reason_id, lock=True)
    for name in LOST_REASON_FIELDS:
        if name in changes:
            setattr(reason, name, changes[name])
    _check_name(org, reason)
    save_unique(reason, LOST_REASON_EXISTS)
    return reason


@transaction.atomic
def delete_lost_reason(*, org: Organization, actor: User | None, reason_id: str) -> None:
    """Delete a reason no lead carries (409 otherwise: retire it with isActive false)."""
    reason = get_in_org(LostReason, org, reason_id, lock=True)
    if Lead.objects.for_org(org).filter(lost_reason=reason).exists():
        raise Conflict(LOST_REASON_IN_USE)
    reason.delete()


def org_has_lost_reasons(org: Organization) -> bool:
    """Whether marking a lead LOST takes a reason: the org has at least one active one."""
    return LostReason.objects.for_org(org).filter(is_active=True).exists()
