"""Rule actions, carried out through ``leads.services`` exactly as a manual change would be.

The services write the history (STAGE_CHANGED, STATUS_CHANGED, ASSIGNED …);
``cause`` puts the rule's id and name into each history row's metadata.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from leads import services as lead_services
from vchata.accounts.models import Organization, User
from vchata.exceptions import DomainError, InvalidInput

from .models import Rule, RuleAction, RuleAssignee, RuleRun

logger = logging.getLogger("vchata.automation")


def next_round_robin_assignee(rule: Rule) -> User:
    """The next member in the rule's rotation, advancing its cursor.

    Locks the rule row until the transaction ends, so concurrent requests
    take turns instead of reading the same cursor: the load stays fair.
    Assignees who have left the organization are skipped.
    """
    cursor = Rule.objects.select_for_update().values_list("round_robin_cursor", flat=True).get(pk=rule.pk)
    rotation = [
        assignee.user
        for assignee in RuleAssignee.objects.filter(
            rule_id=rule.pk, user__memberships__organization_id=rule.organization_id
        )
        .select_related("user")
        .order_by("position")
    ]
    if not rotation:
        raise InvalidInput(["No member of the rule's round-robin rotation is still in the organization"])
    Rule.objects.filter(pk=rule.pk).update(round_robin_cursor=cursor + 1)
    return rotation[cursor % len(rotation)]


def create_task_for_assignee(rule: Rule, *, org: Organization, lead_id: str) -> None:
    """The rule's task on the lead, for the lead's assignee (nobody's if it has none or they left the org)."""
    assignee = User.objects.filter(assigned_leads__pk=lead_id, memberships__organization=org).first()
    lead_services.create_task(
        org=org,
        actor=None,
        lead_id=lead_id,
        title=rule.action_task_title,
        type=rule.action_task_type,
        due_at=timezone.now() + timedelta(days=rule.action_due_in_days),
        assigned_to=assignee,
    )


def perform_action(rule: Rule, *, org: Organization, lead_id: str) -> None:
    """Carry out the rule's action on one lead (acting as nobody: the system)."""
    cause = {"ruleId": rule.pk, "ruleName": rule.name}
    if rule.action == RuleAction.MOVE_TO_STAGE:
        lead_services.move_lead_to_stage(
            org=org, actor=None, lead_id=lead_id, stage_id=rule.action_stage_id, cause=cause
        )
    elif rule.action == RuleAction.SET_STATUS and rule.action_status in lead_services.CLOSED_STATUSES:
        lead_services.close_lead(org=org, actor=None, lead_id=lead_id, status=rule.action_status, cause=cause)
    elif rule.action == RuleAction.SET_STATUS:
        # Into the stage carrying the status, as closing does (update_lead's status path).
        lead_services.update_lead(
            org=org, actor=None, lead_id=lead_id, changes={"status": rule.action_status}, cause=cause
        )
    elif rule.action == RuleAction.ASSIGN_TO:
        user = rule.action_user if rule.action_user_id else next_round_robin_assignee(rule)
        lead_services.update_lead(org=org, actor=None, lead_id=lead_id, changes={"assigned_to": user}, cause=cause)
    elif rule.action == RuleAction.ADD_ACTIVITY:
        lead_services.add_activity(
            org=org,
            actor=None,
            lead_id=lead_id,
            type=rule.action_activity_type,
            description=rule.action_description,
            cause=cause,
        )
    elif rule.action == RuleAction.CREATE_TASK:
        create_task_for_assignee(rule, org=org, lead_id=lead_id)
    else:  # pragma: no cover - the check constraint rule_action_known forbids it
        raise ValueError(f"Unknown rule action {rule.action!r}")


def attempt_action(rule: Rule, *, org: Organization, lead_id: str) -> str:
    """``perform_action`` in a savepoint; a domain error rolls back only the rule's own changes.

    A rule that cannot act (its member left the org, say) must not undo the
    change that fired it. Returns "" on success, else the reason, which the
    caller records on the ``RuleRun``.
    """
    try:
        with transaction.atomic():
            perform_action(rule, org=org, lead_id=lead_id)
    except DomainError as exc:
        reason = "; ".join(exc.message) if isinstance(exc.message, list) else str(exc.message)
        logger.warning("Rule %s could not act on lead %s: %s", rule.pk, lead_id, reason)
        return reason
    return ""


def outcome_for(reason: str) -> str:
    return RuleRun.Outcome.FAILED if reason else RuleRun.Outcome.APPLIED
