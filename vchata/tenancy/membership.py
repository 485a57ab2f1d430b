"""Who belongs to which organization: the one membership query of the API and the pages."""

from vchata.accounts.models import Membership, Organization, User
from vchata.exceptions import NotFound

ORG_NOT_FOUND = "Organization not found or you don't have access"


def membership_of(user_id, org_id: str) -> Membership | None:
    """The user's membership of the org with the organization and the user, in one query; None if not a member."""
    memberships = Membership.objects.select_related("organization", "user")
    return memberships.filter(user_id=user_id, organization_id=org_id).first()


def org_for_member(user: User, org_id: str) -> Organization:
    return member_of(user, org_id).organization


def member_of(user: User, org_id: str) -> Membership:
    """The signed-in user's membership of the org, or ``NotFound`` (the same for "no such org" and "not yours")."""
    membership = membership_of(user.pk, org_id) if getattr(user, "is_authenticated", False) else None
    if membership is None:
        # Same answer for "no such org" and "not yours": ids must not be probed.
        raise NotFound(ORG_NOT_FOUND)
    return membership
