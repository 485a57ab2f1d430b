"""``/leads/{orgId}/campaigns…`` and ``/leads/{orgId}/custom-fields…``."""

import pytest

from conftest import client_for
from leads.models import Campaign, CustomField, Lead
from leads.tests.factories import CampaignFactory, CustomFieldFactory, LeadFactory
from tests.support.api import (
    TIMESTAMP,
    error,
    leads_url,
    problems,
)
from vchata.accounts.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

SUMMER = {
    "name": "Summer Sale 2024",
    "utmCampaign": "summer_sale_2024",
    "budget": 5000,
    "startsAt": "2024-06-01T00:00:00Z",
    "endsAt": "2024-08-31T23:59:59Z",
}


# --- campaigns ----------------------------------------------------------------------


def test_create_campaign_answers_it(api, org):
    response = api.post(leads_url(org, "campaigns"), SUMMER, format="json")

    assert response.status_code == 201
    payload = response.json()
    assert payload["message"] == "Campaign created successfully"
    campaign = payload["campaign"]
    assert campaign | SUMMER == campaign
    assert campaign["id"].startswith("campaign_")
    assert TIMESTAMP.match(campaign["createdAt"])


def test_create_campaign_with_only_the_required_fields(api, org):
    response = api.post(leads_url(org, "campaigns"), {"name": "Always on", "utmCampaign": "evergreen"}, format="json")

    campaign = response.json()["campaign"]
    assert (campaign["budget"], campaign["startsAt"], campaign["endsAt"]) == (None, None, None)


def test_a_taken_utm_campaign_is_a_conflict(api, org):
    CampaignFactory(organization=org, utm_campaign="summer_sale_2024")

    response = api.post(leads_url(org, "campaigns"), SUMMER, format="json")

    assert response.status_code == 409
    assert error(response) == "A campaign with this utmCampaign already exists"
    assert Campaign.objects.count() == 1


def test_the_same_utm_campaign_in_another_organization_is_fine(api, org, other_org):
    CampaignFactory(organization=other_org, utm_campaign="summer_sale_2024")

    response = api.post(leads_url(org, "campaigns"), SUMMER, format="json")

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": None}, "name may not be null"),
        ({"utmCampaign": ""}, "utmCampaign may not be empty"),
        ({"name": "n" * 201}, "name must be at most 200 characters long"),
        ({"budget": -1}, "budget must be greater than or equal to 0"),
        ({"budget": "lots"}, "budget must be a number"),
        ({"startsAt": "June"}, "startsAt must be an ISO 8601 date-time"),
        ({"endsAt": "2024-05-01T00:00:00Z"}, "endsAt must not be before startsAt"),
        ({"owner": "me"}, "owner is not an allowed field"),
    ],
)
def test_create_campaign_refuses_bad_input(api, org, change, message):
    response = api.post(leads_url(org, "campaigns"), {**SUMMER, **change}, format="json")

    assert problems(response) == [message]
    assert not Campaign.objects.exists()


def test_campaigns_are_listed_by_name_with_pagination(api, org, other_org):
    CampaignFactory(organization=org, name="Beta")
    CampaignFactory(organization=org, name="Alpha")
    CampaignFactory(organization=other_org, name="Foreign")

    payload = api.get(leads_url(org, "campaigns")).json()

    assert [c["name"] for c in payload["campaigns"]] == ["Alpha", "Beta"]
    assert payload["pagination"] == {"total": 2, "page": 1, "limit": 20, "hasMore": False}


def test_get_a_campaign(api, org):
    campaign = CampaignFactory(organization=org)

    response = api.get(leads_url(org, "campaigns", campaign.pk))

    assert response.json()["campaign"]["id"] == campaign.pk
    assert response.json()["message"] == "Campaign retrieved successfully"


def test_update_a_campaign_checks_dates_against_the_stored_ones(api, org):
    created = api.post(leads_url(org, "campaigns"), SUMMER, format="json").json()["campaign"]

    response = api.patch(leads_url(org, "campaigns", created["id"]), {"endsAt": "2024-01-01T00:00:00Z"}, format="json")

    assert problems(response) == ["endsAt must not be before startsAt"]


def test_update_a_campaign(api, org):
    campaign = CampaignFactory(organization=org)

    response = api.patch(leads_url(org, "campaigns", campaign.pk), {"budget": 12.5, "name": "Renamed"}, format="json")

    assert response.status_code == 200
    assert (response.json()["campaign"]["budget"], response.json()["campaign"]["name"]) == (12.5, "Renamed")


def test_update_to_a_taken_utm_campaign_is_a_conflict(api, org):
    CampaignFactory(organization=org, utm_campaign="taken")
    campaign = CampaignFactory(organization=org)

    response = api.patch(leads_url(org, "campaigns", campaign.pk), {"utmCampaign": "taken"}, format="json")

    assert response.status_code == 409


def test_delete_a_campaign_unlinks_its_leads(api, org):
    campaign = CampaignFactory(organization=org)
    lead = LeadFactory(organization=org, campaign=campaign)

    response = api.delete(leads_url(org, "campaigns", campaign.pk))

    assert response.json() == {"success": True, "message": "Campaign deleted successfully"}
    assert Lead.objects.get(pk=lead.pk).campaign_id is None


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_organizations_campaign_is_not_found(api, org, other_org, method):
    foreign = CampaignFactory(organization=other_org)

    response = getattr(api, method)(leads_url(org, "campaigns", foreign.pk), {"name": "Mine"}, format="json")

    assert response.status_code == 404
    assert error(response) == "Campaign not found or you don't have access"
    assert Campaign.objects.get(pk=foreign.pk).name == foreign.name


# --- custom fields ------------------------------------------------------------------


def test_create_a_select_field(api, org):
    body = {"key": "budget_band", "label": "Budget band", "type": "SELECT", "options": ["S", "M"], "required": True}

    response = api.post(leads_url(org, "custom-fields"), body, format="json")

    assert response.status_code == 201
    payload = response.json()
    assert payload["message"] == "Custom field created successfully"
    assert payload["customField"] | body == payload["customField"]
    assert payload["customField"]["id"].startswith("field_")


def test_a_taken_key_is_a_conflict(api, org):
    CustomFieldFactory(organization=org, key="seats")

    response = api.post(
        leads_url(org, "custom-fields"), {"key": "seats", "label": "Seats", "type": "NUMBER"}, format="json"
    )

    assert response.status_code == 409
    assert error(response) == "A custom field with this key already exists"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"key": "Seats", "label": "S", "type": "NUMBER"},
            "key must be snake_case: a lowercase letter, then lowercase letters, digits or _",
        ),
        (
            {"key": "1st", "label": "S", "type": "NUMBER"},
            "key must be snake_case: a lowercase letter, then lowercase letters, digits or _",
        ),
        ({"key": "k" * 61, "label": "S", "type": "NUMBER"}, "key must be at most 60 characters long"),
        ({"key": "seats", "label": "S", "type": "MONEY"}, 'type must be one of the allowed values, not "MONEY"'),
        ({"key": "band", "label": "B", "type": "SELECT"}, "options must list at least one value for a SELECT field"),
        (
            {"key": "seats", "label": "S", "type": "NUMBER", "options": ["1"]},
            "options are only allowed on a SELECT field",
        ),
        ({"key": "seats", "label": "S", "type": "NUMBER", "required": "yes please"}, "required must be a boolean"),
        ({"key": "seats", "type": "NUMBER"}, "label is required"),
    ],
)
def test_create_field_refuses_bad_input(api, org, body, message):
    response = api.post(leads_url(org, "custom-fields"), body, format="json")

    assert problems(response) == [message]
    assert not CustomField.objects.exists()


def test_fields_are_listed_by_label(api, org, other_org):
    CustomFieldFactory(organization=org, label="Zeta")
    CustomFieldFactory(organization=org, label="Alpha")
    CustomFieldFactory(organization=other_org, label="Foreign")

    payload = api.get(leads_url(org, "custom-fields")).json()

    assert [f["label"] for f in payload["customFields"]] == ["Alpha", "Zeta"]
    assert payload["pagination"]["total"] == 2


def test_update_a_field_label_options_and_required(api, org):
    field = CustomFieldFactory(organization=org, key="band", type="SELECT", options=["S"])

    response = api.patch(
        leads_url(org, "custom-fields", field.pk),
        {"label": "Band", "options": ["S", "M"], "required": True},
        format="json",
    )

    body = response.json()["customField"]
    assert (body["label"], body["options"], body["required"]) == ("Band", ["S", "M"], True)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"key": "other"}, "key is not an allowed field"),
        ({"type": "TEXT"}, "type is not an allowed field"),
        ({}, "At least one field to change is required"),
    ],
)
def test_update_a_field_refuses_key_and_type_changes(api, org, body, message):
    field = CustomFieldFactory(organization=org)

    response = api.patch(leads_url(org, "custom-fields", field.pk), body, format="json")

    assert problems(response) == [message]


def test_update_refuses_emptying_a_select_fields_options(api, org):
    field = CustomFieldFactory(organization=org, key="band", type="SELECT", options=["S"])

    response = api.patch(leads_url(org, "custom-fields", field.pk), {"options": []}, format="json")

    assert problems(response) == ["options must list at least one value for a SELECT field"]
    assert CustomField.objects.get(pk=field.pk).options == ["S"]


def test_delete_a_field_removes_its_key_from_the_leads(api, org):
    seats = CustomFieldFactory(organization=org, key="seats", type="NUMBER")
    CustomFieldFactory(organization=org, key="plan", type="TEXT")
    lead = LeadFactory(organization=org, custom_fields={"seats": 4, "plan": "pro"})

    response = api.delete(leads_url(org, "custom-fields", seats.pk))

    assert response.json() == {"success": True, "message": "Custom field deleted successfully"}
    assert Lead.objects.get(pk=lead.pk).custom_fields == {"plan": "pro"}
    assert not CustomField.objects.filter(pk=seats.pk).exists()


def test_another_organizations_field_is_not_found(api, org, other_org):
    foreign = CustomFieldFactory(organization=other_org)

    patched = api.patch(leads_url(org, "custom-fields", foreign.pk), {"label": "Mine"}, format="json")
    deleted = api.delete(leads_url(org, "custom-fields", foreign.pk))

    assert (patched.status_code, deleted.status_code) == (404, 404)
    assert error(deleted) == "Custom field not found or you don't have access"
    assert CustomField.objects.get(pk=foreign.pk).label == foreign.label


def test_campaign_and_field_routes_refuse_a_member_of_another_organization(org):
    campaign = CampaignFactory(organization=org)
    field = CustomFieldFactory(organization=org)
    client = client_for(OrganizationFactory().memberships.get().user)

    responses = [
        client.get(leads_url(org, "campaigns")),
        client.post(leads_url(org, "campaigns"), SUMMER, format="json"),
        client.get(leads_url(org, "campaigns", campaign.pk)),
        client.patch(leads_url(org, "campaigns", campaign.pk), {"name": "x"}, format="json"),
        client.delete(leads_url(org, "campaigns", campaign.pk)),
        client.get(leads_url(org, "custom-fields")),
        client.post(leads_url(org, "custom-fields"), {"key": "k", "label": "K", "type": "TEXT"}, format="json"),
        client.patch(leads_url(org, "custom-fields", field.pk), {"label": "x"}, format="json"),
        client.delete(leads_url(org, "custom-fields", field.pk)),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    assert Campaign.objects.count() == 1 and CustomField.objects.count() == 1
