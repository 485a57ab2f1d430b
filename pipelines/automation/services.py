"""Creating, changing and deleting automation rules.

Callers pass model field values grouped the way ``pipelines.rule_serializers``
produces them: a ``trigger``/``action`` change carries every field of its
group, so switching a rule from one trigger type to another clears the old
type's settings.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max

from pipelines.models import Pipeline
from vchata.accounts.models import Organization, User
from vchata.exceptions import InvalidInput
from vchata.tenancy import get_in_org

from .models import Rule, RuleAssignee

TRIGGER_FIELDS = ("trigger", "trigger_activity_type", "trigger_status", "trigger_stage", "idle_days")
CONDITION_FIELDS = (
    "condition_stages",
    "condition_sources",
    "condition_min_value",
    "condition_max_value",
    "condition_assigned",
)
ACTION_FIELDS = (
    "action",
    "action_stage",
    "action_status",
    "action_user",
    "assignees",
    "action_activity_type",
    "action_description",
    "action_task_type",
    "action_task_title",
    "action_due_in_days",
)
# Defaults that reset a group's fields the new shape does not use.
FIELD_DEFAULTS: dict[str, Any] = {
    "trigger_activity_type": "",
    "trigger_status": "",
    "trigger_stage": None,
    "idle_days": None,
    "condition_stages": [],
    "condition_sources": [],
    "condition_min_value": None,
    "condition_max_value": None,
    "condition_assigned": None,
    "action_stage": None,
    "action_status": "",
    "action_user": None,
    "assignees": [],
    "action_activity_type": "",
    "action_description": "",
    "action_task_type": "",
    "action_task_title": "",
    "action_due_in_days": None,
}
SETTABLE = {"name", "is_active", "order", *TRIGGER_FIELDS, *CONDITION_FIELDS, *ACTION_FIELDS}


def _check_references(*, org: Organization, pipeline: Pipeline, fields: Mapping[str, Any]) -> None:
    """Refuse stages of another pipeline and users outside the org.

    The serializers check first, naming the field; this guards other callers.
    """
    stages = [fields.get("trigger_stage"), fields.get("action_stage"), *fields.get("condition_stages", [])]
    if any(stage is not None and stage.pipeline_id != pipeline.pk for stage in stages):
        raise InvalidInput(["Every stage a rule names must be a stage of its pipeline"])
    users = [user for user in [fields.get("action_user"), *fields.get("assignees", [])] if user is not None]
    member_ids = set(org.memberships.filter(user__in=users).values_list("user_id", flat=True)) if users else set()
    if any(user.pk not in member_ids for user in users):
        raise InvalidInput(["Every user a rule assigns to must be a member of the organization"])


def _set_assignees(rule: Rule, users: Iterable[User]) -> None:
    rule.assignees.all().delete()
    RuleAssignee.objects.bulk_create(
        RuleAssignee(rule=rule, user=user, position=position) for position, user in enumerate(users)
    )


@transaction.atomic
def create_rule(*, org: Organization, pipeline: Pipeline, fields: Mapping[str, Any]) -> Rule:
    """A new rule at the end of the pipeline's rule order unless ``order`` is given."""
    unknown = set(fields) - SETTABLE
    if unknown:
        raise TypeError(f"create_rule got unknown fields {sorted(unknown)}")
    if pipeline.organization_id != org.pk:
        raise InvalidInput(["pipelineId does not match any pipeline in this organization"])
    values = {**FIELD_DEFAULTS, "is_active": True, **fields}
    _check_references(org=org, pipeline=pipeline, fields=values)
    if values.get("order") is None:
        last = Rule.objects.for_org(org).filter(pipeline=pipeline).aggregate(last=Max("order"))["last"]
        values["order"] = 0 if last is None else last + 1
    condition_stages, assignees = values.pop("condition_stages"), values.pop("assignees")
    rule = Rule.objects.create(organization=org, pipeline=pipeline, **values)
    rule.condition_stages.set(condition_stages)
    _set_assignees(rule, assignees)
    return rule


@transaction.atomic
def update_rule(*, org: Organization, pipeline: Pipeline, rule_id: str, changes: Mapping[str, Any]) -> Rule:
    """Apply a partial change; each of the trigger, conditions and action groups is replaced whole."""
    unknown = set(changes) - SETTABLE
    if unknown:
        raise TypeError(f"update_rule got unknown fields {sorted(unknown)}")
    # Locked: the round-robin cursor is advanced under this same lock.
    rule = get_in_org(Rule.objects.filter(pipeline=pipeline), org, rule_id, lock=True)
    _check_references(org=org, pipeline=pipeline, fields=changes)
    for name, value in changes.items():
        if name not in ("condition_stages", "assignees"):
            setattr(rule, name, value)
    if "assignees" in changes:
        rule.round_robin_cursor = 0
    rule.save()
    if "condition_stages" in changes:
        rule.condition_stages.set(changes["condition_stages"])
    if "assignees" in changes:
        _set_assignees(rule, changes["assignees"])
    return rule


@transaction.atomic
def delete_rule(*, org: Organization, pipeline: Pipeline, rule_id: str) -> None:
    get_in_org(Rule.objects.filter(pipeline=pipeline), org, rule_id, lock=True).delete()
