"""Marketing campaigns: a lead belongs to one by campaignId or by its utmCampaign key."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from vchata.accounts.models import Organization, User
from vchata.exceptions import Conflict, InvalidInput
from vchata.tenancy import get_in_org

from ..models import Campaign
from .common import save_unique

CAMPAIGN_EXISTS = "A campaign with this utmCampaign already exists"
CAMPAIGN_FIELDS = ("name", "utm_campaign", "budget", "starts_at", "ends_at")


def _check_campaign(org: Organization, campaign: Campaign) -> None:
    if campaign.starts_at and campaign.ends_at and campaign.ends_at < campaign.starts_at:
        raise InvalidInput(["endsAt must not be before startsAt"])
    same_key = Campaign.objects.for_org(org).filter(utm_campaign=campaign.utm_campaign).exclude(pk=campaign.pk)
    if same_key.exists():
        raise Conflict(CAMPAIGN_EXISTS)


@transaction.atomic
def create_campaign(
    *,
    org: Organization,
    actor: User | None,
    name: str,
    utm_campaign: str,
    budget: Decimal | None = None,
    starts_at=None,
    ends_at=None,
) -> Campaign:
    campaign = Campaign(
        organization=org, name=name, utm_campaign=utm_campaign, budget=budget, starts_at=starts_at, ends_at=ends_at
    )
    _check_campaign(org, campaign)
    save_unique(campaign, CAMPAIGN_EXISTS, force_insert=True)
    return campaign


@transaction.atomic
def update_campaign(*, org: Organization, actor: User | None, campaign_id: str, changes: Mapping[str, Any]) -> Campaign:
    """Apply a partial update (model field names); the dates are checked against the merged result."""
    campaign = get_in_org(Campaign, org, campaign_id, lock=True)
    for name in CAMPAIGN_FIELDS:
        if name in changes:
            setattr(campaign, name, changes[name])
    _check_campaign(org, campaign)
    save_unique(campaign, CAMPAIGN_EXISTS)
    return campaign


@transaction.atomic
def delete_campaign(*, org: Organization, actor: User | None, campaign_id: str) -> None:
    """Delete a campaign; its leads stay, no longer linked to it."""
    get_in_org(Campaign, org, campaign_id, lock=True).delete()
