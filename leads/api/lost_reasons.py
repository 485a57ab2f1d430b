"""``/leads/{orgId}/lost-reasons…``: why the organization's deals are lost."""

from drf_spectacular.utils import extend_schema

from vchata.responses import created, ok
from vchata.schema import errors
from vchata.tenancy import OrgScopedAPIView, get_in_org
from vchata.tenancy.permissions import Action

from .. import selectors, services
from .. import serializers as s
from ..models import LostReason
from .base import paged, validated
from .leads import PAGE_PARAMETERS

TAGS = ["lost reasons"]


class LostReasonsView(OrgScopedAPIView):
    @extend_schema(
        operation_id="lost_reasons_list",
        summary="List lost reasons",
        description="In list order, retired ones (isActive false) included.",
        parameters=PAGE_PARAMETERS,
        responses={200: s.LostReasonListResponse, **errors(400, 404)},
        tags=TAGS,
    )
    def get(self, request, org_id):
        return paged(
            message="Lost reasons retrieved successfully",
            key="lostReasons",
            serializer_class=s.LostReasonSerializer,
            queryset=selectors.lost_reason_list(org=self.org),
            request=request,
        )

    @extend_schema(
        operation_id="lost_reasons_create",
        summary="Add a lost reason",
        description="Once the organization has an active reason, marking a lead LOST takes a lostReasonId.",
        request=s.LostReasonInput,
        responses={201: s.LostReasonResponse, **errors(400, 403, 404, 409)},
        tags=TAGS,
    )
    def post(self, request, org_id):
        self.require(Action.CONFIGURE)
        data = validated(s.LostReasonInput, request, self.org)
        reason = services.create_lost_reason(org=self.org, actor=request.user, **data)
        return created(message="Lost reason created successfully", lostReason=s.LostReasonSerializer(reason).data)


class LostReasonView(OrgScopedAPIView):
    @extend_schema(
        operation_id="lost_reasons_update",
        summary="Rename, reorder or retire a lost reason",
        request=s.LostReasonUpdateInput,
        responses={200: s.LostReasonResponse, **errors(400, 403, 404, 409)},
        tags=TAGS,
    )
    def patch(self, request, org_id, reason_id):
        get_in_org(LostReason, self.org, reason_id)
        self.require(Action.CONFIGURE)
        changes = validated(s.LostReasonUpdateInput, request, self.org)
        reason = services.update_lost_reason(org=self.org, actor=request.user, reason_id=reason_id, changes=changes)
        return ok(message="Lost reason updated successfully", lostReason=s.LostReasonSerializer(reason).data)

    @extend_schema(
        operation_id="lost_reasons_destroy",
        summary="Delete a lost reason",
        description="A reason that leads carry can't be deleted (409): retire it with isActive false.",
        responses={200: s.MessageOnlyResponse, **errors(403, 404, 409)},
        tags=TAGS,
    )
    def delete(self, request, org_id, reason_id):
        get_in_org(LostReason, self.org, reason_id)
        self.require(Action.CONFIGURE)
        services.delete_lost_reason(org=self.org, actor=request.user, reason_id=reason_id)
        return ok(message="Lost reason deleted successfully")
