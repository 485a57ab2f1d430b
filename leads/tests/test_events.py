"""What the lead services announce on the event bus (automation and the webhook outbox listen)."""

from decimal import Decimal

import pytest

from leads import events, services
from leads.events import EventKind
from leads.models import Lead
from leads.tests.factories import ConversationFactory, LeadFactory


@pytest.fixture
def announced():
    """The events emitted while the test runs, in order."""
    seen: list[events.LeadEvent] = []
    events.subscribe(seen.append)
    yield seen
    events.unsubscribe(seen.append)


def kinds(seen) -> list[str]:
    return [event.kind for event in seen]


def test_update_announces_each_changed_field_before_and_after_once(org, user, announced):
    lead = LeadFactory(organization=org, value=500, notes="")
    announced.clear()

    services.update_lead(
        org=org,
        actor=user,
        lead_id=lead.pk,
        changes={"value": Decimal("12500"), "notes": "Call back", "source": "website"},
    )

    updates = [event for event in announced if event.kind == EventKind.LEAD_UPDATED]
    assert len(updates) == 1
    assert updates[0].detail == {"changes": {"value": [500, 12500], "notes": ["", "Call back"]}}
    assert updates[0].actor == user


def test_update_that_changes_nothing_announces_nothing(org, user, announced):
    lead = LeadFactory(organization=org, value=500)
    announced.clear()

    services.update_lead(org=org, actor=user, lead_id=lead.pk, changes={"value": Decimal("500")})

    assert announced == []


def test_status_change_is_announced_as_status_and_as_update(org, user, announced):
    lead = LeadFactory(organization=org)
    announced.clear()

    services.update_lead(org=org, actor=user, lead_id=lead.pk, changes={"status": Lead.Status.QUALIFIED})

    # QUALIFIED is a stage's status, so the lead entered that stage first.
    assert kinds(announced) == [EventKind.STAGE_ENTERED, EventKind.STATUS_CHANGED, EventKind.LEAD_UPDATED]
    assert announced[2].detail["changes"]["status"] == ["NEW", "QUALIFIED"]


def test_delete_is_announced_while_the_lead_is_still_whole(org, user):
    lead = LeadFactory(organization=org)
    lead_id = lead.pk
    # What a subscriber can read at the moment it is called (Django clears the pk after the delete).
    seen = []

    def record(event):
        seen.append((event.kind, event.lead.pk, Lead.objects.filter(pk=event.lead.pk).exists()))

    events.subscribe(record)
    try:
        services.delete_lead(org=org, actor=user, lead_id=lead_id)
    finally:
        events.unsubscribe(record)

    assert seen == [(EventKind.LEAD_DELETED, lead_id, True)]
    assert not Lead.objects.filter(pk=lead_id).exists()


def test_logged_activity_is_announced_with_the_activity(org, user, announced):
    lead = LeadFactory(organization=org)
    announced.clear()

    activity = services.add_activity(org=org, actor=user, lead_id=lead.pk, type="CALL", description="Intro call")

    assert kinds(announced) == [EventKind.ACTIVITY_ADDED]
    assert announced[0].activity == activity
    assert announced[0].detail == "CALL"


def test_conversion_of_a_conversation_is_announced_after_the_lead_is_created(org, user, pipeline, announced):
    conversation = ConversationFactory(organization=org, social_account__organization=org)

    lead, _ = services.convert_conversation(
        org=org, actor=user, conversation_id=conversation.pk, pipeline=pipeline, source="social_media"
    )

    assert kinds(announced) == [EventKind.LEAD_CREATED, EventKind.CONVERSATION_CONVERTED]
    assert announced[1].detail == conversation.pk
    assert announced[1].lead == lead
