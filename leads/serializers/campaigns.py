"""Marketing campaigns: bodies and answers."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from vchata.inputs import DateTimeInput, StrictInput
from vchata.money import MoneyField
from vchata.schema import envelope, paged


class CampaignSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    utmCampaign = serializers.CharField(source="utm_campaign")
    budget = MoneyField(allow_null=True)
    startsAt = serializers.DateTimeField(source="starts_at", allow_null=True)
    endsAt = serializers.DateTimeField(source="ends_at", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")


class CampaignInput(StrictInput):
    name = serializers.CharField(max_length=200)
    utmCampaign = serializers.CharField(
        source="utm_campaign", max_length=200, help_text="The utmCampaign value of this campaign's leads."
    )
    budget = MoneyField(required=False, allow_null=True)
    startsAt = DateTimeInput(source="starts_at", required=False, allow_null=True)
    endsAt = DateTimeInput(source="ends_at", required=False, allow_null=True)

    def validate(self, attrs):
        starts, ends = attrs.get("starts_at"), attrs.get("ends_at")
        if starts and ends and ends < starts:
            raise ValidationError({"endsAt": ["endsAt must not be before startsAt"]})
        return attrs


class CampaignUpdateInput(CampaignInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def validate(self, attrs):
        if not attrs:
            raise ValidationError(["At least one field to change is required"])
        return super().validate(attrs)


CampaignResponse = envelope("CampaignResponse", campaign=CampaignSerializer())
CampaignListResponse = paged("CampaignListResponse", "campaigns", CampaignSerializer(many=True))
