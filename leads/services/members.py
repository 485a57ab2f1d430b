"""What happens to a member's work when they leave an organization."""

from vchata.accounts.models import Organization, User

from ..models import Lead
from .leads import update_lead


def release_leads_of(*, org: Organization, user: User, actor: User | None) -> int:
    """Unassign every lead of ``org`` assigned to ``user``, each with its ASSIGNED history; how many.

    Through ``update_lead`` (not one UPDATE), so each release has the same activity, events and
    webhooks as an unassignment made by hand.
    """
    lead_ids = list(Lead.objects.for_org(org).filter(assigned_to=user).values_list("pk", flat=True))
    for lead_id in lead_ids:
        update_lead(
            org=org, actor=actor, lead_id=lead_id, changes={"assigned_to": None}, cause={"reason": "member_removed"}
        )
    return len(lead_ids)


def on_member_removed(sender, *, organization: Organization, user: User, actor: User | None, **kwargs) -> None:
    release_leads_of(org=organization, user=user, actor=actor)
