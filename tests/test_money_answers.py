"""Money is answered one way on every route: a JSON number, whole amounts as integers (``1000``, never ``1000.0``)."""

import json

import pytest

from leads.tests.factories import LeadFactory
from pipelines.automation.tests.factories import RuleFactory

pytestmark = pytest.mark.django_db


def raw_number(response, key: str) -> str:
    """How ``key``'s first value is written in the JSON text (so 1000 and 1000.0 differ)."""
    text = response.content.decode()
    start = text.index(f'"{key}":') + len(key) + 3
    return text[start:].lstrip().split(",")[0].split("}")[0].strip()


@pytest.mark.parametrize(("value", "written"), [(1000, "1000"), ("1234.50", "1234.5")])
def test_a_rule_preview_answers_a_leads_value_as_the_lead_routes_do(api, org, pipeline, value, written):
    lead = LeadFactory(organization=org, value=value)
    rule = RuleFactory(pipeline=pipeline, trigger="LEAD_CREATED", action="SET_STATUS", action_status="QUALIFIED")

    preview = api.post(f"/pipelines/{org.pk}/{pipeline.pk}/rules/{rule.pk}/preview")
    detail = api.get(f"/leads/{org.pk}/{lead.pk}")

    assert raw_number(preview, "value") == raw_number(detail, "value") == written
    assert json.loads(written) == preview.json()["leads"][0]["value"]


def test_rule_conditions_answer_amounts_as_money(api, org, pipeline):
    body = {
        "name": "Big deals",
        "trigger": {"type": "LEAD_CREATED"},
        "conditions": {"minValue": 1000, "maxValue": 2500.5},
        "action": {"type": "SET_STATUS", "status": "QUALIFIED"},
    }

    response = api.post(f"/pipelines/{org.pk}/{pipeline.pk}/rules", body, format="json")

    assert response.status_code == 201
    assert (raw_number(response, "minValue"), raw_number(response, "maxValue")) == ("1000", "2500.5")


def test_a_rule_amount_given_as_a_string_is_refused_as_a_lead_value_is(api, org, pipeline):
    body = {
        "name": "Big deals",
        "trigger": {"type": "LEAD_CREATED"},
        "conditions": {"minValue": "1000"},
        "action": {"type": "SET_STATUS", "status": "QUALIFIED"},
    }

    response = api.post(f"/pipelines/{org.pk}/{pipeline.pk}/rules", body, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == ["conditions.minValue must be a number"]
