"""IDLE_IN_STAGE rules and ``run_automations``, with time under the test's control (time-machine)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from leads.models import Lead
from leads.services import add_activity
from leads.tests.factories import LeadFactory
from pipelines.automation.conditions import affected_leads
from pipelines.automation.idle import run_idle_rules
from pipelines.automation.models import Rule, RuleRun
from pipelines.automation.tests.factories import RuleFactory
from vchata.accounts.models import Membership
from vchata.accounts.tests.factories import MembershipFactory, UserFactory

T = Rule.Trigger
A = Rule.Action


@pytest.fixture
def start(time_machine):
    """Freeze the clock; answer the starting instant. Tests move it with ``time_machine.shift``."""
    moment = timezone.now().replace(microsecond=0)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def reps(org):
    users = [UserFactory(name=name) for name in ("Ann", "Bob")]
    for rep in users:
        MembershipFactory(organization=org, user=rep)
    return users


def assign_when_idle(pipeline, reps, **fields) -> Rule:
    """An idle rule whose action never resets idleness, so only the idle-period bookkeeping stops repeats."""
    fields.setdefault("idle_days", 3)
    return RuleFactory(pipeline=pipeline, trigger=T.IDLE_IN_STAGE, action=A.ASSIGN_TO, assignees=reps, **fields)


def test_idle_rule_waits_until_the_lead_has_been_idle_for_the_full_period(org, pipeline, reps, start, time_machine):
    rule = assign_when_idle(pipeline, reps)
    lead = LeadFactory(organization=org)

    time_machine.shift(timedelta(days=3) - timedelta(seconds=1))
    assert run_idle_rules().applied == 0
    time_machine.shift(timedelta(seconds=1))
    assert run_idle_rules().applied == 1

    lead.refresh_from_db()
    assert lead.assigned_to == reps[0]
    run = RuleRun.objects.get(rule=rule)
    assert run.idle_since == start
    assert lead.activities.get(type="ASSIGNED").metadata["ruleId"] == rule.pk


def test_idle_rule_acts_once_per_idle_period(org, pipeline, reps, start, time_machine):
    rule = assign_when_idle(pipeline, reps)
    lead = LeadFactory(organization=org)
    time_machine.shift(timedelta(days=4))
    run_idle_rules()

    time_machine.shift(timedelta(days=10))
    assert run_idle_rules().applied == 0

    lead.refresh_from_db()
    assert lead.assigned_to == reps[0]
    assert RuleRun.objects.filter(rule=rule).count() == 1


def test_new_activity_starts_a_new_idle_period(org, pipeline, reps, start, time_machine):
    rule = assign_when_idle(pipeline, reps)
    lead = LeadFactory(organization=org)
    time_machine.shift(timedelta(days=4))
    run_idle_rules()
    add_activity(org=org, actor=None, lead_id=lead.pk, type="NOTE", description="Still interested")

    time_machine.shift(timedelta(days=2))
    assert run_idle_rules().applied == 0
    time_machine.shift(timedelta(days=1))
    assert run_idle_rules().applied == 1

    lead.refresh_from_db()
    assert lead.assigned_to == reps[1]
    assert RuleRun.objects.filter(rule=rule, lead=lead).count() == 2


def test_idle_rule_with_a_stage_only_looks_at_leads_in_that_stage(org, pipeline, stages, start, time_machine):
    RuleFactory(
        pipeline=pipeline,
        trigger=T.IDLE_IN_STAGE,
        idle_days=1,
        trigger_stage=stages[2],
        action=A.SET_STATUS,
        action_status="LOST",
    )
    in_contacted = LeadFactory(organization=org, stage=stages[2])
    in_new = LeadFactory(organization=org, stage=stages[0])
    time_machine.shift(timedelta(days=2))

    run_idle_rules()

    assert Lead.objects.get(pk=in_contacted.pk).status == "LOST"
    assert Lead.objects.get(pk=in_new.pk).status == "NEW"


def test_idle_rule_respects_its_conditions(org, pipeline, start, time_machine):
    RuleFactory(
        pipeline=pipeline,
        trigger=T.IDLE_IN_STAGE,
        idle_days=1,
        action=A.ADD_ACTIVITY,
        action_activity_type="TASK",
        action_description="Nudge",
        condition_min_value=1000,
    )
    big, small = LeadFactory(organization=org, value=5000), LeadFactory(organization=org, value=10)
    time_machine.shift(timedelta(days=1))

    run_idle_rules()

    assert big.activities.filter(type="TASK", description="Nudge").exists()
    assert not small.activities.filter(type="TASK").exists()


def test_inactive_idle_rule_does_nothing(org, pipeline, reps, start, time_machine):
    assign_when_idle(pipeline, reps, is_active=False)
    LeadFactory(organization=org)
    time_machine.shift(timedelta(days=4))
    assert run_idle_rules().applied == 0


def test_idle_rules_of_every_org_run(org, other_org, start, time_machine):
    for each in (org, other_org):
        RuleFactory(
            pipeline=each.pipeline_set.get(),
            trigger=T.IDLE_IN_STAGE,
            idle_days=1,
            action=A.SET_STATUS,
            action_status="LOST",
        )
        LeadFactory(organization=each)
    time_machine.shift(timedelta(days=1))

    assert run_idle_rules().applied == 2
    assert set(Lead.objects.values_list("status", flat=True)) == {"LOST"}


def test_run_goes_through_every_batch(org, pipeline, reps, start, time_machine):
    assign_when_idle(pipeline, reps)
    for _ in range(5):
        LeadFactory(organization=org)
    time_machine.shift(timedelta(days=3))

    assert run_idle_rules(batch_size=2).applied == 5
    assert not Lead.objects.filter(assigned_to__isnull=True).exists()


def test_run_stops_at_its_limit_and_the_next_run_takes_the_rest(org, pipeline, reps, start, time_machine):
    assign_when_idle(pipeline, reps)
    for _ in range(5):
        LeadFactory(organization=org)
    time_machine.shift(timedelta(days=3))

    assert run_idle_rules(batch_size=2, limit=3).applied == 3
    assert run_idle_rules(batch_size=2, limit=3).applied == 2
    assert run_idle_rules(batch_size=2, limit=3).applied == 0


def test_idle_rule_that_cannot_act_is_recorded_as_failed_and_not_retried(org, pipeline, member, start, time_machine):
    rule = RuleFactory(pipeline=pipeline, trigger=T.IDLE_IN_STAGE, idle_days=1, action=A.ASSIGN_TO, action_user=member)
    Membership.objects.filter(user=member).delete()
    LeadFactory(organization=org)
    time_machine.shift(timedelta(days=1))

    report = run_idle_rules()
    assert (report.applied, report.failed) == (0, 1)
    assert RuleRun.objects.get(rule=rule).outcome == RuleRun.Outcome.FAILED
    assert run_idle_rules().failed == 0


def test_preview_of_an_idle_rule_lists_exactly_the_leads_the_next_run_changes(
    org, pipeline, stages, reps, start, time_machine
):
    rule = assign_when_idle(pipeline, reps, idle_days=5, condition_stages=[stages[0], stages[1]])
    old = [LeadFactory(organization=org, stage=stage) for stage in (stages[0], stages[1], stages[2])]
    time_machine.shift(timedelta(days=2))
    recent = LeadFactory(organization=org, stage=stages[0])
    time_machine.shift(timedelta(days=3))

    previewed = set(affected_leads(rule, now=timezone.now()).values_list("pk", flat=True))
    run_idle_rules()

    changed = set(RuleRun.objects.filter(rule=rule).values_list("lead_id", flat=True))
    assert previewed == changed == {old[0].pk, old[1].pk}
    assert recent.pk not in changed
    assert not affected_leads(rule, now=timezone.now()).exists()


def test_a_run_with_nothing_due_costs_three_queries(org, pipeline, reps, django_assert_num_queries):
    assign_when_idle(pipeline, reps)
    LeadFactory(organization=org)
    with django_assert_num_queries(3):  # active idle rules, their condition stages, one batch per rule
        run_idle_rules()


def test_command_reports_what_it_did(org, pipeline, reps, start, time_machine):
    assign_when_idle(pipeline, reps)
    LeadFactory(organization=org)
    time_machine.shift(timedelta(days=3))
    out = StringIO()

    call_command("run_automations", "--batch-size", "10", "--limit", "100", stdout=out)

    assert out.getvalue().strip() == "Idle rules: 1 applied, 0 failed, 0 skipped (taken by another run)."


@pytest.mark.parametrize("option", ["--batch-size", "--limit"])
def test_command_refuses_a_non_positive_bound(option, db):
    with pytest.raises(CommandError):
        call_command("run_automations", option, "0")
