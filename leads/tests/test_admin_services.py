"""The lead-side admins write through ``leads.services``: the API's rules, the API's clean-ups, no 500s."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.models import Activity, Campaign, Conversation, CustomField, Lead, Message
from leads.services import convert_conversation, update_lead
from leads.tests.factories import (
    CampaignFactory,
    ContentPostFactory,
    ConversationFactory,
    CustomFieldFactory,
    LeadFactory,
    SocialAccountFactory,
)
from tests.support.admin import inline_management, logged_in, superuser


@pytest.fixture
def su(db):
    return logged_in(superuser())


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def field_form(org, **fields) -> dict:
    return {"organization": org.pk, "key": "band", "label": "Band", "type": "TEXT", "options": "[]", **fields}


def test_deleting_a_custom_field_removes_its_key_from_every_lead(su, org, user):
    """Regression: the key stayed on leads, so their next customFields write was a 400."""
    seats = CustomFieldFactory(organization=org, key="seats", type="NUMBER")
    CustomFieldFactory(organization=org, key="plan", type="TEXT")
    holders = [LeadFactory(organization=org, custom_fields={"seats": n, "plan": "pro"}) for n in range(3)]
    untouched = LeadFactory(organization=org, custom_fields={"plan": "basic"})

    response = su.post(f"/admin/leads/customfield/{seats.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not CustomField.objects.filter(pk=seats.pk).exists()
    assert {lead.pk: lead.custom_fields for lead in Lead.objects.filter(organization=org)} == {
        **{lead.pk: {"plan": "pro"} for lead in holders},
        untouched.pk: {"plan": "basic"},
    }
    # The next write of such a lead's custom fields is accepted.
    update_lead(org=org, actor=user, lead_id=holders[0].pk, changes={"custom_fields": {"plan": "team"}})
    assert Lead.objects.get(pk=holders[0].pk).custom_fields == {"plan": "team"}


def test_a_custom_field_is_removed_from_leads_in_one_update(su, org):
    seats = CustomFieldFactory(organization=org, key="seats", type="NUMBER")
    for n in range(5):
        LeadFactory(organization=org, custom_fields={"seats": n})

    with CaptureQueriesContext(connection) as queries:
        su.post(f"/admin/leads/customfield/{seats.pk}/delete/", {"post": "yes"})

    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "leads_lead"')]
    assert len(updates) == 1
    assert not Lead.objects.filter(custom_fields__has_key="seats").exists()


def test_a_select_field_without_options_is_refused_as_in_the_api(su, org):
    """Regression: the admin saved a SELECT field with no options, which the service refuses."""
    response = su.post("/admin/leads/customfield/add/", field_form(org, type="SELECT"))

    assert response.status_code == 200
    assert "options must list at least one value for a SELECT field" in response.content.decode()
    assert not CustomField.objects.filter(organization=org).exists()


def test_emptying_a_select_fields_options_is_refused(su, org):
    field = CustomFieldFactory(organization=org, key="band", type="SELECT", options=["S", "M"])

    response = su.post(
        f"/admin/leads/customfield/{field.pk}/change/", {"label": "Band", "options": "[]", "required": ""}
    )

    assert response.status_code == 200
    assert CustomField.objects.get(pk=field.pk).options == ["S", "M"]


def test_a_custom_field_is_added_and_changed_through_the_services(su, org):
    added = su.post("/admin/leads/customfield/add/", field_form(org, type="SELECT", options='["S", "M"]'))
    field = CustomField.objects.get(organization=org, key="band")
    changed = su.post(
        f"/admin/leads/customfield/{field.pk}/change/",
        {"label": "Size band", "options": '["S", "M", "L"]', "required": "on", "key": "other", "type": "TEXT"},
    )

    assert (added.status_code, changed.status_code) == (302, 302)
    field.refresh_from_db()
    # Key and type stay, as in PATCH /custom-fields/{fieldId}.
    assert (field.key, field.type, field.label, field.options, field.required) == (
        "band",
        "SELECT",
        "Size band",
        ["S", "M", "L"],
        True,
    )


def test_a_campaign_ending_before_it_starts_is_refused_not_a_500(su, org):
    campaign = CampaignFactory(organization=org)

    response = su.post(
        f"/admin/leads/campaign/{campaign.pk}/change/",
        {
            "name": campaign.name,
            "utm_campaign": campaign.utm_campaign,
            "budget": "",
            "starts_at_0": "2026-06-10",
            "starts_at_1": "00:00:00",
            "ends_at_0": "2026-06-01",
            "ends_at_1": "00:00:00",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert Campaign.objects.get(pk=campaign.pk).ends_at == campaign.ends_at


def test_deleting_a_campaign_keeps_its_leads(su, org):
    campaign = CampaignFactory(organization=org)
    lead = LeadFactory(organization=org, campaign=campaign)

    response = su.post(f"/admin/leads/campaign/{campaign.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).campaign_id is None


def test_a_message_added_to_a_converted_conversation_goes_on_the_leads_timeline(su, org, pipeline, user):
    conversation = ConversationFactory(social_account=SocialAccountFactory(organization=org))
    lead, _ = convert_conversation(org=org, actor=user, conversation_id=conversation.pk, pipeline=pipeline)

    response = su.post(
        f"/admin/leads/conversation/{conversation.pk}/change/",
        {
            "participant_name": conversation.participant_name,
            "messages-TOTAL_FORMS": "1",
            "messages-INITIAL_FORMS": "0",
            "messages-0-sent_at_0": "2026-06-01",
            "messages-0-sent_at_1": "10:00:00",
            "messages-0-direction": "OUT",
            "messages-0-text": "Your quote is attached.",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Message.objects.get(conversation=conversation).text == "Your quote is attached."
    assert lead.activities.filter(type=Activity.Type.SOCIAL_MESSAGE, description="Your quote is attached.").exists()


def test_a_conversation_on_a_post_of_another_account_is_refused(su, org):
    conversation = ConversationFactory(social_account=SocialAccountFactory(organization=org))
    elsewhere = ContentPostFactory(social_account=SocialAccountFactory(organization=org))

    response = su.post(
        f"/admin/leads/conversation/{conversation.pk}/change/",
        {
            "participant_name": conversation.participant_name,
            "content_post": elsewhere.pk,
            **inline_management("messages"),
        },
        follow=True,
    )

    assert any("contentPostId must be a post of socialAccountId" in message for message in messages_of(response))
    assert Conversation.objects.get(pk=conversation.pk).content_post_id is None


def test_deleting_a_social_account_keeps_the_leads_made_from_it(su, org, pipeline, user):
    conversation = ConversationFactory(social_account=SocialAccountFactory(organization=org))
    lead, _ = convert_conversation(org=org, actor=user, conversation_id=conversation.pk, pipeline=pipeline)

    response = su.post(f"/admin/leads/socialaccount/{conversation.social_account_id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Conversation.objects.filter(pk=conversation.pk).exists()
    lead.refresh_from_db()
    assert (lead.social_account_id, lead.conversation_id) == (None, None)
