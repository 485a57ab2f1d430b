"""Event rules: each trigger with each action, conditions, ordering, the loop guard and failures."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from leads.events import EventKind, LeadEvent
from leads.models import Activity, Lead
from leads.services import add_activity, move_lead_to_stage, update_lead
from leads.tests.factories import LeadFactory
from pipelines.automation.engine import MAX_DEPTH, handle_lead_event
from pipelines.automation.idle import run_idle_rules
from pipelines.automation.models import Rule, RuleRun
from pipelines.automation.tests.factories import RuleFactory
from pipelines.models import Stage
from pipelines.services import create_pipeline
from vchata.accounts.models import Membership

T = Rule.Trigger
A = Rule.Action


@pytest.fixture
def booked(org, pipeline):
    """An extra stage without a status, so moving there changes nothing but the stage."""
    return Stage.objects.create(organization=org, pipeline=pipeline, name="Meeting booked", order=6)


# How to set up and fire each trigger on a lead of ``org``'s default pipeline.
TRIGGER_FIELDS = {
    T.LEAD_CREATED: lambda stages: {},
    T.ACTIVITY_ADDED: lambda stages: {"trigger_activity_type": "MEETING"},
    T.STATUS_CHANGED: lambda stages: {"trigger_status": "CONTACTED"},
    T.STAGE_ENTERED: lambda stages: {"trigger_stage": stages[1]},
    T.IDLE_IN_STAGE: lambda stages: {"idle_days": 3},
}


def fire(trigger: str, *, org, time_machine) -> Lead:
    """Make a lead and do what the trigger listens for; answer the lead as it is afterwards."""
    time_machine.move_to(timezone.now(), tick=False)
    lead = LeadFactory(organization=org, source="website", value=500)
    if trigger == T.ACTIVITY_ADDED:
        add_activity(org=org, actor=None, lead_id=lead.pk, type="MEETING", description="Demo")
    elif trigger == T.STATUS_CHANGED:
        update_lead(org=org, actor=None, lead_id=lead.pk, changes={"status": "CONTACTED"})
    elif trigger == T.STAGE_ENTERED:
        move_lead_to_stage(org=org, actor=None, lead_id=lead.pk, stage_id=org.pipeline_set.get().stages.get(order=2).pk)
    elif trigger == T.IDLE_IN_STAGE:
        time_machine.shift(timedelta(days=3, minutes=1))
        run_idle_rules()
    return Lead.objects.get(pk=lead.pk)


def rule_activity(lead: Lead, rule: Rule, type: str) -> Activity:
    return lead.activities.get(type=type, metadata__ruleId=rule.pk)


@pytest.mark.parametrize("trigger", list(TRIGGER_FIELDS))
def test_move_to_stage_rule_moves_the_lead_with_history_naming_the_rule_when_triggered(
    trigger, org, pipeline, stages, booked, time_machine
):
    rule = RuleFactory(
        pipeline=pipeline,
        trigger=trigger,
        action=A.MOVE_TO_STAGE,
        action_stage=booked,
        **TRIGGER_FIELDS[trigger](stages),
    )
    lead = fire(trigger, org=org, time_machine=time_machine)
    assert lead.stage == booked
    moved = rule_activity(lead, rule, Activity.Type.STAGE_CHANGED)
    assert moved.metadata["toStageId"] == booked.pk
    assert moved.metadata["ruleName"] == rule.name
    assert moved.actor is None
    assert lead.stage_visits.get(left_at__isnull=True).stage == booked


@pytest.mark.parametrize("trigger", list(TRIGGER_FIELDS))
def test_set_status_rule_sets_the_status_with_history_naming_the_rule_when_triggered(
    trigger, org, pipeline, stages, time_machine
):
    rule = RuleFactory(
        pipeline=pipeline, trigger=trigger, action=A.SET_STATUS, action_status="LOST", **TRIGGER_FIELDS[trigger](stages)
    )
    lead = fire(trigger, org=org, time_machine=time_machine)
    assert lead.status == "LOST"
    assert rule_activity(lead, rule, Activity.Type.STATUS_CHANGED).metadata["to"] == "LOST"


@pytest.mark.parametrize("trigger", list(TRIGGER_FIELDS))
def test_assign_rule_assigns_the_member_with_history_naming_the_rule_when_triggered(
    trigger, org, pipeline, stages, member, time_machine
):
    rule = RuleFactory(
        pipeline=pipeline, trigger=trigger, action=A.ASSIGN_TO, action_user=member, **TRIGGER_FIELDS[trigger](stages)
    )
    lead = fire(trigger, org=org, time_machine=time_machine)
    assert lead.assigned_to == member
    assert rule_activity(lead, rule, Activity.Type.ASSIGNED).metadata["to"] == member.pk


@pytest.mark.parametrize("trigger", list(TRIGGER_FIELDS))
def test_add_activity_rule_logs_the_activity_naming_the_rule_when_triggered(
    trigger, org, pipeline, stages, time_machine
):
    rule = RuleFactory(
        pipeline=pipeline,
        trigger=trigger,
        action=A.ADD_ACTIVITY,
        action_activity_type="TASK",
        action_description="Call back within a day",
        **TRIGGER_FIELDS[trigger](stages),
    )
    lead = fire(trigger, org=org, time_machine=time_machine)
    task = rule_activity(lead, rule, Activity.Type.TASK)
    assert task.description == "Call back within a day"
    assert RuleRun.objects.get(rule=rule, lead=lead).outcome == RuleRun.Outcome.APPLIED


def test_rule_does_nothing_when_a_different_activity_type_is_logged(org, pipeline, booked):
    RuleFactory(
        pipeline=pipeline,
        trigger=T.ACTIVITY_ADDED,
        trigger_activity_type="MEETING",
        action=A.MOVE_TO_STAGE,
        action_stage=booked,
    )
    lead = LeadFactory(organization=org)
    add_activity(org=org, actor=None, lead_id=lead.pk, type="CALL")
    lead.refresh_from_db()
    assert lead.stage != booked
    assert not RuleRun.objects.exists()


def test_inactive_rule_does_nothing(org, pipeline):
    RuleFactory(pipeline=pipeline, trigger=T.LEAD_CREATED, action=A.SET_STATUS, action_status="LOST", is_active=False)
    assert LeadFactory(organization=org).status == "NEW"


def test_rule_of_another_pipeline_does_nothing(org, pipeline):
    other = create_pipeline(org=org, name="Partners")
    RuleFactory(pipeline=other, trigger=T.LEAD_CREATED, action=A.SET_STATUS, action_status="LOST")
    assert LeadFactory(organization=org, pipeline=pipeline).status == "NEW"


def test_created_lead_returned_by_the_service_shows_what_the_rules_did(org, pipeline, booked):
    RuleFactory(pipeline=pipeline, trigger=T.LEAD_CREATED, action=A.MOVE_TO_STAGE, action_stage=booked)
    lead = LeadFactory(organization=org)
    assert lead.stage_id == booked.pk


def test_rule_effects_roll_back_with_the_change_that_fired_them(org, pipeline, booked):
    RuleFactory(
        pipeline=pipeline,
        trigger=T.ACTIVITY_ADDED,
        trigger_activity_type="MEETING",
        action=A.MOVE_TO_STAGE,
        action_stage=booked,
    )
    lead = LeadFactory(organization=org)

    def log_meeting_then_fail():
        with transaction.atomic():
            add_activity(org=org, actor=None, lead_id=lead.pk, type="MEETING")
            raise RuntimeError("the request failed after logging the meeting")

    with pytest.raises(RuntimeError):
        log_meeting_then_fail()
    lead.refresh_from_db()
    assert lead.stage != booked
    assert not RuleRun.objects.exists()


# --- conditions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("conditions", "lead_fields", "applies"),
    [
        ({"condition_sources": ["website", "ads"]}, {"source": "ads"}, True),
        ({"condition_sources": ["website", "ads"]}, {"source": "referral"}, False),
        ({"condition_min_value": Decimal("100")}, {"value": 100}, True),
        ({"condition_min_value": Decimal("100")}, {"value": 99}, False),
        ({"condition_min_value": Decimal("100")}, {"value": None}, False),
        ({"condition_max_value": Decimal("500")}, {"value": 500}, True),
        ({"condition_max_value": Decimal("500")}, {"value": 501}, False),
        ({"condition_min_value": Decimal("100"), "condition_max_value": Decimal("500")}, {"value": 300}, True),
        ({"condition_assigned": False}, {}, True),
        ({"condition_assigned": True}, {}, False),
    ],
)
def test_created_lead_rule_applies_only_when_its_conditions_hold(org, pipeline, conditions, lead_fields, applies):
    RuleFactory(pipeline=pipeline, trigger=T.LEAD_CREATED, action=A.SET_STATUS, action_status="QUALIFIED", **conditions)
    lead = LeadFactory(organization=org, **lead_fields)
    assert (lead.status == "QUALIFIED") is applies


@pytest.mark.parametrize(("assigned", "applies"), [(True, True), (False, False)])
def test_assigned_condition_looks_at_the_lead_assignee(org, pipeline, user, assigned, applies):
    RuleFactory(
        pipeline=pipeline,
        trigger=T.ACTIVITY_ADDED,
        trigger_activity_type="CALL",
        action=A.SET_STATUS,
        action_status="CONTACTED",
        condition_assigned=True,
    )
    lead = LeadFactory(organization=org, assigned_to=user if assigned else None)
    add_activity(org=org, actor=user, lead_id=lead.pk, type="CALL")
    lead.refresh_from_db()
    assert (lead.status == "CONTACTED") is applies


def test_stage_condition_looks_at_the_lead_current_stage(org, pipeline, stages):
    RuleFactory(
        pipeline=pipeline,
        trigger=T.ACTIVITY_ADDED,
        trigger_activity_type="CALL",
        action=A.ADD_ACTIVITY,
        action_activity_type="TASK",
        condition_stages=[stages[1], stages[2]],
    )
    in_new = LeadFactory(organization=org, stage=stages[0])
    in_qualified = LeadFactory(organization=org, stage=stages[1])
    for lead in (in_new, in_qualified):
        add_activity(org=org, actor=None, lead_id=lead.pk, type="CALL")
    assert not in_new.activities.filter(type="TASK").exists()
    assert in_qualified.activities.filter(type="TASK").exists()


def test_rules_run_in_order_each_seeing_what_the_earlier_ones_did(org, pipeline, stages, booked, member):
    RuleFactory(
        pipeline=pipeline,
        order=2,
        trigger=T.LEAD_CREATED,
        action=A.ASSIGN_TO,
        action_user=member,
        condition_stages=[stages[0]],
        name="assign leads still in New",
    )
    RuleFactory(pipeline=pipeline, order=1, trigger=T.LEAD_CREATED, action=A.MOVE_TO_STAGE, action_stage=booked)
    lead = LeadFactory(organization=org, stage=stages[0])
    assert lead.stage == booked
    assert lead.assigned_to is None


def test_rule_whose_action_would_change_nothing_does_not_run(org, pipeline, stages):
    RuleFactory(pipeline=pipeline, trigger=T.LEAD_CREATED, action=A.MOVE_TO_STAGE, action_stage=stages[0])
    lead = LeadFactory(organization=org, stage=stages[0])
    assert not RuleRun.objects.filter(lead=lead).exists()
    assert not lead.activities.filter(type="STAGE_CHANGED").exists()


# --- loop guard -------------------------------------------------------------


def test_rules_that_undo_each_other_fire_once_each_per_originating_event(org, pipeline, stages):
    a, b = stages[0], stages[1]
    there = RuleFactory(
        pipeline=pipeline, trigger=T.STAGE_ENTERED, trigger_stage=b, action=A.MOVE_TO_STAGE, action_stage=a
    )
    back = RuleFactory(
        pipeline=pipeline, trigger=T.STAGE_ENTERED, trigger_stage=a, action=A.MOVE_TO_STAGE, action_stage=b
    )
    lead = LeadFactory(organization=org, stage=a)

    move_lead_to_stage(org=org, actor=None, lead_id=lead.pk, stage_id=b.pk)

    # b (manual) → a (rule "there") → b (rule "back") → "there" already fired: stop.
    lead.refresh_from_db()
    assert lead.stage == b
    assert RuleRun.objects.filter(rule=there).count() == 1
    assert RuleRun.objects.filter(rule=back).count() == 1
    assert lead.activities.filter(type="STAGE_CHANGED").count() == 3


def test_same_rule_fires_again_for_a_new_originating_event(org, pipeline):
    rule = RuleFactory(
        pipeline=pipeline,
        trigger=T.ACTIVITY_ADDED,
        trigger_activity_type="CALL",
        action=A.ADD_ACTIVITY,
        action_activity_type="TASK",
    )
    lead = LeadFactory(organization=org)
    add_activity(org=org, actor=None, lead_id=lead.pk, type="CALL")
    add_activity(org=org, actor=None, lead_id=lead.pk, type="CALL")
    assert RuleRun.objects.filter(rule=rule, lead=lead).count() == 2


def test_a_chain_of_rules_stops_at_the_depth_limit(org):
    pipeline = create_pipeline(org=org, name="Long", stages=[{"name": f"S{i}"} for i in range(MAX_DEPTH + 3)])
    chain = list(pipeline.stages.order_by("order"))
    for here, following in zip(chain[1:], chain[2:], strict=False):
        RuleFactory(
            pipeline=pipeline,
            trigger=T.STAGE_ENTERED,
            trigger_stage=here,
            action=A.MOVE_TO_STAGE,
            action_stage=following,
        )
    lead = LeadFactory(organization=org, pipeline=pipeline, stage=chain[0])

    move_lead_to_stage(org=org, actor=None, lead_id=lead.pk, stage_id=chain[1].pk)

    lead.refresh_from_db()
    assert lead.stage == chain[1 + MAX_DEPTH]
    assert RuleRun.objects.filter(lead=lead).count() == MAX_DEPTH


def test_an_activity_rule_that_logs_its_own_trigger_type_fires_once(org, pipeline):
    rule = RuleFactory(
        pipeline=pipeline,
        trigger=T.ACTIVITY_ADDED,
        trigger_activity_type="TASK",
        action=A.ADD_ACTIVITY,
        action_activity_type="TASK",
    )
    lead = LeadFactory(organization=org)
    add_activity(org=org, actor=None, lead_id=lead.pk, type="TASK")
    assert lead.activities.filter(type="TASK").count() == 2
    assert RuleRun.objects.filter(rule=rule).count() == 1


# --- failures and cost -------------------------------------------------------


def test_rule_that_cannot_act_leaves_the_manual_change_in_place_and_records_why(org, pipeline, member):
    rule = RuleFactory(
        pipeline=pipeline,
        trigger=T.ACTIVITY_ADDED,
        trigger_activity_type="CALL",
        action=A.ASSIGN_TO,
        action_user=member,
    )
    Membership.objects.filter(user=member, organization=org).delete()
    lead = LeadFactory(organization=org)

    add_activity(org=org, actor=None, lead_id=lead.pk, type="CALL", description="Left a voicemail")

    lead.refresh_from_db()
    assert lead.activities.filter(type="CALL").exists()
    assert lead.assigned_to is None
    run = RuleRun.objects.get(rule=rule)
    assert run.outcome == RuleRun.Outcome.FAILED
    assert "member" in run.detail


def test_event_with_no_listening_rule_costs_one_query(org, django_assert_num_queries):
    lead = LeadFactory(organization=org)
    with django_assert_num_queries(1):  # the pipeline's rules for this trigger
        handle_lead_event(LeadEvent(EventKind.ACTIVITY_ADDED, org, lead, None, detail="NOTE"))


def test_assignment_events_cost_no_query(org, django_assert_num_queries):
    lead = LeadFactory(organization=org)
    with django_assert_num_queries(0):  # no trigger listens to ASSIGNED
        handle_lead_event(LeadEvent(EventKind.ASSIGNED, org, lead, None, detail=None))
