"""``/leads/{orgId}/lost-reasons…`` and marking a lead LOST with a reason (by status or by stage)."""

import pytest

from conftest import client_for
from leads.models import Activity, Lead, LostReason
from leads.services import move_lead_to_stage, update_lead
from leads.tests.factories import LeadFactory
from pipelines.automation.tests.factories import RuleFactory
from tests.support.api import error, leads_url, problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def price(org):
    return LostReason.objects.create(organization=org, name="Price", order=0)


@pytest.fixture
def lead(org, user):
    return LeadFactory(organization=org, actor=user)


# --- the list ---------------------------------------------------------------------------


def test_create_a_lost_reason_last_in_the_list(api, org, price):
    response = api.post(leads_url(org, "lost-reasons"), {"name": "  Went with a competitor "}, format="json")

    assert response.status_code == 201
    reason = response.json()["lostReason"]
    assert reason["id"].startswith("reason_")
    assert (reason["name"], reason["isActive"], reason["order"]) == ("Went with a competitor", True, 1)
    listed = api.get(leads_url(org, "lost-reasons")).json()
    assert [r["name"] for r in listed["lostReasons"]] == ["Price", "Went with a competitor"]
    assert listed["pagination"]["total"] == 2


def test_a_taken_name_whatever_the_case_is_a_409(api, org, price):
    response = api.post(leads_url(org, "lost-reasons"), {"name": "PRICE"}, format="json")

    assert response.status_code == 409
    assert error(response) == "A lost reason with this name already exists"


@pytest.mark.parametrize(
    ("body", "problem"),
    [({}, "name is required"), ({"name": "   "}, "name"), ({"name": "x" * 121}, "name"), ({"name": "A", "x": 1}, "x")],
)
def test_a_bad_lost_reason_is_a_400(api, org, body, problem):
    response = api.post(leads_url(org, "lost-reasons"), body, format="json")

    assert any(problem in sentence for sentence in problems(response)), problems(response)


def test_rename_retire_and_delete_an_unused_reason(api, org, price):
    url = leads_url(org, "lost-reasons", price.pk)

    renamed = api.patch(url, {"name": "Budget", "isActive": False}, format="json")
    deleted = api.delete(url)

    assert renamed.json()["lostReason"] | {"name": "Budget", "isActive": False} == renamed.json()["lostReason"]
    assert deleted.status_code == 200
    assert not LostReason.objects.exists()


def test_a_reason_on_leads_cannot_be_deleted(api, org, user, price, lead):
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"status": "LOST", "lost_reason": price})

    response = api.delete(leads_url(org, "lost-reasons", price.pk))

    assert response.status_code == 409
    assert error(response) == "This lost reason is on leads: set isActive to false to retire it instead"


def test_another_orgs_reason_is_a_404(api, org, other_org):
    foreign = LostReason.objects.create(organization=other_org, name="Price")

    assert api.patch(leads_url(org, "lost-reasons", foreign.pk), {"name": "X"}, format="json").status_code == 404
    assert api.delete(leads_url(org, "lost-reasons", foreign.pk)).status_code == 404


def test_a_member_may_list_but_not_change_reasons(org, member, price):
    client = client_for(member)

    assert client.get(leads_url(org, "lost-reasons")).status_code == 200
    assert client.post(leads_url(org, "lost-reasons"), {"name": "X"}, format="json").status_code == 403


# --- marking a lead LOST -------------------------------------------------------------------------


def test_without_reasons_a_lead_is_marked_lost_without_one(api, org, lead):
    response = api.patch(leads_url(org, lead.pk), {"status": "LOST"}, format="json")

    assert response.status_code == 200
    assert response.json()["lead"]["lostReasonId"] is None


def test_with_reasons_marking_lost_by_status_needs_one(api, org, price, lead):
    response = api.patch(leads_url(org, lead.pk), {"status": "LOST"}, format="json")

    assert problems(response) == ["lostReasonId is required to mark a lead lost"]
    assert Lead.objects.get(pk=lead.pk).status == "NEW"


def test_marking_lost_with_a_reason_records_it_on_the_lead_and_the_timeline(api, org, price, lead):
    response = api.patch(leads_url(org, lead.pk), {"status": "LOST", "lostReasonId": price.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["lead"]["lostReasonId"] == price.pk
    change = Activity.objects.get(lead=lead, type="STATUS_CHANGED")
    assert change.metadata["lostReasonId"] == price.pk
    assert change.description.endswith("(reason: Price)")


def test_with_reasons_a_move_into_the_lost_stage_needs_one(api, org, price, lead, stages):
    url = leads_url(org, lead.pk, "move-stage")

    refused = api.post(url, {"stageId": stages[4].pk}, format="json")
    moved = api.post(url, {"stageId": stages[4].pk, "lostReasonId": price.pk}, format="json")

    assert problems(refused) == ["lostReasonId is required to mark a lead lost"]
    assert moved.status_code == 200
    assert Lead.objects.get(pk=lead.pk).lost_reason == price


def test_a_reason_for_a_lead_not_becoming_lost_is_a_400(api, org, price, lead, stages):
    patch = api.patch(leads_url(org, lead.pk), {"lostReasonId": price.pk}, format="json")
    move = api.post(
        leads_url(org, lead.pk, "move-stage"), {"stageId": stages[1].pk, "lostReasonId": price.pk}, format="json"
    )

    assert problems(patch) == ["lostReasonId can only be set on a lead that is or becomes LOST"]
    assert problems(move) == ["lostReasonId can only be given for a move into a stage that marks the lead LOST"]


@pytest.mark.parametrize("whose", ["another org's", "retired"])
def test_a_reason_of_another_org_or_retired_is_a_400(api, org, other_org, lead, price, whose):
    if whose == "retired":
        reason = LostReason.objects.create(organization=org, name="Old", is_active=False)
    else:
        reason = LostReason.objects.create(organization=other_org, name="Price")

    response = api.patch(leads_url(org, lead.pk), {"status": "LOST", "lostReasonId": reason.pk}, format="json")

    assert problems(response) == ["lostReasonId does not match any lost reason in this organization"]


def test_a_lost_leads_reason_can_change_and_leaving_lost_clears_it(api, org, user, price, lead):
    other = LostReason.objects.create(organization=org, name="Timing")
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"status": "LOST", "lost_reason": price})

    changed = api.patch(leads_url(org, lead.pk), {"lostReasonId": other.pk}, format="json")
    reopened = api.patch(leads_url(org, lead.pk), {"status": "QUALIFIED"}, format="json")

    assert changed.json()["lead"]["lostReasonId"] == other.pk
    assert reopened.json()["lead"]["lostReasonId"] is None


def test_a_rule_marks_lost_without_a_reason(org, price, stages, lead, user):
    RuleFactory(
        pipeline=stages[0].pipeline,
        trigger="STAGE_ENTERED",
        trigger_stage=stages[1],
        action="SET_STATUS",
        action_status="LOST",
    )

    move_lead_to_stage(org=org, actor=user, lead_id=lead.pk, stage_id=stages[1].pk)

    assert Lead.objects.get(pk=lead.pk).status == "LOST"
