"""GET /leads/{orgId}/{leadId}."""

import pytest

from leads.tests.factories import (
    LeadFactory,
)
from tests.support.api import (
    LEAD_KEYS,
    error,
    leads_url,
)

pytestmark = pytest.mark.django_db

pytestmark = pytest.mark.django_db


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
