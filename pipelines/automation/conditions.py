"""Which leads a rule applies to, as ``Q`` objects on ``Lead``.

One definition serves the event engine (does this lead match?), the idle
scheduler (which leads are due?) and the preview (which leads would it
affect?), so a preview cannot disagree with what the rule then does.
Leads are scoped by the rule's own organization id.
"""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from leads.models import Lead

from .models import Rule, RuleAction, RuleRun


def conditions_q(rule: Rule) -> Q:
    """The rule's conditions (all must hold) on the lead's current state.

    Reads ``rule.condition_stages``: prefetch it when evaluating many rules.
    """
    q = Q(pipeline_id=rule.pipeline_id)
    stage_ids = [stage.pk for stage in rule.condition_stages.all()]
    if stage_ids:
        q &= Q(stage_id__in=stage_ids)
    if rule.condition_sources:
        q &= Q(source__in=rule.condition_sources)
    if rule.condition_min_value is not None:
        q &= Q(value__gte=rule.condition_min_value)
    if rule.condition_max_value is not None:
        q &= Q(value__lte=rule.condition_max_value)
    if rule.condition_assigned is not None:
        q &= Q(assigned_to__isnull=not rule.condition_assigned)
    return q


def changes_something_q(rule: Rule) -> Q:
    """Leads on which the action is not a no-op (already in the stage, status or assignee it sets)."""
    if rule.action == RuleAction.MOVE_TO_STAGE:
        return ~Q(stage_id=rule.action_stage_id)
    if rule.action == RuleAction.SET_STATUS:
        return ~Q(status=rule.action_status)
    if rule.action == RuleAction.ASSIGN_TO and rule.action_user_id:
        return ~Q(assigned_to_id=rule.action_user_id)
    return Q()


def targets_q(rule: Rule) -> Q:
    return conditions_q(rule) & changes_something_q(rule)


def matching_leads(rule: Rule) -> QuerySet[Lead]:
    """Leads of the rule's pipeline it would change if its (event) trigger fired now."""
    return Lead.objects.filter(organization_id=rule.organization_id).filter(targets_q(rule))


def idle_leads(rule: Rule, *, now: datetime) -> QuerySet[Lead]:
    """Leads an IDLE_IN_STAGE rule is due to act on at ``now``, oldest idle first.

    A lead is idle since its last activity (its creation if nothing was ever
    logged). Each idle period counts once: a lead the rule already ran on
    for the same ``idle_since`` is left out, until new activity starts a new
    period. Annotated with ``idle_since``.
    """
    already_ran = RuleRun.objects.filter(rule_id=rule.pk, lead_id=OuterRef("pk"), idle_since=OuterRef("idle_since"))
    leads = (
        Lead.objects.filter(organization_id=rule.organization_id)
        .annotate(idle_since=Coalesce("last_activity_at", "created_at"))
        .filter(targets_q(rule), idle_since__lte=now - timedelta(days=rule.idle_days))
        .exclude(Exists(already_ran))
    )
    if rule.trigger_stage_id:
        leads = leads.filter(stage_id=rule.trigger_stage_id)
    return leads.order_by("idle_since", "id")


def affected_leads(rule: Rule, *, now: datetime) -> QuerySet[Lead]:
    """What a preview shows: idle leads due now for an idle rule, matching leads otherwise."""
    if rule.trigger == Rule.Trigger.IDLE_IN_STAGE:
        return idle_leads(rule, now=now)
    return matching_leads(rule).order_by("-created_at", "-id")
