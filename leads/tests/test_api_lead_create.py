"""POST /leads/{orgId} and /leads/{orgId}/with-contact."""

from decimal import Decimal

import pytest

from leads.models import Activity, Contact, CustomField, Lead, StageVisit
from leads.tests.factories import (
    CampaignFactory,
    ContactFactory,
    ContentPostFactory,
    CustomFieldFactory,
    LeadFactory,
    SocialAccountFactory,
)
from pipelines.services import create_pipeline
from tests.support.api import (
    LEAD_KEYS,
    TIMESTAMP,
    error,
    leads_url,
    problems,
)
from vchata.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

pytestmark = pytest.mark.django_db


def test_create_answers_the_documented_lead_in_the_first_stage(api, org, pipeline, stages):
    contact = ContactFactory(organization=org)
    body = {
        "contactId": contact.pk,
        "pipelineId": pipeline.pk,
        "source": "website",
        "value": 1000,
        "notes": "Interested in premium package",
        "utmSource": "google",
        "utmMedium": "cpc",
        "utmCampaign": "premium_ads",
    }

    response = api.post(leads_url(org), body, format="json")

    assert response.status_code == 201
    payload = response.json()
    assert payload["success"] is True
    assert payload["message"] == "Lead created successfully"
    lead = payload["lead"]
    assert set(lead) == LEAD_KEYS
    assert lead["id"].startswith("lead_")
    assert lead | body == lead
    assert lead["value"] == 1000 and isinstance(lead["value"], int)
    assert lead["stageId"] == stages[0].pk
    assert lead["status"] == "NEW"
    assert lead["converted"] is False and lead["convertedAt"] is None
    assert TIMESTAMP.match(lead["createdAt"])


def test_create_answers_a_fractional_value_as_a_json_number(api, org, pipeline):
    contact = ContactFactory(organization=org)

    response = api.post(
        leads_url(org), {"contactId": contact.pk, "pipelineId": pipeline.pk, "value": 12.5}, format="json"
    )

    assert response.json()["lead"]["value"] == 12.5
    assert Lead.objects.get().value == Decimal("12.50")


def test_create_in_a_stage_with_a_status_takes_that_status(api, org, pipeline, stages):
    contact = ContactFactory(organization=org)

    response = api.post(
        leads_url(org), {"contactId": contact.pk, "pipelineId": pipeline.pk, "stageId": stages[3].pk}, format="json"
    )

    lead = response.json()["lead"]
    assert (lead["stageId"], lead["status"], lead["converted"]) == (stages[3].pk, "CONVERTED", True)
    assert TIMESTAMP.match(lead["convertedAt"])


def test_create_writes_the_created_activity_and_opens_a_stage_visit(api, org, pipeline, stages, user):
    contact = ContactFactory(organization=org)

    lead_id = api.post(leads_url(org), {"contactId": contact.pk, "pipelineId": pipeline.pk}, format="json").json()[
        "lead"
    ]["id"]

    assert list(Activity.objects.filter(lead_id=lead_id).values_list("type", "actor")) == [("CREATED", user.pk)]
    visit = StageVisit.objects.get(lead_id=lead_id)
    assert (visit.stage_id, visit.left_at) == (stages[0].pk, None)


def test_create_a_second_lead_for_the_same_contact_and_pipeline_is_a_conflict(api, org, pipeline):
    lead = LeadFactory(organization=org)

    response = api.post(leads_url(org), {"contactId": lead.contact_id, "pipelineId": pipeline.pk}, format="json")

    assert response.status_code == 409
    assert error(response) == "Lead already exists for this contact and pipeline"
    assert response.json()["error"] == "Conflict"
    assert Lead.objects.count() == 1


def test_create_the_same_contact_in_another_pipeline_is_allowed(api, org):
    lead = LeadFactory(organization=org)
    other = create_pipeline(org=org, name="Partners")

    response = api.post(leads_url(org), {"contactId": lead.contact_id, "pipelineId": other.pk}, format="json")

    assert response.status_code == 201


def test_create_requires_contact_and_pipeline(api, org):
    response = api.post(leads_url(org), {}, format="json")

    assert response.status_code == 400
    assert sorted(problems(response)) == ["contactId is required", "pipelineId is required"]


def test_create_refuses_a_stage_of_another_pipeline(api, org, pipeline):
    contact = ContactFactory(organization=org)
    other_stage = create_pipeline(org=org, name="Partners").stages.first()

    response = api.post(
        leads_url(org), {"contactId": contact.pk, "pipelineId": pipeline.pk, "stageId": other_stage.pk}, format="json"
    )

    assert response.status_code == 400
    assert problems(response) == ["stageId must be a stage of the lead's pipeline"]
    assert not Lead.objects.exists()


def _foreign_ids(other_org) -> dict[str, str]:
    account = SocialAccountFactory(organization=other_org)
    return {
        "contactId": ContactFactory(organization=other_org).pk,
        "pipelineId": other_org.pipeline_set.get().pk,
        "stageId": other_org.pipeline_set.get().stages.first().pk,
        "assignedToId": other_org.memberships.get().user_id,
        "campaignId": CampaignFactory(organization=other_org).pk,
        "socialAccountId": account.pk,
        "contentPostId": ContentPostFactory(social_account=account).pk,
    }


@pytest.mark.parametrize(
    ("field", "noun"),
    [
        ("contactId", "contact"),
        ("pipelineId", "pipeline"),
        ("stageId", "stage"),
        ("assignedToId", "user"),
        ("campaignId", "campaign"),
        ("socialAccountId", "social account"),
        ("contentPostId", "content post"),
    ],
)
def test_create_refuses_an_id_of_another_organization(api, org, pipeline, other_org, field, noun):
    body = {"contactId": ContactFactory(organization=org).pk, "pipelineId": pipeline.pk}
    body[field] = _foreign_ids(other_org)[field]

    response = api.post(leads_url(org), body, format="json")

    assert response.status_code == 400
    assert problems(response) == [f"{field} does not match any {noun} in this organization"]
    assert not Lead.objects.filter(organization=org).exists()


def test_create_refuses_an_assignee_who_is_not_a_member(api, org, pipeline):
    body = {
        "contactId": ContactFactory(organization=org).pk,
        "pipelineId": pipeline.pk,
        "assignedToId": UserFactory().pk,
    }

    response = api.post(leads_url(org), body, format="json")

    assert problems(response) == ["assignedToId does not match any user in this organization"]


def test_create_refuses_a_post_of_another_social_account(api, org, pipeline):
    body = {
        "contactId": ContactFactory(organization=org).pk,
        "pipelineId": pipeline.pk,
        "socialAccountId": SocialAccountFactory(organization=org).pk,
        "contentPostId": ContentPostFactory(social_account=SocialAccountFactory(organization=org)).pk,
    }

    response = api.post(leads_url(org), body, format="json")

    assert problems(response) == ["contentPostId must be a post of the lead's social account"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("value", -1, "value must be greater than or equal to 0"),
        ("value", "abc", "value must be a number"),
        ("value", "1000", "value must be a number"),
        ("value", True, "value must be a number"),
        ("value", 1.234, "value must have at most 2 decimal places"),
        ("value", 10**11, "value must be less than or equal to 9999999999.99"),
        ("source", "s" * 101, "source must be at most 100 characters long"),
        ("notes", "n" * 5001, "notes must be at most 5000 characters long"),
        ("utmSource", "u" * 201, "utmSource must be at most 200 characters long"),
        ("utmCampaign", ["a"], "utmCampaign must be a string"),
        ("customFields", [1, 2], "customFields must be an object"),
        ("customFields", "text", "customFields must be an object"),
        ("contactId", 12, "contactId does not match any contact in this organization"),
        ("stageId", "", "stageId may not be empty"),
        ("pipelineId", "p" * 65, "pipelineId must be at most 64 characters long"),
        ("nickname", "Bob", "nickname is not an allowed field"),
    ],
)
def test_create_refuses_bad_input_and_changes_nothing(api, org, pipeline, field, value, message):
    body = {"contactId": ContactFactory(organization=org).pk, "pipelineId": pipeline.pk, field: value}

    response = api.post(leads_url(org), body, format="json")

    assert response.status_code == 400
    assert problems(response) == [message]
    assert not Lead.objects.exists()


def test_create_refuses_a_body_that_is_not_an_object(api, org):
    response = api.post(leads_url(org), [{"contactId": "x"}], format="json")

    assert response.status_code == 400
    assert problems(response) == ["The request body must be a JSON object"]


def test_create_refuses_malformed_json(api, org):
    response = api.post(leads_url(org), "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["success"] is False


def test_create_stores_custom_fields_that_match_the_definitions(api, org, pipeline):
    CustomFieldFactory(organization=org, key="budget_band", type=CustomField.Type.SELECT, options=["S", "M", "L"])
    body = {"contactId": ContactFactory(organization=org).pk, "pipelineId": pipeline.pk}

    response = api.post(leads_url(org), {**body, "customFields": {"budget_band": "M"}}, format="json")

    assert response.json()["lead"]["customFields"] == {"budget_band": "M"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"seats": "ten"}, "customFields.seats must be a number"),
        ({"unknown": 1, "seats": 3}, "customFields.unknown is not a custom field of this organization"),
        ({}, "customFields.seats is required"),
    ],
)
def test_create_refuses_custom_fields_that_break_the_definitions(api, org, pipeline, values, message):
    CustomFieldFactory(organization=org, key="seats", type=CustomField.Type.NUMBER, required=True)
    body = {"contactId": ContactFactory(organization=org).pk, "pipelineId": pipeline.pk, "customFields": values}

    response = api.post(leads_url(org), body, format="json")

    assert response.status_code == 400
    assert problems(response) == [message]
    assert not Lead.objects.exists()


def test_with_contact_creates_the_contact_and_the_lead(api, org, pipeline):
    contact = {"name": "John Doe", "email": "john@example.com", "phone": "+1234567890", "company": "Acme Corp"}
    body = {"contact": contact, "pipelineId": pipeline.pk, "source": "website", "value": 1000}

    response = api.post(leads_url(org, "with-contact"), body, format="json")

    assert response.status_code == 201
    payload = response.json()
    assert payload["message"] == "Lead and contact created successfully"
    assert payload["contact"] | contact == payload["contact"]
    assert set(payload["contact"]) == {"id", "name", "email", "phone", "company", "createdAt"}
    assert payload["lead"]["contactId"] == payload["contact"]["id"]
    assert (payload["lead"]["value"], payload["lead"]["status"]) == (1000, "NEW")


def test_with_contact_reuses_the_contact_with_the_same_email_in_any_case(api, org, pipeline):
    existing = ContactFactory(organization=org, email="jane@example.com")

    response = api.post(
        leads_url(org, "with-contact"),
        {"contact": {"name": "Jane", "email": "JANE@Example.com"}, "pipelineId": pipeline.pk},
        format="json",
    )

    assert response.json()["contact"]["id"] == existing.pk
    assert Contact.objects.filter(organization=org).count() == 1


def test_with_contact_answers_missing_optional_contact_fields_as_null(api, org, pipeline):
    response = api.post(
        leads_url(org, "with-contact"), {"contact": {"name": "Walk-in"}, "pipelineId": pipeline.pk}, format="json"
    )

    contact = response.json()["contact"]
    assert (contact["email"], contact["phone"], contact["company"]) == (None, None, None)


@pytest.mark.parametrize(
    ("contact", "message"),
    [
        ({}, "contact.name is required"),
        ({"name": "A", "email": "not-an-email"}, "contact.email must be a valid email address"),
        ({"name": "A", "nickname": "B"}, "contact.nickname is not an allowed field"),
        ({"name": "n" * 201}, "contact.name must be at most 200 characters long"),
        ("John", "contact must be an object"),
    ],
)
def test_with_contact_refuses_a_bad_contact(api, org, pipeline, contact, message):
    response = api.post(leads_url(org, "with-contact"), {"contact": contact, "pipelineId": pipeline.pk}, format="json")

    assert response.status_code == 400
    assert problems(response) == [message]
    assert not Contact.objects.exists()


def test_with_contact_refuses_contact_id(api, org, pipeline):
    body = {"contact": {"name": "A"}, "contactId": ContactFactory(organization=org).pk, "pipelineId": pipeline.pk}

    response = api.post(leads_url(org, "with-contact"), body, format="json")

    assert problems(response) == ["contactId is not an allowed field"]


def test_with_contact_for_a_contact_already_in_the_pipeline_is_a_conflict(api, org, pipeline):
    lead = LeadFactory(organization=org)

    response = api.post(
        leads_url(org, "with-contact"),
        {"contact": {"name": "Again", "email": lead.contact.email}, "pipelineId": pipeline.pk},
        format="json",
    )

    assert response.status_code == 409
    assert error(response) == "Lead already exists for this contact and pipeline"
