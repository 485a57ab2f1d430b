"""``/leads/{orgId}/contacts…``: the people leads are for — found, edited, deleted.

Roles as for leads (API.md, "Roles"): everyone who works leads reads and edits
contacts (``Action.WORK_LEADS``); deleting one is ``Action.MANAGE_LEADS``, as
deleting a lead is. Visibility follows the leads: under ASSIGNED a MEMBER sees
the contacts of the leads they see and contacts with no lead, and each
contact's ``leadCount`` and ``leads`` count only those leads (``visible_contacts``).
"""

from drf_spectacular.utils import extend_schema

from vchata.inputs import validated as validated_input
from vchata.responses import ok
from vchata.schema import errors
from vchata.tenancy import OrgScopedAPIView
from vchata.tenancy.permissions import Action

from .. import selectors, services
from .. import serializers as s
from ..serializers import contacts as cs
from .base import paged, validated
from .leads import PAGE_PARAMETERS

TAGS = ["contacts"]


class ContactsView(OrgScopedAPIView):
    @extend_schema(
        operation_id="contacts_list",
        summary="List contacts by name",
        description="``search``: text in the name, email or company (or the phone, when it has a digit), any case.",
        parameters=[cs.ContactQuery, *PAGE_PARAMETERS],
        responses={200: cs.ContactListResponse, **errors(400, 404)},
        tags=TAGS,
    )
    def get(self, request, org_id):
        query = validated_input(cs.ContactQuery, request.query_params.dict())
        return paged(
            message="Contacts retrieved successfully",
            key="contacts",
            serializer_class=cs.ContactListItemSerializer,
            queryset=selectors.contact_list(org=self.org, scope=self.lead_scope, search=query.get("search", "")),
            request=request,
        )


class ContactView(OrgScopedAPIView):
    def contact(self, contact_id: str):
        return selectors.contact_detail(org=self.org, contact_id=contact_id, scope=self.lead_scope)

    @extend_schema(
        operation_id="contacts_retrieve",
        summary="Get a contact with its leads",
        responses={200: cs.ContactResponse, **errors(404)},
        tags=TAGS,
    )
    def get(self, request, org_id, contact_id):
        return ok(
            message="Contact retrieved successfully", contact=cs.ContactDetailSerializer(self.contact(contact_id)).data
        )

    @extend_schema(
        operation_id="contacts_update",
        summary="Update a contact",
        description="Only the fields sent change. Another contact of the organization with the email: 409.",
        request=cs.ContactUpdateInput,
        responses={200: cs.ContactResponse, **errors(400, 404, 409)},
        tags=TAGS,
    )
    def patch(self, request, org_id, contact_id):
        self.contact(contact_id)  # 404 before judging the body
        self.require(Action.WORK_LEADS)
        changes = validated(cs.ContactUpdateInput, request, self.org)
        services.update_contact(org=self.org, actor=request.user, contact_id=contact_id, changes=changes)
        return ok(
            message="Contact updated successfully", contact=cs.ContactDetailSerializer(self.contact(contact_id)).data
        )

    @extend_schema(
        operation_id="contacts_destroy",
        summary="Delete a contact",
        description="Refused (409) while it has leads, whoever can see them: delete those first.",
        responses={200: s.MessageOnlyResponse, **errors(403, 404, 409)},
        tags=TAGS,
    )
    def delete(self, request, org_id, contact_id):
        selectors.contact_in_org(org=self.org, contact_id=contact_id, scope=self.lead_scope)
        self.require(Action.MANAGE_LEADS)
        services.delete_contact(org=self.org, actor=request.user, contact_id=contact_id)
        return ok(message="Contact deleted successfully")
