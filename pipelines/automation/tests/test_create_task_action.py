"""The CREATE_TASK action: "when a lead enters Qualified, create a CALL task due in 1 day for its assignee"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import Task
from leads.services import move_lead_to_stage, update_lead
from leads.tests.factories import LeadFactory
from pipelines.automation.models import RuleRun
from tests.support.api import problems

pytestmark = pytest.mark.django_db

ACTION = {"type": "CREATE_TASK", "taskType": "CALL", "title": "Qualification call", "dueInDays": 1}


def rules_url(org, pipeline):
    return f"/pipelines/{org.pk}/{pipeline.pk}/rules"


@pytest.fixture
def rule(api, org, pipeline, stages):
    response = api.post(
        rules_url(org, pipeline),
        {"name": "Qualified → call", "trigger": {"type": "STAGE_ENTERED", "stageId": stages[1].pk}, "action": ACTION},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["rule"]


def test_the_rule_reads_back_and_describes_itself(rule):
    assert rule["action"] == ACTION
    assert rule["description"] == (
        "When a lead enters Qualified → create a CALL task “Qualification call” due in 1 day for the lead's assignee"
    )


def test_entering_qualified_creates_a_call_task_due_in_a_day_for_the_assignee(rule, org, user, member, stages):
    lead = LeadFactory(organization=org)
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"assigned_to": member})
    before = timezone.now()

    move_lead_to_stage(org=org, actor=user, lead_id=lead.pk, stage_id=stages[1].pk)

    task = Task.objects.get(lead=lead)
    assert (task.title, task.type, task.assigned_to, task.created_by, task.completed_at) == (
        "Qualification call",
        "CALL",
        member,
        None,
        None,
    )
    assert before + timedelta(days=1) <= task.due_at <= timezone.now() + timedelta(days=1)
    assert RuleRun.objects.get(lead=lead).outcome == "APPLIED"


def test_an_unassigned_lead_gets_an_unassigned_task(rule, org, user, stages):
    lead = LeadFactory(organization=org)

    move_lead_to_stage(org=org, actor=user, lead_id=lead.pk, stage_id=stages[1].pk)

    assert Task.objects.get(lead=lead).assigned_to is None


@pytest.mark.parametrize(
    ("action", "problem"),
    [
        ({**ACTION, "dueInDays": -1}, "dueInDays"),
        ({**ACTION, "dueInDays": 400}, "dueInDays"),
        ({**ACTION, "taskType": "NAP"}, "taskType"),
        ({k: v for k, v in ACTION.items() if k != "title"}, "title"),
        ({**ACTION, "colour": "red"}, "colour"),
    ],
)
def test_a_bad_create_task_action_is_a_400(api, org, pipeline, action, problem):
    response = api.post(
        rules_url(org, pipeline), {"name": "R", "trigger": {"type": "LEAD_CREATED"}, "action": action}, format="json"
    )

    assert any(problem in sentence for sentence in problems(response)), problems(response)
