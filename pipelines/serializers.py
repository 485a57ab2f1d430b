"""Request validation and response shapes of the pipelines API (``/pipelines/{orgId}…``).

As in ``leads.serializers`` (built from ``vchata.inputs``): inputs validate (unknown keys refused) and map to
model field names through ``source=``; the views hand the result to
``pipelines.services``; outputs shape rows into camelCase JSON.
"""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from vchata.inputs import StrictInput
from vchata.schema import envelope, paged

from .models import MAX_ROTTING_DAYS, LeadStatus

MAX_STAGES = 50


class StageSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    order = serializers.IntegerField(help_text="Position on the board, from 1.")
    status = serializers.ChoiceField(
        choices=LeadStatus.choices, allow_null=True, help_text="The lead status that entering this stage sets."
    )
    probability = serializers.IntegerField(help_text="Chance (0-100) that a lead here converts, for forecasts.")
    rottingDays = serializers.IntegerField(
        source="rotting_days",
        allow_null=True,
        help_text="Days without activity or open task before an open lead here is stale; null: the pipeline's.",
    )


def rotting_days_input(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(source="rotting_days", min_value=1, max_value=MAX_ROTTING_DAYS, **kwargs)


class PipelineSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    isDefault = serializers.BooleanField(source="is_default")
    rottingDays = serializers.IntegerField(
        source="rotting_days",
        help_text="Days without activity or open task before an open lead (not CONVERTED or LOST) is stale.",
    )
    stages = StageSerializer(many=True, source="ordered_stages")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")


class StageSpecInput(StrictInput):
    name = serializers.CharField(max_length=120)
    status = serializers.ChoiceField(choices=LeadStatus.choices, required=False, allow_null=True)
    probability = serializers.IntegerField(min_value=0, max_value=100, required=False, default=0)
    rottingDays = rotting_days_input(required=False, allow_null=True, help_text="Default: the pipeline's.")


class PipelineInput(StrictInput):
    name = serializers.CharField(max_length=120)
    isDefault = serializers.BooleanField(source="is_default", required=False, default=False)
    rottingDays = rotting_days_input(required=False, help_text="Default: 7.")
    stages = StageSpecInput(
        many=True,
        required=False,
        allow_empty=False,
        max_length=MAX_STAGES,
        help_text="In board order. Not given: New, Qualified, Contacted, Converted, Lost.",
    )


class PipelineUpdateInput(StrictInput):
    name = serializers.CharField(max_length=120, required=False)
    isDefault = serializers.BooleanField(
        source="is_default", required=False, help_text="true makes this the organization's default pipeline."
    )
    rottingDays = rotting_days_input(required=False)

    def validate(self, attrs):
        if not attrs:
            raise ValidationError(["At least one field to change is required"])
        return attrs


class StageInput(StageSpecInput):
    order = serializers.IntegerField(
        min_value=1, max_value=MAX_STAGES, required=False, help_text="Position, from 1; default: last."
    )


class StageUpdateInput(StrictInput):
    name = serializers.CharField(max_length=120, required=False)
    status = serializers.ChoiceField(choices=LeadStatus.choices, required=False, allow_null=True)
    probability = serializers.IntegerField(min_value=0, max_value=100, required=False)
    rottingDays = rotting_days_input(required=False, allow_null=True, help_text="null: the pipeline's.")

    def validate(self, attrs):
        if not attrs:
            raise ValidationError(["At least one field to change is required"])
        return attrs


class ReorderStagesInput(StrictInput):
    stageIds = serializers.ListField(
        child=serializers.CharField(max_length=64),
        source="stage_ids",
        allow_empty=False,
        max_length=MAX_STAGES,
        help_text="Every stage of the pipeline, each once, in the new order.",
    )


PipelineResponse = envelope("PipelineResponse", pipeline=PipelineSerializer())
PipelineListResponse = paged("PipelineListResponse", "pipelines", PipelineSerializer(many=True))
StageResponse = envelope("StageResponse", stage=StageSerializer())
PipelineMessageResponse = envelope("PipelineMessageResponse")
