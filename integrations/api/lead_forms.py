"""``/organizations/{orgId}/lead-forms…``: the org's public web-to-lead forms (OWNER/ADMIN)."""

from drf_spectacular.utils import extend_schema

from leads.api.base import paged, validated
from leads.api.leads import PAGE_PARAMETERS
from leads.serializers import MessageOnlyResponse
from vchata.responses import created, ok
from vchata.schema import errors
from vchata.tenancy import get_in_org

from .. import serializers as s
from .. import services
from ..models import LeadForm
from .webhooks import ManagerOnlyView

TAGS = ["lead forms"]


def answer(view, form: LeadForm) -> dict:
    return s.LeadFormSerializer(form, context={"request": view.request}).data


class LeadFormsView(ManagerOnlyView):
    @extend_schema(
        operation_id="lead_forms_list",
        summary="List lead forms",
        parameters=PAGE_PARAMETERS,
        responses={200: s.LeadFormListResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def get(self, request, org_id):
        return paged(
            message="Lead forms retrieved successfully",
            key="leadForms",
            serializer_class=lambda items, many: s.LeadFormSerializer(items, many=many, context={"request": request}),
            queryset=LeadForm.objects.for_org(self.org),
            request=request,
        )

    @extend_schema(
        operation_id="lead_forms_create",
        summary="Create a public lead form",
        description="Answers the form's public key, the endpoint it posts to and a copy-paste HTML snippet.",
        request=s.LeadFormInput,
        responses={201: s.LeadFormResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def post(self, request, org_id):
        data = validated(s.LeadFormInput, request, self.org)
        form = services.create_lead_form(org=self.org, actor=request.user, **data)
        return created(message="Lead form created successfully", leadForm=answer(self, form))


class LeadFormView(ManagerOnlyView):
    @extend_schema(
        operation_id="lead_forms_retrieve",
        summary="Get a lead form with its snippet",
        responses={200: s.LeadFormResponse, **errors(403, 404)},
        tags=TAGS,
    )
    def get(self, request, org_id, form_id):
        form = get_in_org(LeadForm, self.org, form_id, message=services.LEAD_FORM_NOT_FOUND)
        return ok(message="Lead form retrieved successfully", leadForm=answer(self, form))

    @extend_schema(
        operation_id="lead_forms_update",
        summary="Change a lead form",
        request=s.LeadFormUpdateInput,
        responses={200: s.LeadFormResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def patch(self, request, org_id, form_id):
        changes = validated(s.LeadFormUpdateInput, request, self.org)
        form = services.update_lead_form(org=self.org, actor=request.user, form_id=form_id, changes=changes)
        return ok(message="Lead form updated successfully", leadForm=answer(self, form))

    @extend_schema(
        operation_id="lead_forms_destroy",
        summary="Delete a lead form (its key stops working)",
        responses={200: MessageOnlyResponse, **errors(403, 404)},
        tags=TAGS,
    )
    def delete(self, request, org_id, form_id):
        services.delete_lead_form(org=self.org, actor=request.user, form_id=form_id)
        return ok(message="Lead form deleted successfully")


class RotateLeadFormKeyView(ManagerOnlyView):
    @extend_schema(
        operation_id="lead_forms_rotate_key",
        summary="Give a lead form a new key",
        description="The old key stops working at once; paste the new snippet into your site.",
        request=None,
        responses={200: s.LeadFormResponse, **errors(403, 404)},
        tags=TAGS,
    )
    def post(self, request, org_id, form_id):
        form = services.rotate_lead_form_key(org=self.org, actor=request.user, form_id=form_id)
        return ok(message="Lead form key rotated", leadForm=answer(self, form))
