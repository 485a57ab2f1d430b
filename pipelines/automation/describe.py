"""A rule in one line, for the board's rule list and the admin."""

from decimal import Decimal

from .models import Rule, RuleAction, RuleTrigger


def _who(user) -> str:
    return user.name or user.email


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}".removesuffix(".00")


def _trigger_phrase(rule: Rule) -> str:
    if rule.trigger == RuleTrigger.LEAD_CREATED:
        return "a lead is created"
    if rule.trigger == RuleTrigger.ACTIVITY_ADDED:
        return f"a {rule.trigger_activity_type} is logged"
    if rule.trigger == RuleTrigger.STATUS_CHANGED:
        return f"the status changes to {rule.trigger_status}"
    if rule.trigger == RuleTrigger.STAGE_ENTERED:
        return f"a lead enters {rule.trigger_stage.name}"
    days = "1 day" if rule.idle_days == 1 else f"{rule.idle_days} days"
    where = f" in {rule.trigger_stage.name}" if rule.trigger_stage_id else ""
    return f"a lead{where} has no activity for {days}"


def _condition_phrases(rule: Rule) -> list[str]:
    phrases = []
    stage_names = [stage.name for stage in rule.condition_stages.all()]
    if stage_names:
        phrases.append("in " + " or ".join(stage_names))
    if rule.condition_sources:
        phrases.append("source " + " or ".join(rule.condition_sources))
    low, high = rule.condition_min_value, rule.condition_max_value
    if low is not None and high is not None:
        phrases.append(f"value {_amount(low)}–{_amount(high)}")
    elif low is not None:
        phrases.append(f"value ≥ {_amount(low)}")
    elif high is not None:
        phrases.append(f"value ≤ {_amount(high)}")
    if rule.condition_assigned is not None:
        phrases.append("assigned" if rule.condition_assigned else "unassigned")
    return phrases


def _action_phrase(rule: Rule) -> str:
    if rule.action == RuleAction.MOVE_TO_STAGE:
        return f"move to {rule.action_stage.name}"
    if rule.action == RuleAction.SET_STATUS:
        return f"set status {rule.action_status}"
    if rule.action == RuleAction.ASSIGN_TO:
        if rule.action_user_id:
            return f"assign to {_who(rule.action_user)}"
        names = ", ".join(_who(assignee.user) for assignee in rule.assignees.all())
        return f"assign round-robin ({names})"
    if rule.action == RuleAction.CREATE_TASK:
        days = rule.action_due_in_days
        due = "due at once" if days == 0 else "due in 1 day" if days == 1 else f"due in {days} days"
        return f"create a {rule.action_task_type} task “{rule.action_task_title}” {due} for the lead's assignee"
    text = f": {rule.action_description}" if rule.action_description else ""
    return f"add a {rule.action_activity_type}{text}"


def describe_rule(rule: Rule) -> str:
    """E.g. "When a MEETING is logged, if unassigned → assign round-robin (Ann, Bob)"."""
    conditions = _condition_phrases(rule)
    condition_text = f", if {', '.join(conditions)}" if conditions else ""
    return f"When {_trigger_phrase(rule)}{condition_text} → {_action_phrase(rule)}"
