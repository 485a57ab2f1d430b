"""Every change to a lead's fields is recorded once per action, with its actor and before/after.

Each writer (API with a token or an API key, the lead page, the admin, rules, imports,
convert-conversation, creation) leaves exactly one ``LeadChange`` per action;
``GET /leads/{orgId}/{leadId}/changes`` answers them newest first, paginated.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import client_for
from integrations.apikeys import create_api_key
from leads.importing import plan_import, run_import
from leads.models import LeadChange
from leads.services import add_activity, update_lead
from leads.tests.factories import ConversationFactory, CustomFieldFactory, LeadFactory
from pipelines.automation.models import Rule
from pipelines.automation.tests.factories import RuleFactory
from tests.support.admin import logged_in, superuser
from tests.support.api import error, leads_url
from vchata.accounts.models import Membership, Organization
from vchata.accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def changes_of(lead, **filters) -> list[LeadChange]:
    return list(LeadChange.objects.filter(lead_id=lead.pk, created=False, **filters).order_by("created_at", "id"))


def only_change(lead) -> LeadChange:
    [change] = changes_of(lead)
    return change


# --- every writer: exactly one row, the right actor, before and after ---------------------


def test_patch_of_value_and_status_is_one_row_by_the_user(api, org, user, stages):
    lead = LeadFactory(organization=org, stage=stages[2], value=Decimal("500"))

    api.patch(leads_url(org, lead.pk), {"value": 12500, "status": "CONVERTED"}, format="json")

    change = only_change(lead)
    assert (change.actor_kind, change.actor_user, change.actor_id) == ("USER", user, user.pk)
    assert change.actor_name == user.name
    assert change.changes == {
        "value": [500, 12500],
        "status": ["CONTACTED", "CONVERTED"],
        "stageId": [stages[2].pk, stages[3].pk],
    }


def test_a_patch_that_changes_nothing_records_nothing(api, org):
    lead = LeadFactory(organization=org, source="website")

    api.patch(leads_url(org, lead.pk), {"source": "website"}, format="json")

    assert changes_of(lead) == []


def test_custom_fields_are_recorded_one_key_at_a_time(api, org):
    CustomFieldFactory(organization=org, key="seats", type="NUMBER")
    CustomFieldFactory(organization=org, key="plan", type="TEXT")
    lead = LeadFactory(organization=org, custom_fields={"seats": 3, "plan": "pro"})

    api.patch(leads_url(org, lead.pk), {"customFields": {"seats": 5, "plan": None}}, format="json")

    assert only_change(lead).changes == {"customFields.plan": ["pro", None], "customFields.seats": [3, 5]}


def test_move_stage_is_one_row_with_stage_and_status(api, org, user, stages):
    lead = LeadFactory(organization=org, stage=stages[0])

    api.post(leads_url(org, lead.pk, "move-stage"), {"stageId": stages[1].pk}, format="json")

    assert only_change(lead).changes == {"stageId": [stages[0].pk, stages[1].pk], "status": ["NEW", "QUALIFIED"]}


def test_an_api_key_is_the_recorded_actor(org, user, stages):
    key, secret = create_api_key(org=org, actor=user, name="Zapier", scopes=["leads:write"])
    keyed = APIClient()
    keyed.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    lead = LeadFactory(organization=org)

    response = keyed.patch(leads_url(org, lead.pk), {"notes": "From the form"}, format="json")

    assert response.status_code == 200, response.content
    change = only_change(lead)
    assert (change.actor_kind, change.actor_api_key_id, change.actor_name) == ("API_KEY", key.pk, "Zapier")
    assert change.actor_user is None
    assert change.changes == {"notes": ["", "From the form"]}
    # ... and the key's declaration ends with its request: the next service call is a plain one.
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"notes": "later"})
    assert changes_of(lead)[-1].actor_kind == "USER"


def test_a_lead_created_through_a_key_is_created_by_the_key(org, user, pipeline):
    key, secret = create_api_key(org=org, actor=user, name="Website", scopes=["leads:write"])
    keyed = APIClient()
    keyed.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")

    body = {"contact": {"name": "Ann", "email": "ann@x.test"}, "pipelineId": pipeline.pk, "value": 10}
    lead_id = keyed.post(f"/leads/{org.pk}/with-contact", body, format="json").json()["lead"]["id"]

    [created] = LeadChange.objects.filter(lead_id=lead_id)
    assert (created.created, created.actor_kind, created.actor_api_key_id) == (True, "API_KEY", key.pk)


def test_creation_records_the_initial_values_once(api, org, user, pipeline, stages):
    body = {"contact": {"name": "Ann", "email": "ann@x.test"}, "pipelineId": pipeline.pk, "value": 10}

    lead_id = api.post(f"/leads/{org.pk}/with-contact", body, format="json").json()["lead"]["id"]

    [created] = LeadChange.objects.filter(lead_id=lead_id)
    assert (created.created, created.actor_kind, created.actor_user) == (True, "USER", user)
    assert created.changes["value"] == [None, 10]
    assert created.changes["stageId"] == [None, stages[0].pk]
    assert created.changes["status"] == [None, "NEW"]
    assert "notes" not in created.changes and "utmSource" not in created.changes


def test_the_lead_page_edit_is_one_row(browser, org, user):
    lead = LeadFactory(organization=org, value=Decimal("500"), source="website")

    response = browser.post(
        reverse("lead-edit", kwargs={"org_id": org.pk, "lead_id": lead.pk}), {"value": "12500", "source": "website"}
    )

    assert response.status_code == 302
    change = only_change(lead)
    assert (change.actor_kind, change.changes) == ("USER", {"value": [500, 12500]})


def test_the_lead_page_mark_converted_is_one_row(browser, org, stages):
    lead = LeadFactory(organization=org, stage=stages[2])

    browser.post(reverse("lead-status", kwargs={"org_id": org.pk, "lead_id": lead.pk}), {"status": "CONVERTED"})

    assert set(only_change(lead).changes) == {"status", "stageId"}


def test_an_admin_bulk_action_is_one_row_per_lead(org):
    admin = superuser()
    leads = LeadFactory.create_batch(2, organization=org)

    logged_in(admin).post(
        "/admin/leads/lead/", {"action": "mark_lost", "_selected_action": [lead.pk for lead in leads]}
    )

    for lead in leads:
        change = only_change(lead)
        assert (change.actor_kind, change.actor_user, change.changes["status"]) == ("USER", admin, ["NEW", "LOST"])


def test_a_rule_is_the_recorded_actor_of_its_change(org, user, pipeline):
    rule = RuleFactory(
        pipeline=pipeline,
        trigger=Rule.Trigger.ACTIVITY_ADDED,
        trigger_activity_type="MEETING",
        action=Rule.Action.SET_STATUS,
        action_status="QUALIFIED",
    )
    lead = LeadFactory(organization=org)

    add_activity(org=org, actor=user, lead_id=lead.pk, type="MEETING", description="Demo")

    change = only_change(lead)
    assert (change.actor_kind, change.actor_rule_id, change.actor_name) == ("RULE", rule.pk, rule.name)
    assert change.actor_user is None
    assert change.changes["status"] == ["NEW", "QUALIFIED"]


def test_an_import_is_the_recorded_actor_of_each_creation(org, user, pipeline):
    text = "name,email,value\nCara Dee,cara@x.test,300\nDan Eve,dan@x.test,\n"
    run_import(plan_import(org=org, pipeline=pipeline, text=text), actor=user)

    rows = list(LeadChange.objects.filter(organization=org).order_by("created_at"))
    assert [(row.created, row.actor_kind, row.actor_user) for row in rows] == [(True, "IMPORT", user)] * 2
    assert rows[0].actor_name == f"Import by {user.name}"
    assert rows[0].changes["value"] == [None, 300]


def test_convert_conversation_records_the_creation_by_the_user(api, org, user, pipeline):
    conversation = ConversationFactory(social_account__organization=org)

    response = api.post(
        f"/leads/{org.pk}/convert-conversation",
        {"conversationId": conversation.pk, "pipelineId": pipeline.pk},
        format="json",
    )

    [created] = LeadChange.objects.filter(lead_id=response.json()["lead"]["id"])
    assert (created.created, created.actor_kind, created.changes["source"]) == (True, "USER", [None, "social_media"])


def test_a_web_form_is_named_as_the_creator(org, user):
    from integrations.capture import submit_form
    from integrations.services import create_lead_form

    form = create_lead_form(org=org, actor=user, name="Pricing page")

    lead = submit_form(form=form, data={"name": "Eve", "email": "eve@x.test"})

    [created] = LeadChange.objects.filter(lead=lead)
    assert (created.actor_kind, created.actor_id, created.actor_name) == ("SYSTEM", None, "Web form Pricing page")


def test_a_change_without_anyone_is_the_systems(org):
    lead = LeadFactory(organization=org)

    update_lead(org=org, actor=None, lead_id=lead.pk, changes={"notes": "x"})

    assert (only_change(lead).actor_kind, only_change(lead).actor_id) == ("SYSTEM", None)


def test_deleting_a_lead_deletes_its_changes(api, org):
    lead = LeadFactory(organization=org)
    update_lead(org=org, actor=None, lead_id=lead.pk, changes={"notes": "x"})

    api.delete(leads_url(org, lead.pk))

    assert not LeadChange.objects.filter(lead_id=lead.pk).exists()


# --- GET /leads/{orgId}/{leadId}/changes ----------------------------------------------------


def test_changes_route_answers_newest_first_in_the_documented_shape(api, org, user, stages):
    lead = LeadFactory(organization=org, value=Decimal("500"))
    api.patch(leads_url(org, lead.pk), {"value": 12500}, format="json")
    api.patch(leads_url(org, lead.pk), {"status": "LOST"}, format="json")

    response = api.get(leads_url(org, lead.pk, "changes"))

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["message"] == "Lead changes retrieved successfully"
    assert body["pagination"] == {"total": 3, "page": 1, "limit": 20, "hasMore": False}
    newest, middle, created = body["changes"]
    assert newest["changes"] == {
        "status": {"from": "NEW", "to": "LOST"},
        "stageId": {"from": stages[0].pk, "to": stages[4].pk},
    }
    assert newest["actor"] == {"kind": "USER", "id": user.pk, "name": user.name}
    assert (newest["type"], newest["leadId"], newest["id"][:7]) == ("UPDATED", lead.pk, "change_")
    assert newest["createdAt"].endswith("Z")
    assert middle["changes"] == {"value": {"from": 500, "to": 12500}}
    assert created["type"] == "CREATED"


def test_changes_route_pages(api, org):
    lead = LeadFactory(organization=org)
    for n in range(3):
        update_lead(org=org, actor=None, lead_id=lead.pk, changes={"notes": f"n{n}"})

    body = api.get(leads_url(org, lead.pk, "changes"), {"page": 2, "limit": 2}).json()

    assert body["pagination"] == {"total": 4, "page": 2, "limit": 2, "hasMore": False}
    assert [c["changes"]["notes"]["to"] for c in body["changes"][:1]] == ["n0"]
    assert api.get(leads_url(org, lead.pk, "changes"), {"limit": 0}).status_code == 400


def test_changes_route_costs_the_same_queries_at_any_length(api, org, django_assert_num_queries):
    lead = LeadFactory(organization=org)
    for n in range(15):
        update_lead(org=org, actor=None, lead_id=lead.pk, changes={"notes": f"n{n}"})

    # membership (+org, user), the lead (404 first), COUNT, the page
    with django_assert_num_queries(4):
        response = api.get(leads_url(org, lead.pk, "changes"))
    assert len(response.json()["changes"]) == 16


def test_another_orgs_lead_is_a_404(api, other_org):
    foreign = LeadFactory(organization=other_org)

    response = api.get(leads_url(other_org, foreign.pk, "changes"))
    assert response.status_code == 404


def test_another_orgs_lead_under_my_org_is_a_404(api, org, other_org):
    foreign = LeadFactory(organization=other_org)

    response = api.get(leads_url(org, foreign.pk, "changes"))
    assert response.status_code == 404
    assert error(response) == "Lead not found or you don't have access"


def test_a_member_under_assigned_visibility_sees_only_their_leads_changes(org):
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    rep = MembershipFactory(organization=org, role=Membership.Role.MEMBER).user
    colleague = MembershipFactory(organization=org, role=Membership.Role.MEMBER).user
    mine = LeadFactory(organization=org, assigned_to=rep)
    theirs = LeadFactory(organization=org, assigned_to=colleague)

    assert client_for(rep).get(leads_url(org, mine.pk, "changes")).status_code == 200
    assert client_for(rep).get(leads_url(org, theirs.pk, "changes")).status_code == 404
