"""Lost reasons: bodies and answers."""

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from vchata.accounts.models import Organization
from vchata.inputs import StrictInput
from vchata.schema import envelope, paged

from ..models import LostReason


def active_lost_reasons(org: Organization) -> QuerySet[LostReason]:
    """The reasons a lead can be marked lost with (retired ones stay on the leads that have them)."""
    return LostReason.objects.for_org(org).filter(is_active=True)


class LostReasonSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    isActive = serializers.BooleanField(source="is_active")
    order = serializers.IntegerField()
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")


class LostReasonInput(StrictInput):
    name = serializers.CharField(max_length=120, help_text="Unique in the organization, whatever the case.")
    isActive = serializers.BooleanField(
        source="is_active", required=False, help_text="Default true. Retired (false): no longer offered."
    )
    order = serializers.IntegerField(
        min_value=0, max_value=100_000, required=False, help_text="Position in lists (default: last)."
    )

    def validate_name(self, value):
        value = value.strip()
        if not value:
            raise ValidationError("name may not be blank")
        return value


class LostReasonUpdateInput(LostReasonInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def validate(self, attrs):
        if not attrs:
            raise ValidationError(["At least one field to change is required"])
        return attrs


LostReasonResponse = envelope("LostReasonResponse", lostReason=LostReasonSerializer())
LostReasonListResponse = paged("LostReasonListResponse", "lostReasons", LostReasonSerializer(many=True))
