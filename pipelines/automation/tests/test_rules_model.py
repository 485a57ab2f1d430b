"""What people read about a rule (``describe()``, ``str``), and what deleting a stage does to rules."""

import pytest
from django.db import IntegrityError, transaction

from leads.tests.factories import LeadFactory
from pipelines.automation.models import Rule
from pipelines.automation.selectors import rules_for_pipeline
from pipelines.automation.tests.factories import RuleFactory
from pipelines.models import Stage
from vchata.accounts.tests.factories import MembershipFactory, UserFactory

T = Rule.Trigger
A = Rule.Action


@pytest.fixture
def booked(org, pipeline):
    return Stage.objects.create(organization=org, pipeline=pipeline, name="Meeting booked", order=6)


@pytest.fixture
def reps(org):
    users = [UserFactory(name="Ann"), UserFactory(name="", email="bob@example.com")]
    for rep in users:
        MembershipFactory(organization=org, user=rep)
    return users


@pytest.mark.parametrize(
    ("fields", "summary"),
    [
        (
            lambda s, b, r: {
                "trigger": T.ACTIVITY_ADDED,
                "trigger_activity_type": "MEETING",
                "action": A.MOVE_TO_STAGE,
                "action_stage": b,
            },
            "When a MEETING is logged → move to Meeting booked",
        ),
        (
            lambda s, b, r: {
                "trigger": T.ACTIVITY_ADDED,
                "trigger_activity_type": "MEETING",
                "action": A.ASSIGN_TO,
                "assignees": r,
            },
            "When a MEETING is logged → assign round-robin (Ann, bob@example.com)",
        ),
        (
            lambda s, b, r: {
                "trigger": T.LEAD_CREATED,
                "action": A.ASSIGN_TO,
                "action_user": r[0],
                "condition_sources": ["website", "ads"],
            },
            "When a lead is created, if source website or ads → assign to Ann",
        ),
        (
            lambda s, b, r: {
                "trigger": T.STATUS_CHANGED,
                "trigger_status": "QUALIFIED",
                "action": A.SET_STATUS,
                "action_status": "CONTACTED",
                "condition_min_value": 1000,
                "condition_max_value": 25000,
            },
            "When the status changes to QUALIFIED, if value 1,000–25,000 → set status CONTACTED",
        ),
        (
            lambda s, b, r: {
                "trigger": T.STAGE_ENTERED,
                "trigger_stage": s[1],
                "action": A.ADD_ACTIVITY,
                "action_activity_type": "TASK",
                "action_description": "Send the proposal",
                "condition_assigned": False,
            },
            "When a lead enters Qualified, if unassigned → add a TASK: Send the proposal",
        ),
        (
            lambda s, b, r: {
                "trigger": T.IDLE_IN_STAGE,
                "idle_days": 7,
                "trigger_stage": s[2],
                "action": A.SET_STATUS,
                "action_status": "LOST",
                "condition_stages": [s[2]],
                "condition_min_value": 10,
            },
            "When a lead in Contacted has no activity for 7 days, if in Contacted, value ≥ 10 → set status LOST",
        ),
        (
            lambda s, b, r: {
                "trigger": T.IDLE_IN_STAGE,
                "idle_days": 1,
                "action": A.ASSIGN_TO,
                "action_user": r[1],
                "condition_max_value": 99.5,
                "condition_assigned": True,
            },
            "When a lead has no activity for 1 day, if value ≤ 99.50, assigned → assign to bob@example.com",
        ),
    ],
)
def test_describe_says_what_the_rule_does_in_one_line(pipeline, stages, booked, reps, fields, summary):
    RuleFactory(pipeline=pipeline, name="Any", **fields(stages, booked, reps))
    rule = rules_for_pipeline(org=pipeline.organization, pipeline=pipeline).get()
    assert rule.describe() == summary
    assert str(rule) == "Any"


def test_describing_a_page_of_rules_costs_no_more_queries(pipeline, stages, reps, django_assert_num_queries):
    for stage in stages:
        RuleFactory(
            pipeline=pipeline,
            trigger=T.STAGE_ENTERED,
            trigger_stage=stage,
            action=A.ASSIGN_TO,
            assignees=reps,
            condition_stages=stages,
        )
    with django_assert_num_queries(3):  # rules (+stages, user), condition stages, assignees (+users)
        summaries = [rule.describe() for rule in rules_for_pipeline(org=pipeline.organization, pipeline=pipeline)]
    assert len(summaries) == len(stages)


def test_database_refuses_an_idle_rule_without_days(pipeline):
    with pytest.raises(IntegrityError), transaction.atomic():
        Rule.objects.create(
            organization=pipeline.organization,
            pipeline=pipeline,
            name="x",
            trigger=T.IDLE_IN_STAGE,
            action=A.SET_STATUS,
            action_status="LOST",
        )


def test_database_refuses_a_move_without_a_stage(pipeline):
    with pytest.raises(IntegrityError), transaction.atomic():
        Rule.objects.create(
            organization=pipeline.organization,
            pipeline=pipeline,
            name="x",
            trigger=T.LEAD_CREATED,
            action=A.MOVE_TO_STAGE,
        )


def test_deleting_the_stage_a_rule_moves_to_deletes_the_rule(pipeline, booked):
    RuleFactory(pipeline=pipeline, trigger=T.LEAD_CREATED, action=A.MOVE_TO_STAGE, action_stage=booked)
    booked.delete()
    assert not Rule.objects.exists()


def test_deleting_the_only_stage_of_a_stage_condition_pauses_the_rule(org, pipeline, stages, booked):
    rule = RuleFactory(
        pipeline=pipeline, trigger=T.LEAD_CREATED, action=A.SET_STATUS, action_status="LOST", condition_stages=[booked]
    )
    booked.delete()
    rule.refresh_from_db()
    assert rule.is_active is False
    # Still active it would now match every stage; paused, it changes nothing.
    assert LeadFactory(organization=org).status == "NEW"


def test_deleting_one_of_several_condition_stages_keeps_the_rule_running(pipeline, stages, booked):
    rule = RuleFactory(
        pipeline=pipeline,
        trigger=T.LEAD_CREATED,
        action=A.SET_STATUS,
        action_status="LOST",
        condition_stages=[booked, stages[0]],
    )
    booked.delete()
    rule.refresh_from_db()
    assert rule.is_active is True
    assert list(rule.condition_stages.all()) == [stages[0]]
