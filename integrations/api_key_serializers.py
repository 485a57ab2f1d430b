"""Request validation and response shapes of ``/organizations/{orgId}/api-keys``."""

from rest_framework import serializers

from vchata.inputs import StrictInput
from vchata.schema import envelope, paged

from .models import ApiKeyScope


class ApiKeyInput(StrictInput):
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=ApiKeyScope.choices), min_length=1, max_length=len(ApiKeyScope)
    )
    rateLimit = serializers.IntegerField(
        source="rate_limit",
        required=False,
        allow_null=True,
        min_value=1,
        max_value=100_000,
        help_text="Requests a minute for this key (default: the server's setting).",
    )


class ApiKeySerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=ApiKeyScope.choices))
    prefix = serializers.CharField(help_text="The secret's first characters, to tell keys apart.")
    rateLimit = serializers.IntegerField(source="rate_limit", allow_null=True)
    lastUsedAt = serializers.DateTimeField(source="last_used_at", allow_null=True)
    revokedAt = serializers.DateTimeField(source="revoked_at", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(help_text="The secret (vch_…). Answered only here: store it now.")


ApiKeyResponse = envelope("ApiKeyResponse", apiKey=ApiKeySerializer())
ApiKeyCreatedResponse = envelope("ApiKeyCreatedResponse", apiKey=ApiKeyCreatedSerializer())
ApiKeyListResponse = paged("ApiKeyListResponse", "apiKeys", ApiKeySerializer(many=True))
