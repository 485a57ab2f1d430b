"""Which webhook events a lead event becomes, and the ``data`` each one carries.

``data`` is a snapshot taken inside the change's transaction, in the API's
own output shapes (``LeadSerializer``, ``ActivitySerializer``,
``ContactSerializer``), so a receiver sees what ``GET`` would have answered
at that moment. Every ``data`` has ``actorId`` (the user who made the change,
null for rules, forms and platform messages).
"""

from leads.events import EventKind, LeadEvent
from leads.serializers import ActivitySerializer, ContactSerializer, LeadSerializer, StageRefSerializer
from pipelines.models import LeadStatus

from .models import EventType

# Status changes that are webhook events of their own (any status change is also in lead.updated's changes).
STATUS_EVENTS = {LeadStatus.CONVERTED: EventType.LEAD_CONVERTED, LeadStatus.LOST: EventType.LEAD_LOST}


def webhook_events(event: LeadEvent) -> list[tuple[str, dict]]:
    """``(type, data)`` for each webhook event ``event`` stands for; none for ASSIGNED (in lead.updated)."""
    base = {"actorId": event.actor.pk if event.actor else None}
    kind = event.kind
    if kind == EventKind.LEAD_CREATED:
        return [(EventType.LEAD_CREATED, {**base, "lead": _lead(event)})]
    if kind == EventKind.LEAD_UPDATED:
        return [(EventType.LEAD_UPDATED, {**base, "lead": _lead(event), "changes": event.detail["changes"]})]
    if kind == EventKind.STAGE_ENTERED:
        stage = StageRefSerializer(event.lead.stage).data
        return [(EventType.LEAD_STAGE_CHANGED, {**base, "lead": _lead(event), "stage": stage})]
    if kind == EventKind.STATUS_CHANGED and event.detail in STATUS_EVENTS:
        return [(STATUS_EVENTS[event.detail], {**base, "lead": _lead(event)})]
    if kind == EventKind.LEAD_DELETED:
        return [(EventType.LEAD_DELETED, {**base, "lead": _lead(event)})]
    if kind == EventKind.ACTIVITY_ADDED and event.activity is not None:
        return [(EventType.ACTIVITY_CREATED, {**base, "activity": ActivitySerializer(event.activity).data})]
    if kind == EventKind.CONVERSATION_CONVERTED:
        data = {
            **base,
            "conversationId": event.detail,
            "lead": _lead(event),
            "contact": ContactSerializer(event.lead.contact).data,
        }
        return [(EventType.CONVERSATION_CONVERTED, data)]
    return []


def _lead(event: LeadEvent) -> dict:
    return dict(LeadSerializer(event.lead).data)
