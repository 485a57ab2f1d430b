"""Sending one webhook: signature, retries with backoff, timeouts, auto-disable, redelivery, the address guard."""

import json
import socket
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from integrations.delivery import attempt_delivery, max_attempts, retry_delay
from integrations.models import DeliveryAttempt, OutboxEvent, WebhookDelivery
from integrations.outbox import fan_out, record_event
from integrations.tasks import retry_due_deliveries

from .factories import make_webhook
from .receiver import verify_signature

pytestmark = pytest.mark.django_db


def queued_delivery(org, url: str, **endpoint) -> WebhookDelivery:
    endpoint = make_webhook(org=org, url=url, **endpoint)
    event = record_event(org_id=org.pk, event_type="lead.created", data={"lead": {"id": "lead_x"}})
    [delivery_id] = fan_out(event.pk)
    return WebhookDelivery.objects.get(pk=delivery_id, endpoint=endpoint)


def test_a_delivery_is_the_signed_envelope(org, receiver, allow_loopback):
    delivery = queued_delivery(org, receiver.url)

    attempt_delivery(delivery.pk)

    [received] = receiver.requests
    assert received.path == "/hooks/vchata"
    assert received.headers["Content-Type"] == "application/json"
    body = json.loads(received.body)
    assert set(body) == {"id", "type", "createdAt", "organizationId", "data"}
    assert body["id"] == delivery.event_id
    assert body["data"] == {"lead": {"id": "lead_x"}}
    assert verify_signature(delivery.endpoint.secret, received)
    assert not verify_signature("whsec_another", received)


def test_a_receiver_failing_twice_gets_the_event_on_the_third_try(org, receiver, allow_loopback, fast_retries):
    receiver.statuses = [500, 500, 200]
    delivery = queued_delivery(org, receiver.url)

    attempt_delivery(delivery.pk)
    retry_due_deliveries()
    retry_due_deliveries()

    ids = {json.loads(r.body)["id"] for r in receiver.requests}
    assert len(receiver.requests) == 3 and ids == {delivery.event_id}
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("SUCCEEDED", 3)
    log = list(DeliveryAttempt.objects.filter(delivery=delivery).values_list("number", "status_code", "succeeded"))
    assert log == [(1, 500, False), (2, 500, False), (3, 200, True)]
    assert delivery.endpoint.__class__.objects.get(pk=delivery.endpoint_id).consecutive_failures == 0


def test_a_retry_waits_for_its_backoff(org, receiver, allow_loopback, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [60, 300]
    receiver.statuses = [503]
    delivery = queued_delivery(org, receiver.url)

    attempt_delivery(delivery.pk)
    assert retry_due_deliveries() == 0  # not due for a minute

    delivery.refresh_from_db()
    assert 60 <= (delivery.next_attempt_at - timezone.now()).total_seconds() <= 60 * 1.2 + 1
    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
        assert retry_due_deliveries() == 1
    assert len(receiver.requests) == 2


def test_the_default_schedule_is_eight_tries_over_about_a_day(settings):
    assert max_attempts() == 8
    assert 20 <= sum(settings.WEBHOOK_RETRY_SCHEDULE) / 3600 <= 30
    delays = [retry_delay(n) for n in range(1, 8)]
    assert all(later > earlier for earlier, later in zip(delays, delays[1:], strict=False))


def test_a_delivery_out_of_tries_fails(org, receiver, allow_loopback, fast_retries):
    receiver.statuses = [500]
    delivery = queued_delivery(org, receiver.url)

    attempt_delivery(delivery.pk)
    for _ in range(5):
        retry_due_deliveries()

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("FAILED", 4, "HTTP 500")
    assert len(receiver.requests) == 4


def test_a_slow_receiver_times_out(org, receiver, allow_loopback, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.delay = 1
    delivery = queued_delivery(org, receiver.url)

    attempt_delivery(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.state == "PENDING" and delivery.attempts == 1
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith("Timed out after 0.3 s")


def test_an_endpoint_failing_long_enough_is_disabled_with_the_reason(org, receiver, allow_loopback, settings):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    settings.WEBHOOK_DISABLE_AFTER_HOURS = 1
    settings.WEBHOOK_RETRY_SCHEDULE = [0] * 10
    receiver.statuses = [500]
    delivery = queued_delivery(org, receiver.url)
    start = timezone.now()

    attempt_delivery(delivery.pk)
    with time_machine.travel(start + timedelta(minutes=5)):
        retry_due_deliveries()
        retry_due_deliveries()  # three failures, but in minutes: still on
    endpoint = delivery.endpoint.__class__.objects.get(pk=delivery.endpoint_id)
    assert endpoint.is_active and endpoint.consecutive_failures == 3
    with time_machine.travel(start + timedelta(hours=2)):
        retry_due_deliveries()

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason.startswith("Disabled after 4 failed deliveries in a row")
    assert "HTTP 500" in endpoint.disabled_reason
    delivery.refresh_from_db()
    assert delivery.state == "FAILED"
    assert OutboxEvent.objects.count() == 1


def test_a_success_ends_the_failure_run(org, receiver, allow_loopback, fast_retries):
    receiver.statuses = [500, 200]
    delivery = queued_delivery(org, receiver.url)

    attempt_delivery(delivery.pk)
    endpoint = delivery.endpoint.__class__.objects.get(pk=delivery.endpoint_id)
    assert endpoint.consecutive_failures == 1
    retry_due_deliveries()

    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.failing_since) == (0, None)


def test_a_delivery_runs_once_even_when_its_task_runs_twice(org, receiver, allow_loopback):
    delivery = queued_delivery(org, receiver.url)

    attempt_delivery(delivery.pk)
    attempt_delivery(delivery.pk)

    assert len(receiver.requests) == 1


def test_a_claimed_delivery_is_left_to_its_worker_until_the_claim_expires(org, receiver, allow_loopback):
    from integrations.delivery import claim

    delivery = queued_delivery(org, receiver.url)
    assert claim(delivery.pk) is not None  # a worker took it, then died before recording anything

    assert retry_due_deliveries() == 0
    assert attempt_delivery(delivery.pk) is None
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert retry_due_deliveries() == 1

    assert [json.loads(r.body)["id"] for r in receiver.requests] == [delivery.event_id]


def test_a_host_resolving_inside_at_send_time_is_not_contacted(org, receiver, allow_loopback, settings, monkeypatch):
    delivery = queued_delivery(org, receiver.url.replace("127.0.0.1", "hooks.example.test"))
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, *a, **k: real("127.0.0.1", *a, **k) if host == "hooks.example.test" else real(host, *a, **k),
    )
    settings.WEBHOOKS_ALLOW_PRIVATE = False  # the name now points at loopback: DNS rebinding

    attempt_delivery(delivery.pk)

    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.last_error == "url must not point to a private, loopback, link-local or reserved address"


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(org, receiver, allow_loopback, monkeypatch):
    delivery = queued_delivery(org, receiver.url.replace("127.0.0.1", "hooks.example.test"))
    real = socket.getaddrinfo
    lookups = []

    def resolver(host, *args, **kwargs):
        lookups.append(host)
        return real("127.0.0.1" if host == "hooks.example.test" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)

    attempt_delivery(delivery.pk)

    [received] = receiver.requests
    port = receiver.url.split(":")[2].split("/")[0]
    assert received.headers["Host"] == f"hooks.example.test:{port}"
    assert lookups.count("hooks.example.test") == 1  # resolved once, then connected by address


def test_redelivery_sends_the_same_event_id_again(org, receiver, allow_loopback, django_capture_on_commit_callbacks):
    from integrations.delivery import redeliver

    delivery = queued_delivery(org, receiver.url)
    attempt_delivery(delivery.pk)

    with django_capture_on_commit_callbacks(execute=True):
        copy = redeliver(delivery)

    assert [json.loads(r.body)["id"] for r in receiver.requests] == [delivery.event_id] * 2
    copy.refresh_from_db()
    assert (copy.state, copy.redelivery_of_id, copy.event_id) == ("SUCCEEDED", delivery.pk, delivery.event_id)


def test_the_cron_command_retries_due_deliveries(org, receiver, allow_loopback, fast_retries):
    from io import StringIO

    from django.core.management import call_command

    receiver.statuses = [500, 200]
    delivery = queued_delivery(org, receiver.url)
    attempt_delivery(delivery.pk)
    out = StringIO()

    call_command("run_integrations", stdout=out)

    assert "1 deliveries retried" in out.getvalue()
    delivery.refresh_from_db()
    assert delivery.state == "SUCCEEDED"
