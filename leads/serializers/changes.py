"""A lead's change records (``GET /leads/{orgId}/{leadId}/changes``): who changed which fields, from what to what."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vchata.actors import ActorKind
from vchata.schema import paged

from ..models import LeadChange


class ChangeActorSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(source="actor_kind", choices=ActorKind.choices)
    id = serializers.CharField(
        source="actor_id", allow_null=True, help_text="The user's, rule's or API key's id (the importer's for IMPORT)."
    )
    name = serializers.CharField(source="actor_name", help_text="How to show the actor, as it was named then.")


class FieldChangeSerializer(serializers.Serializer):
    # "from" is a Python keyword, hence the declared names below.
    from_ = serializers.JSONField(allow_null=True)
    to = serializers.JSONField(allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class LeadChangeSerializer(serializers.Serializer):
    id = serializers.CharField()
    leadId = serializers.CharField(source="lead_id")
    type = serializers.SerializerMethodField(help_text="CREATED: the lead's initial values; UPDATED: a change.")
    actor = ChangeActorSerializer(source="*")
    changes = serializers.SerializerMethodField(
        help_text=(
            "Each changed field by its API name (customFields.<key> for a custom field), with its value "
            "before and after (ids for stageId, assignedToId, campaignId, lostReasonId …)."
        )
    )
    createdAt = serializers.DateTimeField(source="created_at")

    @extend_schema_field(serializers.ChoiceField(choices=["CREATED", "UPDATED"]))
    def get_type(self, change: LeadChange) -> str:
        return "CREATED" if change.created else "UPDATED"

    @extend_schema_field(serializers.DictField(child=FieldChangeSerializer()))
    def get_changes(self, change: LeadChange) -> dict:
        return {name: {"from": pair[0], "to": pair[1]} for name, pair in change.changes.items()}


LeadChangeListResponse = paged("LeadChangeListResponse", "changes", LeadChangeSerializer(many=True))
