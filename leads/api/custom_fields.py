"""``/leads/{orgId}/custom-fields…``: the organization's custom lead fields (what ``customFields`` may hold)."""

from drf_spectacular.utils import extend_schema

from vchata.responses import created, ok
from vchata.schema import errors
from vchata.tenancy import OrgScopedAPIView, get_in_org
from vchata.tenancy.permissions import Action

from .. import selectors, services
from .. import serializers as s
from ..models import CustomField
from .base import paged, validated
from .leads import PAGE_PARAMETERS

FIELD_TAGS = ["custom fields"]


class CustomFieldsView(OrgScopedAPIView):
    @extend_schema(
        operation_id="custom_fields_list",
        summary="List the organization's custom lead fields",
        parameters=PAGE_PARAMETERS,
        responses={200: s.CustomFieldListResponse, **errors(400, 404)},
        tags=FIELD_TAGS,
    )
    def get(self, request, org_id):
        return paged(
            message="Custom fields retrieved successfully",
            key="customFields",
            serializer_class=s.CustomFieldSerializer,
            queryset=selectors.custom_field_list(org=self.org),
            request=request,
        )

    @extend_schema(
        operation_id="custom_fields_create",
        summary="Define a custom lead field",
        description="``key`` is snake_case and unique in the organization (409 when taken).",
        request=s.CustomFieldInput,
        responses={201: s.CustomFieldResponse, **errors(400, 403, 404, 409)},
        tags=FIELD_TAGS,
    )
    def post(self, request, org_id):
        self.require(Action.CONFIGURE)
        data = validated(s.CustomFieldInput, request, self.org)
        field = services.create_custom_field(org=self.org, actor=request.user, **data)
        return created(message="Custom field created successfully", customField=s.CustomFieldSerializer(field).data)


class CustomFieldView(OrgScopedAPIView):
    @extend_schema(
        operation_id="custom_fields_update",
        summary="Update a custom lead field",
        description="``label``, ``options`` and ``required`` can change; ``key`` and ``type`` cannot.",
        request=s.CustomFieldUpdateInput,
        responses={200: s.CustomFieldResponse, **errors(400, 403, 404)},
        tags=FIELD_TAGS,
    )
    def patch(self, request, org_id, field_id):
        get_in_org(CustomField, self.org, field_id)
        self.require(Action.CONFIGURE)
        changes = validated(s.CustomFieldUpdateInput, request, self.org)
        field = services.update_custom_field(org=self.org, actor=request.user, field_id=field_id, changes=changes)
        return ok(message="Custom field updated successfully", customField=s.CustomFieldSerializer(field).data)

    @extend_schema(
        operation_id="custom_fields_destroy",
        summary="Delete a custom lead field",
        description="Its key is removed from every lead that had a value for it.",
        responses={200: s.MessageOnlyResponse, **errors(403, 404)},
        tags=FIELD_TAGS,
    )
    def delete(self, request, org_id, field_id):
        get_in_org(CustomField, self.org, field_id)
        self.require(Action.CONFIGURE)
        services.delete_custom_field(org=self.org, actor=request.user, field_id=field_id)
        return ok(message="Custom field deleted successfully")
