"""POST /leads/{orgId}/convert-conversation."""

import pytest

from leads.models import Lead
from leads.tests.factories import (
    ContactFactory,
    ContentPostFactory,
    ConversationFactory,
    SocialAccountFactory,
)
from tests.support.api import (
    error,
    leads_url,
    problems,
)

pytestmark = pytest.mark.django_db

pytestmark = pytest.mark.django_db


def test_convert_conversation_makes_the_contact_and_a_linked_lead(api, org, pipeline):
    account = SocialAccountFactory(organization=org)
    conversation = ConversationFactory(
        social_account=account,
        content_post=ContentPostFactory(social_account=account),
        participant_name="Jane Smith",
        participant_email="jane@example.com",
        participant_phone="+1987654321",
    )

    response = api.post(
        leads_url(org, "convert-conversation"),
        {"conversationId": conversation.pk, "pipelineId": pipeline.pk, "value": 1500, "notes": "From Instagram DM"},
        format="json",
    )

    assert response.status_code == 201
    payload = response.json()
    assert payload["message"] == "Conversation converted to lead successfully"
    assert (
        payload["contact"] | {"name": "Jane Smith", "email": "jane@example.com", "phone": "+1987654321"}
        == payload["contact"]
    )
    lead = payload["lead"]
    assert (lead["source"], lead["value"], lead["status"], lead["contactId"]) == (
        "social_media",
        1500,
        "NEW",
        payload["contact"]["id"],
    )
    assert (lead["socialAccountId"], lead["contentPostId"], lead["conversationId"]) == (
        conversation.social_account_id,
        conversation.content_post_id,
        conversation.pk,
    )


def test_convert_a_conversation_twice_is_a_conflict(api, org, pipeline):
    conversation = ConversationFactory(social_account__organization=org)
    body = {"conversationId": conversation.pk, "pipelineId": pipeline.pk}
    api.post(leads_url(org, "convert-conversation"), body, format="json")

    response = api.post(leads_url(org, "convert-conversation"), body, format="json")

    assert response.status_code == 409
    assert error(response) == "Conversation has already been converted to a lead"
    assert Lead.objects.count() == 1


def test_convert_conversation_reuses_the_contact_with_the_participants_email(api, org, pipeline):
    contact = ContactFactory(organization=org, email="fan@example.com")
    conversation = ConversationFactory(social_account__organization=org, participant_email="FAN@example.com")

    response = api.post(
        leads_url(org, "convert-conversation"),
        {"conversationId": conversation.pk, "pipelineId": pipeline.pk},
        format="json",
    )

    assert response.json()["contact"]["id"] == contact.pk


@pytest.mark.parametrize(
    ("drop", "extra", "message"),
    [
        ("conversationId", {}, "conversationId is required"),
        ("pipelineId", {}, "pipelineId is required"),
        (
            None,
            {"conversationId": "conv_" + "0" * 26},
            "conversationId does not match any conversation in this organization",
        ),
        (None, {"value": -1}, "value must be greater than or equal to 0"),
        (None, {"contactId": "contact_x"}, "contactId is not an allowed field"),
    ],
)
def test_convert_conversation_refuses_bad_input(api, org, pipeline, drop, extra, message):
    conversation = ConversationFactory(social_account__organization=org)
    body = {"conversationId": conversation.pk, "pipelineId": pipeline.pk, **extra}
    body.pop(drop, None)

    response = api.post(leads_url(org, "convert-conversation"), body, format="json")

    assert response.status_code == 400
    assert problems(response) == [message]
    assert not Lead.objects.exists()


def test_convert_a_conversation_of_another_organization_is_refused(api, org, pipeline, other_org):
    foreign = ConversationFactory(social_account__organization=other_org)

    response = api.post(
        leads_url(org, "convert-conversation"), {"conversationId": foreign.pk, "pipelineId": pipeline.pk}, format="json"
    )

    assert problems(response) == ["conversationId does not match any conversation in this organization"]
    assert not Lead.objects.exists()
