"""Shapes of automation rules in the API: ``{id, name, isActive, order, trigger, conditions, action}``.

``trigger`` and ``action`` are objects whose ``type`` decides which other
keys they take; the OpenAPI schema documents each shape (a ``oneOf`` with a
``type`` discriminator). Unknown keys are refused rather than ignored, so a
misspelt setting is a 400 and not a rule that silently does something else.
Stage and user ids are resolved against the rule's pipeline and org (passed
in the serializer context as ``org`` and ``pipeline``).
"""

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from leads.models import LOGGED_ACTIVITY_CHOICES, Lead, Task
from pipelines.models import LeadStatus, Stage
from vchata.accounts.models import User
from vchata.inputs import StrictInput
from vchata.money import MoneyField, MoneyOutputField
from vchata.schema import envelope, paged

from .models import Rule, RuleAction, RuleTrigger

LOGGED_TYPES = [value for value, _ in LOGGED_ACTIVITY_CHOICES]


def path_of(field: serializers.Field) -> str:
    """The dotted camelCase path of a field in the request body ("trigger.stageId"), for messages."""
    names = []
    while field is not None:
        if field.field_name:
            names.append(field.field_name)
        field = field.parent
    return ".".join(reversed(names))


class ResolvingField:
    """Mixin: validate the raw value as usual, then turn it into rows with ``resolve``.

    Resolving in ``run_validation`` (not ``to_internal_value``) keeps the
    string and list validators (lengths) running on the raw value.
    """

    def run_validation(self, data=empty):
        value = super().run_validation(data)
        return None if value is None else self.resolve(value)

    def resolve(self, value):
        raise NotImplementedError


class StageIdField(ResolvingField, serializers.CharField):
    """A stage id of the rule's pipeline, resolved to the ``Stage``."""

    def __init__(self, **kwargs):
        super().__init__(max_length=40, **kwargs)

    def resolve(self, stage_id: str) -> Stage:
        stages = Stage.objects.for_org(self.context["org"]).filter(pipeline=self.context["pipeline"])
        stage = stages.filter(pk=stage_id).first()
        if stage is None:
            raise serializers.ValidationError(f"{path_of(self)} must be a stage of this pipeline")
        return stage


class StageIdsField(ResolvingField, serializers.ListField):
    """Stage ids of the rule's pipeline, resolved in one query."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(max_length=40), max_length=50, **kwargs)

    def resolve(self, stage_ids: list[str]) -> list[Stage]:
        stage_ids = list(dict.fromkeys(stage_ids))
        stages = Stage.objects.for_org(self.context["org"]).filter(pipeline=self.context["pipeline"], pk__in=stage_ids)
        found = {stage.pk: stage for stage in stages}
        missing = [stage_id for stage_id in stage_ids if stage_id not in found]
        if missing:
            raise serializers.ValidationError(
                f"{path_of(self)} must be stages of this pipeline ({', '.join(missing)} is not)"
            )
        return [found[stage_id] for stage_id in stage_ids]


def _members_by_id(org, user_ids: list[str]) -> dict[str, User]:
    return {user.pk: user for user in User.objects.filter(pk__in=user_ids, memberships__organization=org)}


class MemberIdField(ResolvingField, serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=40, **kwargs)

    def resolve(self, user_id: str) -> User:
        user = _members_by_id(self.context["org"], [user_id]).get(user_id)
        if user is None:
            raise serializers.ValidationError(f"{path_of(self)} does not match any member of this organization")
        return user


class MemberIdsField(ResolvingField, serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(max_length=40), allow_empty=False, max_length=100, **kwargs)

    def resolve(self, user_ids: list[str]) -> list[User]:
        if len(set(user_ids)) != len(user_ids):
            raise serializers.ValidationError(f"{path_of(self)} lists the same member more than once")
        members = _members_by_id(self.context["org"], user_ids)
        strangers = [user_id for user_id in user_ids if user_id not in members]
        if strangers:
            raise serializers.ValidationError(
                f"{path_of(self)} must list members of this organization ({', '.join(strangers)} is not)"
            )
        return [members[user_id] for user_id in user_ids]


# --- trigger shapes -----------------------------------------------------------


class LeadCreatedTrigger(StrictInput):
    """When a lead is created in the pipeline."""

    type = serializers.ChoiceField(choices=[RuleTrigger.LEAD_CREATED.value])


class ActivityAddedTrigger(StrictInput):
    """When an activity of a given type is logged on a lead (e.g. a MEETING)."""

    type = serializers.ChoiceField(choices=[RuleTrigger.ACTIVITY_ADDED.value])
    activityType = serializers.ChoiceField(
        choices=LOGGED_TYPES, help_text="Fires when an activity of this type is logged."
    )


class StatusChangedTrigger(StrictInput):
    """When a lead's status changes to a given status."""

    type = serializers.ChoiceField(choices=[RuleTrigger.STATUS_CHANGED.value])
    status = serializers.ChoiceField(choices=LeadStatus.choices, help_text="Fires when the lead's status becomes this.")


class StageEnteredTrigger(StrictInput):
    """When a lead enters a given stage."""

    type = serializers.ChoiceField(choices=[RuleTrigger.STAGE_ENTERED.value])
    stageId = StageIdField(help_text="Fires when a lead enters this stage (of the rule's pipeline).")


class IdleInStageTrigger(StrictInput):
    """When a lead has had no activity for ``days`` days (checked by the scheduled ``run_automations``)."""

    type = serializers.ChoiceField(choices=[RuleTrigger.IDLE_IN_STAGE.value])
    days = serializers.IntegerField(
        min_value=1, max_value=3650, help_text="Fires once a lead has had no activity for this many days."
    )
    stageId = StageIdField(
        required=False, allow_null=True, help_text="Only leads in this stage (any stage of the pipeline if absent)."
    )


TRIGGER_SHAPES = {
    RuleTrigger.LEAD_CREATED.value: LeadCreatedTrigger,
    RuleTrigger.ACTIVITY_ADDED.value: ActivityAddedTrigger,
    RuleTrigger.STATUS_CHANGED.value: StatusChangedTrigger,
    RuleTrigger.STAGE_ENTERED.value: StageEnteredTrigger,
    RuleTrigger.IDLE_IN_STAGE.value: IdleInStageTrigger,
}


# --- action shapes ------------------------------------------------------------


class MoveToStageAction(StrictInput):
    """Move the lead to a stage (which also sets the stage's status, if it has one)."""

    type = serializers.ChoiceField(choices=[RuleAction.MOVE_TO_STAGE.value])
    stageId = StageIdField(help_text="A stage of the rule's pipeline.")


class SetStatusAction(StrictInput):
    """Set the lead's status."""

    type = serializers.ChoiceField(choices=[RuleAction.SET_STATUS.value])
    status = serializers.ChoiceField(choices=LeadStatus.choices)


class AssignToAction(StrictInput):
    """Assign the lead to one member, or round-robin over several."""

    type = serializers.ChoiceField(choices=[RuleAction.ASSIGN_TO.value])
    userId = MemberIdField(required=False, help_text="Assign to this member. Give this or roundRobin.")
    roundRobin = MemberIdsField(
        required=False,
        help_text="Assign to these members in turn, fairly even under concurrent requests. Give this or userId.",
    )

    def validate(self, attrs):
        if ("userId" in attrs) == ("roundRobin" in attrs):
            raise serializers.ValidationError([f"{path_of(self)} needs exactly one of userId and roundRobin"])
        return attrs


class AddActivityAction(StrictInput):
    """Log an activity on the lead, e.g. a TASK reminder."""

    type = serializers.ChoiceField(choices=[RuleAction.ADD_ACTIVITY.value])
    activityType = serializers.ChoiceField(choices=LOGGED_TYPES, help_text="E.g. TASK for a reminder.")
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CreateTaskAction(StrictInput):
    """Create a task on the lead for its assignee (unassigned when the lead is), due some days later."""

    type = serializers.ChoiceField(choices=[RuleAction.CREATE_TASK.value])
    taskType = serializers.ChoiceField(choices=Task.Type.choices, help_text="CALL, EMAIL, MEETING or TODO.")
    title = serializers.CharField(max_length=200)
    dueInDays = serializers.IntegerField(
        min_value=0, max_value=365, help_text="Due this many days after the rule fires (0: at once)."
    )


ACTION_SHAPES = {
    RuleAction.MOVE_TO_STAGE.value: MoveToStageAction,
    RuleAction.SET_STATUS.value: SetStatusAction,
    RuleAction.ASSIGN_TO.value: AssignToAction,
    RuleAction.ADD_ACTIVITY.value: AddActivityAction,
    RuleAction.CREATE_TASK.value: CreateTaskAction,
}


class ShapeField(serializers.Field):
    """An object whose ``type`` picks the serializer that validates (and documents) the rest of it."""

    shapes: dict[str, type[serializers.Serializer]] = {}

    def to_internal_value(self, data):
        path = path_of(self)
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(f"{path} must be an object")
        kind = data.get("type")
        if kind is None:
            raise serializers.ValidationError({"type": [f"{path}.type is required"]})
        if not isinstance(kind, str) or kind not in self.shapes:
            raise serializers.ValidationError({"type": [f"{path}.type must be one of {', '.join(self.shapes)}"]})
        shape = self.shapes[kind](data=data, context=self.context)
        shape.field_name = self.field_name  # so its messages say "trigger.days", not "days"
        if not shape.is_valid():
            raise serializers.ValidationError(shape.errors)
        return dict(shape.validated_data)


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="RuleTrigger", serializers=TRIGGER_SHAPES, resource_type_field_name="type"
    )
)
class TriggerField(ShapeField):
    shapes = TRIGGER_SHAPES

    def to_representation(self, rule: Rule) -> dict[str, Any]:
        return trigger_of(rule)


@extend_schema_field(
    PolymorphicProxySerializer(component_name="RuleAction", serializers=ACTION_SHAPES, resource_type_field_name="type")
)
class ActionField(ShapeField):
    shapes = ACTION_SHAPES

    def to_representation(self, rule: Rule) -> dict[str, Any]:
        return action_of(rule)


class RuleConditions(StrictInput):
    """All given conditions must hold for the rule to act; an absent or empty one always holds."""

    stageIds = StageIdsField(required=False, help_text="The lead is in one of these stages.")
    sources = serializers.ListField(
        child=serializers.CharField(max_length=100),
        max_length=50,
        required=False,
        help_text="The lead's source is one of these.",
    )
    minValue = MoneyField(required=False, allow_null=True)
    maxValue = MoneyField(required=False, allow_null=True)
    assigned = serializers.BooleanField(
        required=False, allow_null=True, help_text="true: only assigned leads; false: only unassigned; null: either."
    )

    def validate(self, attrs):
        low, high = attrs.get("minValue"), attrs.get("maxValue")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(["conditions.minValue must not be greater than conditions.maxValue"])
        return attrs


class RuleInput(StrictInput):
    """Create a rule (``name``, ``trigger`` and ``action`` required) or, with PATCH, change any part.

    On PATCH, ``trigger``, ``conditions`` and ``action`` each replace the
    rule's current one whole.
    """

    name = serializers.CharField(max_length=120)
    isActive = serializers.BooleanField(required=False, help_text="Default true. Create it false to preview first.")
    order = serializers.IntegerField(
        min_value=0, max_value=100_000, required=False, help_text="Evaluation order, ascending (default: last)."
    )
    trigger = TriggerField()
    conditions = RuleConditions(required=False)
    action = ActionField()


def rule_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validated ``RuleInput`` data as model field values for ``create_rule``/``update_rule``."""
    fields: dict[str, Any] = {}
    if "name" in data:
        fields["name"] = data["name"]
    if "isActive" in data:
        fields["is_active"] = data["isActive"]
    if "order" in data:
        fields["order"] = data["order"]
    if "trigger" in data:
        trigger = data["trigger"]
        fields |= {
            "trigger": trigger["type"],
            "trigger_activity_type": trigger.get("activityType", ""),
            "trigger_status": trigger.get("status", ""),
            "trigger_stage": trigger.get("stageId"),
            "idle_days": trigger.get("days"),
        }
    if "conditions" in data:
        conditions = data["conditions"]
        fields |= {
            "condition_stages": conditions.get("stageIds", []),
            "condition_sources": list(dict.fromkeys(conditions.get("sources", []))),
            "condition_min_value": conditions.get("minValue"),
            "condition_max_value": conditions.get("maxValue"),
            "condition_assigned": conditions.get("assigned"),
        }
    if "action" in data:
        action = data["action"]
        fields |= {
            "action": action["type"],
            "action_stage": action.get("stageId"),
            "action_status": action.get("status", ""),
            "action_user": action.get("userId"),
            "assignees": action.get("roundRobin", []),
            "action_activity_type": action.get("activityType", ""),
            "action_description": action.get("description", ""),
            "action_task_type": action.get("taskType", ""),
            "action_task_title": action.get("title", ""),
            "action_due_in_days": action.get("dueInDays"),
        }
    return fields


# --- output -----------------------------------------------------------------


def trigger_of(rule: Rule) -> dict[str, Any]:
    trigger: dict[str, Any] = {"type": rule.trigger}
    if rule.trigger == RuleTrigger.ACTIVITY_ADDED:
        trigger["activityType"] = rule.trigger_activity_type
    elif rule.trigger == RuleTrigger.STATUS_CHANGED:
        trigger["status"] = rule.trigger_status
    elif rule.trigger == RuleTrigger.STAGE_ENTERED:
        trigger["stageId"] = rule.trigger_stage_id
    elif rule.trigger == RuleTrigger.IDLE_IN_STAGE:
        trigger |= {"days": rule.idle_days, "stageId": rule.trigger_stage_id}
    return trigger


def action_of(rule: Rule) -> dict[str, Any]:
    action: dict[str, Any] = {"type": rule.action}
    if rule.action == RuleAction.MOVE_TO_STAGE:
        action["stageId"] = rule.action_stage_id
    elif rule.action == RuleAction.SET_STATUS:
        action["status"] = rule.action_status
    elif rule.action == RuleAction.ASSIGN_TO and rule.action_user_id:
        action["userId"] = rule.action_user_id
    elif rule.action == RuleAction.ASSIGN_TO:
        action["roundRobin"] = [assignee.user_id for assignee in rule.assignees.all()]
    elif rule.action == RuleAction.ADD_ACTIVITY:
        action |= {"activityType": rule.action_activity_type, "description": rule.action_description}
    elif rule.action == RuleAction.CREATE_TASK:
        action |= {
            "taskType": rule.action_task_type,
            "title": rule.action_task_title,
            "dueInDays": rule.action_due_in_days,
        }
    return action


class RuleConditionsOutput(serializers.Serializer):
    stageIds = serializers.ListField(child=serializers.CharField())
    sources = serializers.ListField(child=serializers.CharField())
    minValue = MoneyOutputField(allow_null=True)
    maxValue = MoneyOutputField(allow_null=True)
    assigned = serializers.BooleanField(allow_null=True)


class RuleSerializer(serializers.Serializer):
    """A rule as the API answers it. Fetch rules through ``rules_for_pipeline`` (it prefetches what this reads)."""

    id = serializers.CharField()
    pipelineId = serializers.CharField(source="pipeline_id")
    name = serializers.CharField()
    isActive = serializers.BooleanField(source="is_active")
    order = serializers.IntegerField()
    trigger = TriggerField(source="*")  # the field reads the rule's trigger_* columns
    conditions = serializers.SerializerMethodField()
    action = ActionField(source="*")
    description = serializers.CharField(source="describe", help_text="The rule in one line, for people.")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    @extend_schema_field(RuleConditionsOutput)
    def get_conditions(self, rule: Rule) -> dict[str, Any]:
        return RuleConditionsOutput(
            {
                "stageIds": [stage.pk for stage in rule.condition_stages.all()],
                "sources": rule.condition_sources,
                "minValue": rule.condition_min_value,
                "maxValue": rule.condition_max_value,
                "assigned": rule.condition_assigned,
            }
        ).data


RuleResponse = envelope("RuleResponse", rule=RuleSerializer())


RulesResponse = paged("RulesResponse", "rules", RuleSerializer(many=True))


class PreviewLeadSerializer(serializers.Serializer):
    """A lead the rule would change now."""

    id = serializers.CharField()
    contactName = serializers.CharField(source="contact.name")
    stageId = serializers.CharField(source="stage_id")
    stageName = serializers.CharField(source="stage.name")
    status = serializers.ChoiceField(choices=Lead.Status.choices)
    value = MoneyOutputField(allow_null=True)
    source = serializers.CharField(allow_null=True)
    assignedToId = serializers.CharField(source="assigned_to_id", allow_null=True)
    lastActivityAt = serializers.DateTimeField(
        source="last_activity_at", allow_null=True, help_text="For idle rules, the start of the idle period."
    )


RulePreviewResponse = paged(
    "RulePreviewResponse",
    "leads",
    PreviewLeadSerializer(many=True, help_text="Leads the rule would change now; nothing is changed."),
    rule=RuleSerializer(),
)
