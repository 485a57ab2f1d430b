"""Celery tasks of the integration layer. Each works from a stored row and may safely run twice."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from . import delivery, inbound, outbox
from .models import InboundEvent, OutboxEvent, WebhookDelivery
from .queue import send_task


def send_each(task_name: str, ids: list) -> int:
    for row_id in ids:
        send_task(task_name, row_id)
    return len(ids)


@shared_task(name="integrations.tasks.fan_out_event")
def fan_out_event(event_id: str) -> int:
    return send_each("integrations.tasks.deliver_webhook", outbox.fan_out(event_id))


@shared_task(name="integrations.tasks.deliver_webhook")
def deliver_webhook(delivery_id: str) -> str | None:
    done = delivery.attempt_delivery(delivery_id)
    return done.state if done else None


@shared_task(name="integrations.tasks.process_inbound_event")
def process_inbound_event(event_id: int) -> str | None:
    row = inbound.process_inbound_event(event_id)
    return row.state if row else None


@shared_task(name="integrations.tasks.sweep_outbox")
def sweep_outbox() -> int:
    """Send the events whose send after commit was lost (broker down, worker gone)."""
    return send_each("integrations.tasks.fan_out_event", outbox.unsent_event_ids())


@shared_task(name="integrations.tasks.retry_due_deliveries")
def retry_due_deliveries() -> int:
    """Send every delivery whose retry is due, and those a dead worker had claimed."""
    return send_each("integrations.tasks.deliver_webhook", delivery.due_delivery_ids())


@shared_task(name="integrations.tasks.sweep_inbound_events")
def sweep_inbound_events() -> int:
    """Process the stored inbound events whose task was lost."""
    return send_each("integrations.tasks.process_inbound_event", inbound.unprocessed_event_ids())


@shared_task(name="integrations.tasks.run_automations")
def run_automations() -> None:
    """IDLE_IN_STAGE rules on the beat schedule (the same command cron may run; runs never overlap work)."""
    call_command("run_automations")


@shared_task(name="integrations.tasks.prune_integration_logs")
def prune_integration_logs() -> int:
    """Forget events (with their deliveries) and inbound bodies past the retention, once settled."""
    cutoff = timezone.now() - timedelta(days=settings.INTEGRATIONS_LOG_RETENTION_DAYS)
    unsettled = WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING).values("event_id")
    old_events = OutboxEvent.objects.filter(created_at__lt=cutoff, fanned_out_at__isnull=False)
    deleted, _ = old_events.exclude(pk__in=unsettled).delete()
    inbound_deleted, _ = InboundEvent.objects.filter(received_at__lt=cutoff).exclude(state="PENDING").delete()
    return deleted + inbound_deleted
