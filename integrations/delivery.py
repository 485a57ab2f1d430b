"""Delivering one webhook: claim it, send it, log the attempt, schedule the retry or give up.

At least once, never twice at the same moment: a worker claims a delivery with
one conditional UPDATE (``locked_until``) before sending, so a copy of the task
running elsewhere finds it taken. A worker killed mid-send never records its
attempt; its claim expires and the retry sweep sends the same event (same
event id) again. Receivers dedupe on the event id.
"""

import json
import random
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import DeliveryAttempt, OutboxEvent, WebhookDelivery, WebhookEndpoint
from .queue import send_task
from .sending import SendResult, post_signed

# Retries due within this long are also sent with a countdown; later ones wait for the sweep
# (a long countdown would sit unacknowledged in Redis past its visibility timeout).
COUNTDOWN_LIMIT = 300


def max_attempts() -> int:
    return len(settings.WEBHOOK_RETRY_SCHEDULE) + 1


def retry_delay(attempts_made: int) -> float:
    """Seconds before the next try after ``attempts_made`` failures: the schedule's step, plus jitter."""
    base = settings.WEBHOOK_RETRY_SCHEDULE[attempts_made - 1]
    return base * (1 + random.random() * settings.WEBHOOK_RETRY_JITTER)


def event_body(event: OutboxEvent) -> bytes:
    envelope = {
        "id": event.pk,
        "type": event.type,
        "createdAt": event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "organizationId": event.organization_id,
        "data": event.data,
    }
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()


def claim(delivery_id: str) -> WebhookDelivery | None:
    now = timezone.now()
    # The claim outlives the longest send (the timeout) by a margin, then it is free again.
    lease = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + settings.WEBHOOK_CLAIM_MARGIN_SECONDS)
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    due = WebhookDelivery.objects.filter(
        free, pk=delivery_id, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now
    )
    if not due.update(locked_until=lease):
        return None  # sent already, not due yet, or another worker has it
    return WebhookDelivery.objects.select_related("endpoint", "event").get(pk=delivery_id)


def attempt_delivery(delivery_id: str) -> WebhookDelivery | None:
    """Send the delivery if it is due and free; None when there was nothing to do."""
    delivery = claim(delivery_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.State.FAILED,
            locked_until=None,
            last_error=f"Endpoint disabled: {endpoint.disabled_reason or 'turned off'}"[:300],
        )
        return delivery
    result = post_signed(
        endpoint.url,
        event_body(delivery.event),
        secret=endpoint.secret,
        headers={
            "VChata-Event-Id": delivery.event_id,
            "VChata-Event-Type": delivery.event.type,
            "VChata-Delivery-Id": delivery.pk,
            "VChata-Attempt": str(delivery.attempts + 1),
        },
    )
    return record_attempt(delivery, result)


@transaction.atomic
def record_attempt(delivery: WebhookDelivery, result: SendResult) -> WebhookDelivery:
    now = timezone.now()
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    number = delivery.attempts + 1
    try:
        with transaction.atomic():
            DeliveryAttempt.objects.create(
                delivery=delivery,
                number=number,
                status_code=result.status_code,
                duration_ms=result.duration_ms,
                error=result.error[:300],
                response_body=result.response_body[:500],
                succeeded=result.succeeded,
            )
    except IntegrityError:
        return delivery  # this attempt was recorded by a worker whose claim we outlived
    delivery.attempts = number
    delivery.locked_until = None
    delivery.last_status_code = result.status_code
    delivery.last_duration_ms = result.duration_ms
    delivery.last_error = result.error[:300] or ("" if result.succeeded else f"HTTP {result.status_code}")
    retry_in = None
    if result.succeeded:
        delivery.state = WebhookDelivery.State.SUCCEEDED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        endpoint.consecutive_failures, endpoint.failing_since = 0, None
    else:
        if number >= max_attempts():
            delivery.state = WebhookDelivery.State.FAILED
            delivery.next_attempt_at = None
        else:
            retry_in = retry_delay(number)
            delivery.next_attempt_at = now + timedelta(seconds=retry_in)
        endpoint.consecutive_failures += 1
        endpoint.failing_since = endpoint.failing_since or now
    delivery.save()
    if not result.succeeded and _disable_if_failing_too_long(endpoint, now=now, last=delivery.last_error):
        delivery.state, delivery.next_attempt_at = WebhookDelivery.State.FAILED, None
    endpoint.save(
        update_fields=["consecutive_failures", "failing_since", "is_active", "disabled_reason", "disabled_at"]
    )
    if retry_in is not None and retry_in <= COUNTDOWN_LIMIT and endpoint.is_active:
        transaction.on_commit(
            lambda: send_task("integrations.tasks.deliver_webhook", delivery.pk, countdown=retry_in), robust=True
        )
    return delivery


def _disable_if_failing_too_long(endpoint: WebhookEndpoint, *, now, last: str) -> bool:
    """Turn the endpoint off after a long enough run of failures; True if it was."""
    failures = endpoint.consecutive_failures
    if failures < settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        return False
    if now - endpoint.failing_since < timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS):
        return False
    endpoint.is_active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = (
        f"Disabled after {failures} failed deliveries in a row since "
        f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC (last: {last})"
    )[:300]
    # What is still queued for it fails now; each can be redelivered once the endpoint is fixed.
    endpoint.deliveries.filter(state=WebhookDelivery.State.PENDING).update(
        state=WebhookDelivery.State.FAILED, next_attempt_at=None, locked_until=None
    )
    return True


def due_delivery_ids(*, now=None, limit: int = 500) -> list[str]:
    """Pending deliveries whose time has come and that no live worker holds (incl. abandoned claims)."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        state=WebhookDelivery.State.PENDING,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
    )
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


@transaction.atomic
def redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the delivery's event to its endpoint again, as a new delivery with the same event id."""
    copy = WebhookDelivery.objects.create(
        organization_id=delivery.organization_id,
        endpoint_id=delivery.endpoint_id,
        event_id=delivery.event_id,
        redelivery_of=delivery,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: send_task("integrations.tasks.deliver_webhook", copy.pk), robust=True)
    return copy
