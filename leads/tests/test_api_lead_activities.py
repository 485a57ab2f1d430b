"""GET and POST /leads/{orgId}/{leadId}/activities."""

import pytest

from leads.models import Activity
from leads.tests.factories import (
    LeadFactory,
)
from tests.support.api import (
    TIMESTAMP,
    leads_url,
    problems,
)

pytestmark = pytest.mark.django_db

pytestmark = pytest.mark.django_db


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
