"""Deal fields on a lead: ``title``, ``expectedCloseDate``, ``probability`` (0–100, overriding the stage's)."""

import pytest
from django.db import IntegrityError

from leads.models import Lead
from leads.tests.factories import ContactFactory, LeadFactory
from tests.support.api import leads_url, problems

pytestmark = pytest.mark.django_db

DEAL = {"title": "Acme renewal", "expectedCloseDate": "2030-03-31", "probability": 40}


def test_a_lead_is_created_with_deal_fields(api, org, pipeline):
    body = {"contactId": ContactFactory(organization=org).pk, "pipelineId": pipeline.pk, **DEAL}

    response = api.post(leads_url(org), body, format="json")

    assert response.status_code == 201
    lead = response.json()["lead"]
    assert lead | DEAL == lead


def test_deal_fields_default_to_null(api, org, user):
    lead = LeadFactory(organization=org)

    body = api.get(leads_url(org, lead.pk)).json()["lead"]

    assert (body["title"], body["expectedCloseDate"], body["probability"]) == (None, None, None)


def test_patch_sets_and_clears_deal_fields_and_records_the_change(api, org):
    lead = LeadFactory(organization=org)
    url = leads_url(org, lead.pk)

    set_ = api.patch(url, DEAL, format="json").json()["lead"]
    cleared = api.patch(url, {"title": "", "expectedCloseDate": None, "probability": None}, format="json")

    assert set_ | DEAL == set_
    assert [cleared.json()["lead"][k] for k in DEAL] == [None, None, None]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"probability": 101}, "probability"),
        ({"probability": -1}, "probability"),
        ({"probability": "high"}, "probability"),
        ({"expectedCloseDate": "next spring"}, "expectedCloseDate"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_deal_fields_are_a_400(api, org, body, problem):
    lead = LeadFactory(organization=org)

    response = api.patch(leads_url(org, lead.pk), body, format="json")

    assert any(problem in sentence for sentence in problems(response)), problems(response)


def test_the_database_refuses_a_probability_over_100(org):
    lead = LeadFactory(organization=org)

    with pytest.raises(IntegrityError):
        Lead.objects.filter(pk=lead.pk).update(probability=150)
