"""Real Celery workers on the loopback Redis deliver webhooks: signed, retried, and surviving a SIGKILL.

The test process commits changes and sends tasks to Redis as the web app does;
workers started as separate processes (``celery -A vchata worker``) on the test
database do the deliveries to a receiver on 127.0.0.1.
"""

import json
import time

import pytest

from integrations.models import DeliveryAttempt, EventType, OutboxEvent, WebhookDelivery
from leads.services import create_lead_with_contact
from vchata.accounts.tests.factories import OrganizationFactory, UserFactory

from .celery_support import using_broker
from .factories import make_webhook
from .receiver import verify_signature
from .worker_support import celery_cluster

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner_org():
    owner = UserFactory()
    return owner, OrganizationFactory(owner=owner)


def wait_until(predicate, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def create_lead(owner, org, name: str):
    pipeline = org.pipeline_set.get(is_default=True)
    return create_lead_with_contact(org=org, actor=owner, contact={"name": name}, pipeline=pipeline)[0]


def test_a_worker_delivers_a_lead_change_signed(owner_org, receiver, tmp_path, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    owner, org = owner_org
    endpoint = make_webhook(org=org, url=receiver.url, events=[EventType.LEAD_CREATED])
    with celery_cluster(tmp_path) as cluster:
        cluster.worker()
        with using_broker(cluster.broker_url, keyprefix=cluster.keyprefix):
            lead = create_lead(owner, org, "Worker Test")  # committed: the send goes to Redis

        [received] = receiver.wait_for(1)

    body = json.loads(received.body)
    assert (body["type"], body["data"]["lead"]["id"]) == ("lead.created", lead.pk)
    assert verify_signature(endpoint.secret, received)
    assert wait_until(lambda: WebhookDelivery.objects.get().state == "SUCCEEDED", timeout=5)


def test_a_receiver_answering_500_twice_gets_the_event_on_the_third_try(owner_org, receiver, tmp_path, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    owner, org = owner_org
    receiver.statuses = [500, 500, 200]
    make_webhook(org=org, url=receiver.url, events=[EventType.LEAD_CREATED])
    with celery_cluster(tmp_path, WEBHOOK_RETRY_SCHEDULE="1,1,1", WEBHOOK_RETRY_JITTER="0") as cluster:
        cluster.worker()
        with using_broker(cluster.broker_url, keyprefix=cluster.keyprefix):
            create_lead(owner, org, "Flaky Receiver")

        requests = receiver.wait_for(3)
        assert wait_until(lambda: WebhookDelivery.objects.get().state == "SUCCEEDED")

    assert len(requests) == 3
    assert len({json.loads(r.body)["id"] for r in requests}) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 3
    assert list(DeliveryAttempt.objects.values_list("status_code", flat=True).order_by("number")) == [500, 500, 200]


def test_a_worker_killed_mid_delivery_loses_nothing_and_the_event_keeps_its_id(owner_org, receiver, tmp_path, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    owner, org = owner_org
    receiver.delay = 3  # the receiver is still answering when the worker dies
    make_webhook(org=org, url=receiver.url, events=[EventType.LEAD_CREATED])
    fast = {
        "WEBHOOK_TIMEOUT_SECONDS": "5",
        "WEBHOOK_CLAIM_MARGIN_SECONDS": "1",
        "WEBHOOK_RETRY_SWEEP_SECONDS": "1",
        "OUTBOX_SWEEP_SECONDS": "1",
    }
    with celery_cluster(tmp_path, **fast) as cluster:
        first = cluster.worker()
        with using_broker(cluster.broker_url, keyprefix=cluster.keyprefix):
            create_lead(owner, org, "Kill Test")
        assert receiver.got_request.wait(20)
        first.kill()  # SIGKILL while the POST is in flight: nothing recorded, the task unacknowledged
        delivery = WebhookDelivery.objects.get()
        assert (delivery.state, delivery.attempts, delivery.locked_until is not None) == ("PENDING", 0, True)

        receiver.delay = 0
        cluster.worker()
        cluster.beat()  # the retry sweep finds the abandoned claim once it expires
        assert wait_until(lambda: WebhookDelivery.objects.get().state == "SUCCEEDED", timeout=30)
        time.sleep(1.5)  # a late copy of the task, if any, must find nothing to do

    event = OutboxEvent.objects.get()
    ids = [json.loads(r.body)["id"] for r in receiver.requests]
    assert ids == [event.pk, event.pk]  # at least once, never a new id
    assert WebhookDelivery.objects.get().attempts == 1
    assert DeliveryAttempt.objects.count() == 1
