"""``/organizations/{orgId}/api-keys…``: the org's API keys (OWNER/ADMIN; a key itself never reaches here)."""

from drf_spectacular.utils import extend_schema

from leads.api.base import paged, validated
from leads.api.leads import PAGE_PARAMETERS
from vchata.responses import created, ok
from vchata.schema import errors

from .. import api_key_serializers as s
from ..apikeys import create_api_key, revoke_api_key
from ..models import ApiKey
from .webhooks import ManagerOnlyView

TAGS = ["api keys"]


class ApiKeysView(ManagerOnlyView):
    @extend_schema(
        operation_id="api_keys_list",
        summary="List API keys (never their secrets)",
        parameters=PAGE_PARAMETERS,
        responses={200: s.ApiKeyListResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def get(self, request, org_id):
        return paged(
            message="API keys retrieved successfully",
            key="apiKeys",
            serializer_class=s.ApiKeySerializer,
            queryset=ApiKey.objects.for_org(self.org),
            request=request,
        )

    @extend_schema(
        operation_id="api_keys_create",
        summary="Create an API key",
        description="Answers the secret (`vch_…`) once; only its hash is stored. "
        "Send it as `Authorization: Bearer vch_…`.",
        request=s.ApiKeyInput,
        responses={201: s.ApiKeyCreatedResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def post(self, request, org_id):
        data = validated(s.ApiKeyInput, request, self.org)
        key, secret = create_api_key(org=self.org, actor=request.user, **data)
        key.key = secret
        return created(message="API key created successfully", apiKey=s.ApiKeyCreatedSerializer(key).data)


class ApiKeyView(ManagerOnlyView):
    @extend_schema(
        operation_id="api_keys_revoke",
        summary="Revoke an API key",
        description="The key answers 401 from now on.",
        request=None,
        responses={200: s.ApiKeyResponse, **errors(403, 404)},
        tags=TAGS,
    )
    def delete(self, request, org_id, key_id):
        key = revoke_api_key(org=self.org, actor=request.user, key_id=key_id)
        return ok(message="API key revoked", apiKey=s.ApiKeySerializer(key).data)
