"""The leads routes of API.md: create, with-contact, detail, update, delete, activities, history, move, convert."""

from decimal import Decimal

import pytest

from conftest import client_for
from leads.models import Activity, Contact, CustomField, Lead, StageVisit
from leads.tests.api_support import (
    TIMESTAMP,
    error,
    leads_url,
    problems,
)
from leads.tests.factories import (
    CampaignFactory,
    ContactFactory,
    ContentPostFactory,
    ConversationFactory,
    CustomFieldFactory,
    LeadFactory,
    SocialAccountFactory,
)
from pipelines.services import create_pipeline
from vchata.accounts.tests.factories import OrganizationFactory, UserFactory, add_membership

pytestmark = pytest.mark.django_db

LEAD_KEYS = {
    "id",
    "contactId",
    "pipelineId",
    "stageId",
    "source",
    "value",
    "status",
    "assignedToId",
    "notes",
    "utmSource",
    "utmMedium",
    "utmCampaign",
    "utmTerm",
    "utmContent",
    "campaignId",
    "socialAccountId",
    "contentPostId",
    "conversationId",
    "converted",
    "convertedAt",
    "customFields",
    "lastActivityAt",
    "createdAt",
    "updatedAt",
}


# --- create -------------------------------------------------------------------


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


# --- with-contact -----------------------------------------------------------------


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


# --- detail -------------------------------------------------------------------------


def test_detail_answers_the_documented_lead(api, org, stages):
    lead = LeadFactory(organization=org, stage=stages[1], notes="Interested", utm_source="google")

    response = api.get(leads_url(org, lead.pk))

    assert response.status_code == 200
    payload = response.json()
    assert payload["message"] == "Lead retrieved successfully"
    body = payload["lead"]
    assert set(body) == LEAD_KEYS | {"contact", "pipeline", "stage", "socialAccount", "contentPost", "activities"}
    assert body["stage"] == {"id": stages[1].pk, "name": "Qualified", "order": 2}
    assert body["pipeline"] == {"id": lead.pipeline_id, "name": "Sales Pipeline"}
    assert body["contact"]["id"] == lead.contact_id
    assert (body["status"], body["notes"], body["utmSource"]) == ("QUALIFIED", "Interested", "google")
    assert (body["converted"], body["convertedAt"]) == (False, None)
    assert body["activities"][0]["type"] == "CREATED"
    assert set(body["activities"][0]) == {"id", "leadId", "type", "description", "metadata", "actorId", "createdAt"}


def test_detail_lists_activities_newest_first(api, org, user):
    from leads.services import add_activity

    lead = LeadFactory(organization=org)
    add_activity(org=org, actor=user, lead_id=lead.pk, type="CALL", description="first")
    add_activity(org=org, actor=user, lead_id=lead.pk, type="NOTE", description="second")

    activities = api.get(leads_url(org, lead.pk)).json()["lead"]["activities"]

    assert [a["description"] for a in activities] == ["second", "first", "Lead created"]


def test_detail_of_another_organizations_lead_is_not_found(api, org, other_org):
    foreign = LeadFactory(organization=other_org)

    response = api.get(leads_url(org, foreign.pk))

    assert response.status_code == 404
    assert error(response) == "Lead not found or you don't have access"


@pytest.mark.parametrize("lead_id", ["lead_123", "lead_" + "0" * 25 + "!", "stats2", "LEAD_" + "0" * 26])
def test_detail_with_a_malformed_id_is_a_404_envelope(api, org, lead_id):
    response = api.get(leads_url(org, lead_id))

    assert response.status_code == 404
    assert response.json()["success"] is False


# --- update -------------------------------------------------------------------------


def test_update_changes_the_sent_fields_and_answers_the_whole_lead(api, org, user):
    lead = LeadFactory(organization=org)
    rep = add_membership(org)

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
    assert {a["type"] for a in body["activities"][:2]} == {"STATUS_CHANGED", "ASSIGNED"}


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


# --- delete -------------------------------------------------------------------------


def test_delete_removes_the_lead_and_its_history_but_keeps_the_contact(api, org):
    lead = LeadFactory(organization=org)

    response = api.delete(leads_url(org, lead.pk))

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Lead deleted successfully"}
    assert not Lead.objects.exists()
    assert not Activity.objects.exists() and not StageVisit.objects.exists()
    assert Contact.objects.filter(pk=lead.contact_id).exists()


def test_delete_twice_is_not_found(api, org):
    lead = LeadFactory(organization=org)
    api.delete(leads_url(org, lead.pk))

    response = api.delete(leads_url(org, lead.pk))

    assert response.status_code == 404


def test_delete_of_another_organizations_lead_is_not_found_and_keeps_it(api, org, other_org):
    foreign = LeadFactory(organization=other_org)

    response = api.delete(leads_url(org, foreign.pk))

    assert response.status_code == 404
    assert Lead.objects.filter(pk=foreign.pk).exists()


# --- activities ---------------------------------------------------------------------


def test_add_activity_answers_the_documented_activity(api, org, user):
    lead = LeadFactory(organization=org)
    metadata = {"emailSubject": "Re: Your inquiry about our services", "emailId": "email_789"}

    response = api.post(
        leads_url(org, lead.pk, "activities"),
        {"type": "EMAIL_SENT", "description": "Follow-up email sent regarding pricing", "metadata": metadata},
        format="json",
    )

    assert response.status_code == 201
    payload = response.json()
    assert payload["message"] == "Activity added successfully"
    activity = payload["activity"]
    assert activity["id"].startswith("activity_")
    assert (activity["leadId"], activity["type"], activity["metadata"], activity["actorId"]) == (
        lead.pk,
        "EMAIL_SENT",
        metadata,
        user.pk,
    )
    assert TIMESTAMP.match(activity["createdAt"])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "type is required"),
        ({"type": "CREATED"}, 'type must be one of the allowed values, not "CREATED"'),
        ({"type": "STAGE_CHANGED"}, 'type must be one of the allowed values, not "STAGE_CHANGED"'),
        ({"type": "FAX"}, 'type must be one of the allowed values, not "FAX"'),
        ({"type": "NOTE", "metadata": ["a"]}, "metadata must be an object"),
        ({"type": "NOTE", "metadata": "a"}, "metadata must be an object"),
        ({"type": "NOTE", "metadata": {"k": "v" * 10_000}}, "metadata must be at most 10000 characters long as JSON"),
        ({"type": "NOTE", "description": "d" * 5001}, "description must be at most 5000 characters long"),
        ({"type": "NOTE", "leadId": "lead_x"}, "leadId is not an allowed field"),
    ],
)
def test_add_activity_refuses_bad_input_and_logs_nothing(api, org, body, message):
    lead = LeadFactory(organization=org)

    response = api.post(leads_url(org, lead.pk, "activities"), body, format="json")

    assert response.status_code == 400
    assert problems(response) == [message]
    assert Activity.objects.filter(lead=lead).count() == 1  # CREATED only


def test_activities_are_listed_newest_first_with_pagination(api, org, user):
    from leads.services import add_activity

    lead = LeadFactory(organization=org)
    for n in range(3):
        add_activity(org=org, actor=user, lead_id=lead.pk, type="NOTE", description=f"note {n}")

    response = api.get(leads_url(org, lead.pk, "activities") + "?limit=2&page=1")

    payload = response.json()
    assert [a["description"] for a in payload["activities"]] == ["note 2", "note 1"]
    assert payload["pagination"] == {"total": 4, "page": 1, "limit": 2, "hasMore": True}
    assert payload["message"] == "Activities retrieved successfully"


def test_add_activity_to_another_organizations_lead_is_not_found(api, org, other_org):
    foreign = LeadFactory(organization=other_org)

    response = api.post(leads_url(org, foreign.pk, "activities"), {"type": "NOTE"}, format="json")

    assert response.status_code == 404
    assert Activity.objects.filter(lead=foreign).count() == 1


# --- move-stage and history -----------------------------------------------------------


def test_move_stage_answers_the_documented_shape_and_applies_the_stage_status(api, org, stages):
    lead = LeadFactory(organization=org)

    response = api.post(
        leads_url(org, lead.pk, "move-stage"),
        {"stageId": stages[1].pk, "notes": "Lead moved to qualified stage after initial contact"},
        format="json",
    )

    assert response.status_code == 200
    payload = response.json()
    assert payload["message"] == "Lead moved to new stage successfully"
    assert set(payload["lead"]) == {"id", "stageId", "status", "updatedAt"}
    assert (payload["lead"]["id"], payload["lead"]["stageId"], payload["lead"]["status"]) == (
        lead.pk,
        stages[1].pk,
        "QUALIFIED",
    )
    moved = Activity.objects.get(lead=lead, type="STAGE_CHANGED")
    assert moved.metadata["notes"] == "Lead moved to qualified stage after initial contact"


def test_move_to_the_converted_stage_and_out_again_sets_then_clears_converted(api, org, stages):
    lead = LeadFactory(organization=org)

    api.post(leads_url(org, lead.pk, "move-stage"), {"stageId": stages[3].pk}, format="json")
    converted = api.get(leads_url(org, lead.pk)).json()["lead"]
    api.post(leads_url(org, lead.pk, "move-stage"), {"stageId": stages[2].pk}, format="json")
    reopened = api.get(leads_url(org, lead.pk)).json()["lead"]

    assert (converted["converted"], converted["status"]) == (True, "CONVERTED")
    assert (reopened["converted"], reopened["convertedAt"], reopened["status"]) == (False, None, "CONTACTED")


def test_history_lists_stage_visits_oldest_first_with_the_current_one_open(api, org, stages):
    lead = LeadFactory(organization=org)
    api.post(leads_url(org, lead.pk, "move-stage"), {"stageId": stages[1].pk}, format="json")
    api.post(leads_url(org, lead.pk, "move-stage"), {"stageId": stages[2].pk}, format="json")

    response = api.get(leads_url(org, lead.pk, "history"))

    history = response.json()["history"]
    assert [(v["stageName"], v["leftAt"] is None) for v in history] == [
        ("New", False),
        ("Qualified", False),
        ("Contacted", True),
    ]
    assert set(history[0]) == {"stageId", "stageName", "enteredAt", "leftAt", "days"}
    assert history[0]["days"] == 0.0


def test_history_counts_days_from_the_stage_visits(api, org):
    from datetime import timedelta

    from django.utils import timezone

    lead = LeadFactory(organization=org)
    StageVisit.objects.filter(lead=lead).update(entered_at=timezone.now() - timedelta(days=3, hours=12))

    history = api.get(leads_url(org, lead.pk, "history")).json()["history"]

    assert history[0]["days"] == 3.5


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "stageId is required"),
        ({"stageId": "stage_" + "0" * 26}, "stageId must be a stage of the lead's pipeline"),
        ({"stageId": 5}, "stageId must be a stage of the lead's pipeline"),
        ({"stageId": None}, "stageId may not be null"),
        ({"stageId": "s", "note": "typo"}, "note is not an allowed field"),
    ],
)
def test_move_stage_refuses_bad_input_and_keeps_the_stage(api, org, stages, body, message):
    lead = LeadFactory(organization=org)

    response = api.post(leads_url(org, lead.pk, "move-stage"), body, format="json")

    assert response.status_code == 400
    assert problems(response) == [message]
    assert Lead.objects.get(pk=lead.pk).stage_id == stages[0].pk


def test_move_to_a_stage_of_another_pipeline_is_refused(api, org, stages):
    lead = LeadFactory(organization=org)
    other_stage = create_pipeline(org=org, name="Partners").stages.last()

    response = api.post(leads_url(org, lead.pk, "move-stage"), {"stageId": other_stage.pk}, format="json")

    assert problems(response) == ["stageId must be a stage of the lead's pipeline"]


def test_move_to_a_stage_of_another_organization_is_refused(api, org, other_org, stages):
    lead = LeadFactory(organization=org)
    foreign_stage = other_org.pipeline_set.get().stages.last()

    response = api.post(leads_url(org, lead.pk, "move-stage"), {"stageId": foreign_stage.pk}, format="json")

    assert response.status_code == 400
    assert Lead.objects.get(pk=lead.pk).stage_id == stages[0].pk


# --- convert-conversation -------------------------------------------------------------


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


# --- authentication and membership ---------------------------------------------------


def _routes(org, lead_id: str) -> list[tuple[str, str]]:
    return [
        ("get", leads_url(org)),
        ("post", leads_url(org)),
        ("post", leads_url(org, "with-contact")),
        ("post", leads_url(org, "convert-conversation")),
        ("get", leads_url(org, lead_id)),
        ("patch", leads_url(org, lead_id)),
        ("delete", leads_url(org, lead_id)),
        ("get", leads_url(org, lead_id, "activities")),
        ("post", leads_url(org, lead_id, "activities")),
        ("get", leads_url(org, lead_id, "history")),
        ("post", leads_url(org, lead_id, "move-stage")),
    ]


def test_every_route_refuses_a_member_of_another_organization_with_404(org):
    lead = LeadFactory(organization=org)
    outsider = OrganizationFactory().memberships.get().user
    client = client_for(outsider)

    for method, url in _routes(org, lead.pk):
        response = getattr(client, method)(url, {"status": "LOST", "type": "NOTE"}, format="json")
        assert response.status_code == 404, (method, url)
        assert error(response) == "Organization not found or you don't have access"
    assert Lead.objects.get(pk=lead.pk).status == "NEW"
    assert Activity.objects.filter(lead=lead).count() == 1


def test_every_route_requires_a_token(anon, org):
    lead = LeadFactory(organization=org)

    for method, url in _routes(org, lead.pk):
        response = getattr(anon, method)(url, {}, format="json")
        assert response.status_code == 401, (method, url)
        assert response.json()["statusCode"] == 401


def test_a_plain_member_can_work_leads(org, member, pipeline):
    client = client_for(member)

    response = client.post(
        leads_url(org), {"contactId": ContactFactory(organization=org).pk, "pipelineId": pipeline.pk}, format="json"
    )

    assert response.status_code == 201
