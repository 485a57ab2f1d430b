"""Admin of automation rules."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.tests.factories import LeadFactory
from pipelines.automation.models import Rule, RuleAction, RuleTrigger
from pipelines.automation.tests.factories import RuleFactory
from pipelines.services import create_pipeline
from tests.support.admin import inline_management, logged_in, org_admin, superuser
from vchata.accounts.tests.factories import MembershipFactory


@pytest.fixture
def su(db):
    return logged_in(superuser())


@pytest.fixture
def staff(org):
    return logged_in(org_admin(org))


def round_robin_rule(pipeline, stages, users):
    return RuleFactory(
        pipeline=pipeline,
        trigger=RuleTrigger.STAGE_ENTERED,
        trigger_stage=stages[1],
        action=RuleAction.ASSIGN_TO,
        condition_stages=[stages[1]],
        assignees=users,
        name="Share qualified leads",
    )


def test_rule_list_shows_each_rules_summary_in_a_fixed_number_of_queries(su, org, pipeline, stages, member):
    round_robin_rule(pipeline, stages, [member])
    with CaptureQueriesContext(connection) as one:
        first = su.get("/admin/automation/rule/").content.decode()
    for _ in range(4):
        round_robin_rule(pipeline, stages, [member, MembershipFactory(organization=org).user])
    with CaptureQueriesContext(connection) as five:
        su.get("/admin/automation/rule/")

    assert f"When a lead enters {stages[1].name}" in first and "assign round-robin" in first
    assert len(five) == len(one)


def test_a_rule_added_in_the_admin_goes_through_the_rule_services(su, org, pipeline, stages):
    response = su.post(
        "/admin/automation/rule/add/",
        {
            "pipeline": pipeline.pk,
            "name": "Qualify big deals",
            "is_active": "on",
            "order": "0",
            "trigger": RuleTrigger.LEAD_CREATED,
            "condition_sources": '["website"]',
            "condition_min_value": "1000",
            "action": RuleAction.MOVE_TO_STAGE,
            "action_stage": stages[1].pk,
            **inline_management("assignees"),
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    rule = Rule.objects.get()
    assert rule.organization == org and rule.describe().startswith("When a lead is created, if source website")
    lead = LeadFactory(organization=org, source="website", value=2000)
    lead.refresh_from_db()
    assert lead.stage == stages[1]  # the rule fires on the next lead


def test_a_rule_stage_of_another_pipeline_is_a_form_error(su, org, pipeline):
    other = create_pipeline(org=org, name="Partners")

    response = su.post(
        "/admin/automation/rule/add/",
        {
            "pipeline": pipeline.pk,
            "name": "Wrong",
            "order": "0",
            "trigger": RuleTrigger.LEAD_CREATED,
            "condition_sources": "[]",
            "action": RuleAction.MOVE_TO_STAGE,
            "action_stage": other.stages.first().pk,
            **inline_management("assignees"),
        },
    )

    assert response.status_code == 200
    assert "Choose a stage of the rule&#x27;s pipeline." in response.content.decode()
    assert not Rule.objects.exists()


def test_org_admin_cannot_open_another_orgs_rule(staff, other_org):
    pipeline = other_org.pipeline_set.get()
    rule = RuleFactory(
        pipeline=pipeline, trigger=RuleTrigger.LEAD_CREATED, action=RuleAction.SET_STATUS, action_status="QUALIFIED"
    )

    assert staff.get(f"/admin/automation/rule/{rule.pk}/change/").status_code == 404
    assert rule.name not in staff.get("/admin/automation/rule/").content.decode()
