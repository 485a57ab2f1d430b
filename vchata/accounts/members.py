"""Member management: change a role, remove a member (or leave), transfer ownership.

Every path (the API, the members page, the admin) changes memberships through
these functions, so the rules of ``vchata.tenancy.permissions`` and the last
OWNER rule hold whoever asks. ``actor`` is the caller's membership of the org.

An organization always keeps an OWNER. Each change locks the organization's
row first, so two owners demoting each other at once are served one after
the other and the second is refused (409) instead of leaving nobody in charge.
"""

from django.db import transaction

from vchata.exceptions import Conflict, InvalidInput, NotFound
from vchata.tenancy import permissions

from .models import Membership, Organization, SavedView
from .signals import member_removed

Role = Membership.Role

MEMBER_NOT_FOUND = "Member not found or you don't have access"
LAST_OWNER = "An organization must keep at least one owner: make someone else OWNER first"


def _lock_organization(org: Organization, actor: Membership) -> Membership:
    """Lock the org's row and answer ``actor`` as it is now: the caller may have been demoted meanwhile."""
    Organization.objects.select_for_update().filter(pk=org.pk).values_list("pk").first()
    if actor.pk is None:  # a superuser acting in the admin (vchata.tenancy.admin.acting_membership)
        return actor
    current = Membership.objects.select_related("organization").filter(pk=actor.pk).first()
    if current is None:
        raise NotFound(MEMBER_NOT_FOUND)
    return current


def member(*, org: Organization, user_id: str) -> Membership:
    """The membership of ``user_id`` in ``org`` with its user, or ``NotFound``."""
    found = Membership.objects.select_related("user", "organization").filter(organization=org, user_id=user_id).first()
    if found is None:
        raise NotFound(MEMBER_NOT_FOUND)
    return found


def _keep_an_owner(org: Organization, losing: Membership) -> None:
    """``Conflict`` if ``losing`` is the organization's only OWNER (call with the org row locked)."""
    if losing.role != Role.OWNER:
        return
    if not Membership.objects.filter(organization=org, role=Role.OWNER).exclude(pk=losing.pk).exists():
        raise Conflict(LAST_OWNER)


@transaction.atomic
def change_role(*, org: Organization, actor: Membership, user_id: str, role: str) -> Membership:
    """Give ``user_id`` the ``role``: ADMINs manage everyone but OWNERs; only an OWNER makes or unmakes one."""
    if role not in Role.values:
        raise InvalidInput([f"role must be one of {', '.join(Role.values)}"])
    actor = _lock_organization(org, actor)
    target = member(org=org, user_id=user_id)
    permissions.check_role_change(actor, target, role)
    if target.role == role:
        return target
    if role != Role.OWNER:
        _keep_an_owner(org, target)
    target.role = role
    target.save(update_fields=["role"])
    return target


@transaction.atomic
def remove_member(*, org: Organization, actor: Membership, user_id: str) -> None:
    """Remove ``user_id`` from the organization; removing yourself is leaving it."""
    actor = _lock_organization(org, actor)
    target = member(org=org, user_id=user_id)
    permissions.check_removal(actor, target)
    _keep_an_owner(org, target)
    target.delete()
    # Their saved list views were theirs in this org only: someone invited back starts afresh.
    SavedView.objects.filter(organization=org, user_id=target.user_id).delete()
    member_removed.send(
        sender=Membership, organization=org, user=target.user, actor=actor.user if actor.user_id else None
    )


@transaction.atomic
def transfer_ownership(*, org: Organization, actor: Membership, user_id: str) -> Membership:
    """Make ``user_id`` an OWNER and the caller (an OWNER) an ADMIN, in one step."""
    actor = _lock_organization(org, actor)
    target = member(org=org, user_id=user_id)
    permissions.require(actor, permissions.Action.MANAGE_OWNERS)
    if target.user_id == actor.user_id:
        raise InvalidInput(["userId must be another member: you are already an owner"])
    target.role = Role.OWNER
    target.save(update_fields=["role"])
    if actor.pk is not None:  # a superuser acting in the admin holds no membership to give up
        Membership.objects.filter(pk=actor.pk).update(role=Role.ADMIN)
        actor.role = Role.ADMIN
    return target
