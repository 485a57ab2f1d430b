"""The outbox: an event row exactly when the change commits, handed to a worker, swept up when that failed."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from integrations.models import EventType, OutboxEvent, WebhookDelivery
from integrations.tasks import sweep_outbox
from leads.models import Activity
from leads.services import (
    add_activity,
    convert_conversation,
    create_lead_with_contact,
    delete_lead,
    move_lead_to_stage,
    update_lead,
)
from leads.tests.factories import ConversationFactory, LeadFactory

from .celery_support import using_broker
from .factories import make_webhook
from .receiver import verify_signature

pytestmark = pytest.mark.django_db


def types_of(org) -> list[str]:
    return list(OutboxEvent.objects.for_org(org).order_by("created_at", "id").values_list("type", flat=True))


def test_a_lead_created_through_the_api_reaches_the_receiver_signed(
    api, org, pipeline, receiver, allow_loopback, django_capture_on_commit_callbacks
):
    endpoint = make_webhook(org=org, url=receiver.url, events=[EventType.LEAD_CREATED])

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/leads/{org.pk}/with-contact",
            {"contact": {"name": "Ana Diaz", "email": "ana@example.com"}, "pipelineId": pipeline.pk},
            format="json",
        )

    assert response.status_code == 201
    [received] = receiver.wait_for(1)
    body = json.loads(received.body)
    assert body["type"] == "lead.created"
    assert body["organizationId"] == org.pk
    assert body["data"]["lead"]["id"] == response.json()["lead"]["id"]
    assert received.headers["VChata-Event-Id"] == body["id"]
    assert verify_signature(endpoint.secret, received)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("SUCCEEDED", 1, 200)


def test_a_rolled_back_change_leaves_no_event_and_sends_nothing(
    org, user, pipeline, receiver, allow_loopback, django_capture_on_commit_callbacks
):
    make_webhook(org=org, url=receiver.url)

    def failing_request():
        with transaction.atomic():
            create_lead_with_contact(org=org, actor=user, contact={"name": "Gone"}, pipeline=pipeline)
            raise RuntimeError("the request failed after the write")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_request()

    assert OutboxEvent.objects.count() == 0
    assert callbacks == []
    assert receiver.requests == []


def test_each_lead_change_becomes_its_webhook_events(org, user, pipeline, stages):
    lead, _ = create_lead_with_contact(org=org, actor=user, contact={"name": "Bo"}, pipeline=pipeline)
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"value": 1200, "notes": "warm"})
    move_lead_to_stage(org=org, actor=user, lead_id=lead.pk, stage_id=stages[3].pk)  # Converted
    move_lead_to_stage(org=org, actor=user, lead_id=lead.pk, stage_id=stages[4].pk)  # Lost
    add_activity(org=org, actor=user, lead_id=lead.pk, type=Activity.Type.CALL, description="Called back")
    delete_lead(org=org, actor=user, lead_id=lead.pk)

    assert types_of(org) == [
        "lead.created",
        "lead.updated",
        "lead.stage_changed",
        "lead.converted",
        "lead.stage_changed",
        "lead.lost",
        "activity.created",
        "lead.deleted",
    ]
    updated = OutboxEvent.objects.get(type="lead.updated").data
    assert updated["changes"] == {"value": [None, 1200], "notes": ["", "warm"]}
    assert updated["actorId"] == user.pk
    assert OutboxEvent.objects.get(type="lead.stage_changed", data__stage__id=stages[3].pk)
    assert OutboxEvent.objects.get(type="activity.created").data["activity"]["description"] == "Called back"
    assert OutboxEvent.objects.get(type="lead.deleted").data["lead"]["id"] == lead.pk


def test_converting_a_conversation_is_an_event_with_the_lead_and_contact(org, user, pipeline):
    conversation = ConversationFactory(organization=org, social_account__organization=org)

    lead, contact = convert_conversation(org=org, actor=user, conversation_id=conversation.pk, pipeline=pipeline)

    data = OutboxEvent.objects.get(type="conversation.converted").data
    assert data["conversationId"] == conversation.pk
    assert data["lead"]["id"] == lead.pk
    assert data["lead"]["conversationId"] == conversation.pk
    assert data["contact"]["id"] == contact.pk


def test_a_status_change_to_converted_by_patch_is_updated_and_converted(org, user):
    lead = LeadFactory(organization=org)

    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"status": "CONVERTED"})

    assert sorted(types_of(org)[-2:]) == ["lead.converted", "lead.updated"]


def test_an_event_whose_send_failed_is_delivered_by_the_sweep(
    org, user, pipeline, receiver, allow_loopback, django_capture_on_commit_callbacks
):
    make_webhook(org=org, url=receiver.url, events=[EventType.LEAD_CREATED])
    # Nothing listens on port 1 of loopback: the send after commit fails, as with Redis down.
    with using_broker("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True):
        create_lead_with_contact(org=org, actor=user, contact={"name": "Cy"}, pipeline=pipeline)
    event = OutboxEvent.objects.get()
    assert event.fanned_out_at is None
    assert receiver.requests == []

    assert sweep_outbox() == 0  # too fresh: its own send may still be on the way
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        assert sweep_outbox() == 1

    [received] = receiver.wait_for(1)
    assert json.loads(received.body)["id"] == event.pk
    event.refresh_from_db()
    assert event.fanned_out_at is not None
    with time_machine.travel(timezone.now() + timedelta(seconds=60)):
        assert sweep_outbox() == 0


def test_fanning_out_twice_makes_one_delivery_per_endpoint(org, user, pipeline, receiver, allow_loopback):
    from integrations.outbox import fan_out

    endpoint = make_webhook(org=org, url=receiver.url)
    lead, _ = create_lead_with_contact(org=org, actor=user, contact={"name": "Di"}, pipeline=pipeline)
    event = OutboxEvent.objects.get(type="lead.created")

    first, second = fan_out(event.pk), fan_out(event.pk)

    assert len(first) == 1 and second == []
    assert WebhookDelivery.objects.filter(endpoint=endpoint, event=event).count() == 1


def test_endpoints_get_only_the_events_they_asked_for(org, user, pipeline, receiver, allow_loopback):
    from integrations.outbox import fan_out

    make_webhook(org=org, url=receiver.url, events=[EventType.LEAD_DELETED])
    create_lead_with_contact(org=org, actor=user, contact={"name": "Ed"}, pipeline=pipeline)

    assert fan_out(OutboxEvent.objects.get(type="lead.created").pk) == []
