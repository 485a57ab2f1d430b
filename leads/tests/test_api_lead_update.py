"""PATCH /leads/{orgId}/{leadId}."""

import pytest

from leads.models import Activity, CustomField, Lead
from leads.tests.factories import (
    CampaignFactory,
    CustomFieldFactory,
    LeadFactory,
)
from tests.support.api import (
    TIMESTAMP,
    leads_url,
    problems,
)
from vchata.accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

pytestmark = pytest.mark.django_db


def test_update_changes_the_sent_fields_and_answers_the_whole_lead(api, org, user):
    lead = LeadFactory(organization=org)
    rep = MembershipFactory(organization=org).user

    response = api.patch(
        leads_url(org, lead.pk),
        {"value": 2000, "status": "CONTACTED", "assignedToId": rep.pk, "notes": "Updated notes after phone call"},
        format="json",
    )

    assert response.status_code == 200
    payload = response.json()
    assert payload["message"] == "Lead updated successfully"
    body = payload["lead"]
    assert (body["value"], body["status"], body["assignedToId"], body["notes"]) == (
        2000,
        "CONTACTED",
        rep.pk,
        "Updated notes after phone call",
    )
    assert body["source"] == "website"  # untouched
    # CONTACTED is the Contacted stage's status, so the lead moved there too.
    assert body["stage"]["name"] == "Contacted"
    assert {a["type"] for a in body["activities"][:3]} == {"STATUS_CHANGED", "STAGE_CHANGED", "ASSIGNED"}


def test_update_to_converted_sets_converted_and_leaving_it_clears_both(api, org):
    lead = LeadFactory(organization=org)

    converted = api.patch(leads_url(org, lead.pk), {"status": "CONVERTED"}, format="json").json()["lead"]
    reopened = api.patch(leads_url(org, lead.pk), {"status": "QUALIFIED"}, format="json").json()["lead"]

    assert converted["converted"] is True and TIMESTAMP.match(converted["convertedAt"])
    assert (reopened["converted"], reopened["convertedAt"]) == (False, None)
    types = list(Activity.objects.filter(lead=lead).values_list("type", flat=True))
    assert types.count("CONVERTED") == 1 and types.count("STATUS_CHANGED") == 2


def test_update_with_null_unassigns_and_clears_the_value(api, org, user):
    lead = LeadFactory(organization=org, assigned_to=user)

    body = api.patch(leads_url(org, lead.pk), {"assignedToId": None, "value": None}, format="json").json()["lead"]

    assert (body["assignedToId"], body["value"]) == (None, None)


def test_update_merges_custom_fields_and_null_removes_a_key(api, org):
    CustomFieldFactory(organization=org, key="seats", type=CustomField.Type.NUMBER)
    CustomFieldFactory(organization=org, key="plan", type=CustomField.Type.TEXT)
    lead = LeadFactory(organization=org, custom_fields={"seats": 3, "plan": "pro"})

    body = api.patch(leads_url(org, lead.pk), {"customFields": {"seats": 5, "plan": None}}, format="json").json()[
        "lead"
    ]

    assert body["customFields"] == {"seats": 5}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": "WON"}, 'status must be one of the allowed values, not "WON"'),
        ({"status": None}, "status may not be null"),
        ({"value": -5}, "value must be greater than or equal to 0"),
        ({"contactId": "contact_x"}, "contactId is not an allowed field"),
        ({"stageId": "stage_x"}, "stageId is not an allowed field"),
        ({"customFields": None}, "customFields may not be null"),
        ({}, "At least one field to change is required"),
    ],
)
def test_update_refuses_bad_input_and_changes_nothing(api, org, body, message):
    lead = LeadFactory(organization=org)
    before = Lead.objects.filter(pk=lead.pk).values().get()

    response = api.patch(leads_url(org, lead.pk), body, format="json")

    assert response.status_code == 400
    assert problems(response) == [message]
    assert Lead.objects.filter(pk=lead.pk).values().get() == before


def test_update_refuses_a_campaign_of_another_organization(api, org, other_org):
    lead = LeadFactory(organization=org)

    response = api.patch(
        leads_url(org, lead.pk), {"campaignId": CampaignFactory(organization=other_org).pk}, format="json"
    )

    assert problems(response) == ["campaignId does not match any campaign in this organization"]


def test_update_of_another_organizations_lead_is_not_found_even_with_a_bad_body(api, org, other_org):
    foreign = LeadFactory(organization=other_org)

    response = api.patch(leads_url(org, foreign.pk), {"status": "WON"}, format="json")

    assert response.status_code == 404
    assert Lead.objects.get(pk=foreign.pk).status == "NEW"
