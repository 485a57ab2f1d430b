"""Creating a lead straight into a stage that marks it LOST takes a lost reason, as marking one LOST does."""

import pytest

from leads.models import Activity, Lead, LostReason
from leads.tests.factories import ContactFactory, LeadFactory
from tests.support.api import leads_url, problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def price(org):
    return LostReason.objects.create(organization=org, name="Price")


def new_lead(org, pipeline, stage, **extra) -> dict:
    return {"contactId": ContactFactory(organization=org).pk, "pipelineId": pipeline.pk, "stageId": stage.pk, **extra}


def test_a_lead_created_lost_carries_its_reason(api, org, pipeline, stages, price):
    response = api.post(leads_url(org), new_lead(org, pipeline, stages[4], lostReasonId=price.pk), format="json")

    assert response.status_code == 201, response.content[:300]
    lead = response.json()["lead"]
    assert (lead["status"], lead["lostReasonId"]) == ("LOST", price.pk)
    created = Activity.objects.get(lead_id=lead["id"], type=Activity.Type.CREATED)
    assert created.metadata["lostReasonId"] == price.pk


def test_with_contact_takes_the_reason_too(api, org, pipeline, stages, price):
    body = {"contact": {"name": "Neo"}, "pipelineId": pipeline.pk, "stageId": stages[4].pk, "lostReasonId": price.pk}

    response = api.post(leads_url(org, "with-contact"), body, format="json")

    assert response.status_code == 201
    assert response.json()["lead"]["lostReasonId"] == price.pk


def test_a_lead_created_lost_without_a_reason_is_a_400_once_the_org_has_reasons(api, org, pipeline, stages, price):
    response = api.post(leads_url(org), new_lead(org, pipeline, stages[4]), format="json")

    assert problems(response) == ["lostReasonId is required to mark a lead lost"]
    assert not Lead.objects.filter(organization=org).exists()


def test_without_reasons_a_lead_may_be_created_lost_without_one(api, org, pipeline, stages):
    response = api.post(leads_url(org), new_lead(org, pipeline, stages[4]), format="json")

    assert response.status_code == 201
    assert response.json()["lead"]["lostReasonId"] is None


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("price", "lostReasonId can only be set on a lead that is or becomes LOST"),
        ("retired", "lostReasonId does not match any"),
        ("foreign", "lostReasonId does not match any"),
    ],
)
def test_a_reason_that_does_not_fit_is_a_400(api, org, other_org, pipeline, stages, price, reason, message):
    reasons = {
        "price": price,
        "retired": LostReason.objects.create(organization=org, name="Old", is_active=False),
        "foreign": LostReason.objects.create(organization=other_org, name="Theirs"),
    }
    stage = stages[0] if reason == "price" else stages[4]

    response = api.post(leads_url(org), new_lead(org, pipeline, stage, lostReasonId=reasons[reason].pk), format="json")

    assert any(sentence.startswith(message) for sentence in problems(response)), problems(response)
    assert not Lead.objects.filter(organization=org).exists()


def test_a_lead_made_by_nobody_may_start_lost_without_a_reason(org, stages, price):
    lead = LeadFactory(organization=org, stage=stages[4])  # no actor: demo data, fixtures

    assert (lead.status, lead.lost_reason) == ("LOST", None)
