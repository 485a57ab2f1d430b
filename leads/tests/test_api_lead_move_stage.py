"""POST /leads/{orgId}/{leadId}/move-stage and GET …/history."""

import pytest

from leads.models import Activity, Lead, StageVisit
from leads.tests.factories import (
    LeadFactory,
)
from pipelines.services import create_pipeline
from tests.support.api import (
    leads_url,
    problems,
)

pytestmark = pytest.mark.django_db

pytestmark = pytest.mark.django_db


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
