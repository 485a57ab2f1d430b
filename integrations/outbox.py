"""The transactional outbox: domain events as rows, handed to Celery once their transaction commits.

``record_lead_event`` runs inside the service's transaction (it is a
``leads.events`` subscriber), so an event row exists exactly when the change
does: a rolled-back write leaves none, a committed one always leaves one.
After the commit the row's id is sent to a worker; if the broker can't be
reached then, the row simply waits for ``sweep_outbox``, which sends every row
not fanned out yet. Fan-out is idempotent, so a row sent twice is harmless.
"""

import logging
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from leads.events import LeadEvent
from vchata.ids import new_id

from .events import webhook_events
from .models import OutboxEvent, WebhookDelivery, WebhookEndpoint
from .queue import send_task

logger = logging.getLogger("vchata.integrations")

# The sweep leaves the newest rows to the send that follows their commit.
SWEEP_GRACE = timedelta(seconds=10)
SWEEP_BATCH = 500


def record_lead_event(event: LeadEvent) -> None:
    if event.rows_written:  # its rows went in with the change's (``lead_event_rows``)
        return
    for event_type, data in webhook_events(event):
        record_event(org_id=event.org.pk, event_type=event_type, data=data)


def lead_event_rows(event: LeadEvent) -> list[OutboxEvent]:
    """The event rows of ``event``, unsaved, for the lead service to insert with its own rows; each is
    sent once the transaction commits (a rolled-back write sends nothing)."""
    rows = [
        OutboxEvent(id=new_id("evt"), organization_id=event.org.pk, type=event_type, data=data)
        for event_type, data in webhook_events(event)
    ]
    for row in rows:
        _send_on_commit(row.pk)
    return rows


def record_event(*, org_id: str, event_type: str, data: dict) -> OutboxEvent:
    row = OutboxEvent.objects.create(organization_id=org_id, type=event_type, data=data)
    _send_on_commit(row.pk)
    return row


def _send_on_commit(event_id: str) -> None:
    transaction.on_commit(partial(send_task, "integrations.tasks.fan_out_event", event_id), robust=True)


def fan_out(event_id: str) -> list[str]:
    """Make the event's delivery rows (one per active endpoint that wants it); the ids of the new ones.

    Runs in its own transaction holding the event row, so two workers given the
    same event make its deliveries once; a second run finds it fanned out.
    """
    with transaction.atomic():
        event = OutboxEvent.objects.select_for_update(skip_locked=True).filter(pk=event_id).first()
        if event is None or event.fanned_out_at is not None:
            return []
        now = timezone.now()
        endpoints = [e for e in WebhookEndpoint.objects.for_org(event.organization_id) if e.wants(event.type)]
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(organization_id=event.organization_id, endpoint=e, event=event, next_attempt_at=now)
                for e in endpoints
            ],
            ignore_conflicts=True,
        )
        event.fanned_out_at = now
        event.save(update_fields=["fanned_out_at", "updated_at"])
        if not endpoints:
            return []  # the common case: nobody listens
        return list(event.deliveries.filter(attempts=0).values_list("pk", flat=True))


def unsent_event_ids(*, now=None, limit: int = SWEEP_BATCH) -> list[str]:
    """Committed events no worker has fanned out (their send was lost, or the broker was down)."""
    cutoff = (now or timezone.now()) - SWEEP_GRACE
    pending = OutboxEvent.objects.filter(fanned_out_at__isnull=True, created_at__lte=cutoff)
    return list(pending.order_by("created_at").values_list("pk", flat=True)[:limit])
