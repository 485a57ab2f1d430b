"""Reads of the leads API: querysets shaped so a page costs the same few queries at any size.

Each function takes the organization explicitly and starts from
``Model.objects.for_org(org)``; rows of other organizations are never seen.
Filtering and pagination of the lists happen in the views (``leads.filters``,
``vchata.pagination``) on the querysets returned here.
"""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from vchata.accounts.models import Organization
from vchata.tenancy import get_in_org
from vchata.tenancy.permissions import ALL_LEADS, LeadScope

from .models import (
    Activity,
    Campaign,
    ContentPost,
    Conversation,
    CustomField,
    Lead,
    Message,
    SocialAccount,
    StageVisit,
)

# How many of its newest activities the lead detail carries; the activities route pages through all.
DETAIL_ACTIVITIES = 100

# Everything a lead of the list shows is one join away; select_related keeps the page to one query.
_LEAD_RELATIONS = ("contact", "pipeline", "stage", "social_account", "content_post")


def lead_list(*, org: Organization, scope: LeadScope = ALL_LEADS) -> QuerySet[Lead]:
    """The org's leads ``scope`` sees, with contact, pipeline, stage, social account and post (one query a page)."""
    return Lead.objects.for_org(org).filter(scope.q()).select_related(*_LEAD_RELATIONS)


def lead_detail(*, org: Organization, lead_id: str, scope: LeadScope = ALL_LEADS) -> Lead:
    """One lead with its relations and newest activities (``recent_activities``): two queries whatever its history.

    The activities are a plain ``ORDER BY … LIMIT`` walking the ``(lead, -created_at, -id)``
    index, which stops after DETAIL_ACTIVITIES rows; a sliced ``Prefetch`` numbers every
    activity of the lead with a window function first, a cost that grows with its history.
    """
    lead = get_in_org(lead_list(org=org, scope=scope), org, lead_id)
    lead.recent_activities = list(lead_activities(lead=lead)[:DETAIL_ACTIVITIES])
    return lead


def lead_in_org(*, org: Organization, lead_id: str, scope: LeadScope = ALL_LEADS) -> Lead:
    """The lead, or ``NotFound`` when it isn't the org's or ``scope`` doesn't see it (the same answer)."""
    return get_in_org(Lead.objects.filter(scope.q()), org, lead_id)


def lead_activities(*, lead: Lead) -> QuerySet[Activity]:
    """A lead's activities, newest first (walks the ``(lead, -created_at, -id)`` index)."""
    return Activity.objects.filter(lead=lead).order_by("-created_at", "-id")


def lead_history(*, lead: Lead) -> list[StageVisit]:
    """The lead's stage visits, oldest first, each with ``days`` spent (until now for the open one)."""
    now = timezone.now()
    visits = list(StageVisit.objects.filter(lead=lead).select_related("stage").order_by("entered_at", "id"))
    for visit in visits:
        visit.days = round(((visit.left_at or now) - visit.entered_at).total_seconds() / 86400, 1)
    return visits


def campaign_list(*, org: Organization) -> QuerySet[Campaign]:
    return Campaign.objects.for_org(org).order_by("name", "id")


def custom_field_list(*, org: Organization) -> QuerySet[CustomField]:
    return CustomField.objects.for_org(org).order_by("label", "id")


def social_account_list(*, org: Organization) -> QuerySet[SocialAccount]:
    return SocialAccount.objects.for_org(org).order_by("name", "id")


def content_post_list(*, org: Organization) -> QuerySet[ContentPost]:
    return ContentPost.objects.for_org(org).order_by("-created_at", "-id")


def conversation_list(*, org: Organization) -> QuerySet[Conversation]:
    """Newest first, each with the lead made from it (if any) in the same query."""
    return Conversation.objects.for_org(org).select_related("lead").order_by("-created_at", "-id")


def conversation_detail(*, org: Organization, conversation_id: str) -> Conversation:
    queryset = conversation_list(org=org).prefetch_related(
        Prefetch("messages", queryset=Message.objects.order_by("sent_at", "id"))
    )
    return get_in_org(queryset, org, conversation_id)
