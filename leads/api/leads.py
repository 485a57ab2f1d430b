"""``/leads/{orgId}…``: leads, their activities, stage history, moves and conversions.

Views are thin: validate with an input serializer, call one service or
selector, answer with an output serializer in the documented envelope.
"""

from functools import partial

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.exceptions import APIException

from vchata.pagination import DEFAULT_LIMIT, MAX_LIMIT, paginate_with_cursor
from vchata.responses import created, ok
from vchata.schema import errors
from vchata.tenancy import OrgScopedAPIView, OrgScopedGenericView
from vchata.tenancy.permissions import Action

from .. import selectors, services
from .. import serializers as s
from ..counting import lead_total
from ..filters import LeadFilter, OrgFilterBackend, count_filters, lead_keyset, searching
from ..lead_rows import as_rows
from ..models import Lead
from . import examples as ex
from .base import LeadSubListView, paged, validated

TAGS = ["leads"]

PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number, from 1.", default=1),
    OpenApiParameter("limit", int, description=f"Items per page, 1–{MAX_LIMIT}.", default=DEFAULT_LIMIT),
]


CURSOR_PARAMETER = OpenApiParameter(
    "cursor",
    str,
    description=(
        "The nextCursor of the previous page, to get the page after it by index position rather than OFFSET "
        "(as fast at any depth). Not together with page; send the same ordering and filters as that request."
    ),
)


class LeadsView(OrgScopedGenericView):
    model = Lead
    filter_backends = [OrgFilterBackend]
    filterset_class = LeadFilter

    def base_queryset(self):
        # Rows, not model instances (leads.lead_rows): the page's serializer reads the same attributes.
        return as_rows(selectors.lead_list(org=self.org, scope=self.lead_scope))

    @extend_schema(
        operation_id="leads_list",
        summary="List leads",
        description="The organization's leads, filtered, ordered (default newest first) and paginated.",
        filters=True,
        parameters=[*PAGE_PARAMETERS, CURSOR_PARAMETER],
        responses={200: s.LeadListResponse, **errors(400, 404)},
        examples=[ex.LIST_RESPONSE],
        tags=TAGS,
    )
    def get(self, request, org_id):
        queryset = self.filter_queryset(self.get_queryset())  # a bad filter is a 400 here, before any count
        params = request.query_params
        count = partial(lead_total, org_id=self.org.pk, filters=count_filters(params), scope=self.lead_scope)
        return paged(
            message="Leads retrieved successfully",
            key="leads",
            serializer_class=s.LeadListItemSerializer,
            queryset=queryset,
            request=request,
            paginator=partial(
                paginate_with_cursor, order=lead_keyset(params), count=count, total_with_page=searching(params)
            ),
        )

    @extend_schema(
        operation_id="leads_create",
        summary="Create a lead for an existing contact",
        request=s.CreateLeadInput,
        responses={201: s.LeadCreatedResponse, **errors(400, 404, 409)},
        examples=[ex.CREATE_LEAD_REQUEST, ex.CREATE_LEAD_RESPONSE, ex.BAD_REQUEST, ex.LEAD_EXISTS],
        tags=TAGS,
    )
    def post(self, request, org_id):
        data = validated(s.CreateLeadInput, request, self.org)
        lead = services.create_lead(org=self.org, actor=request.user, **data)
        return created(message="Lead created successfully", lead=s.LeadSerializer(lead).data)


class LeadWithContactView(OrgScopedAPIView):
    @extend_schema(
        operation_id="leads_create_with_contact",
        summary="Create a lead and its contact",
        description="A contact of the organization with the same email (case-insensitive) is reused.",
        request=s.CreateLeadWithContactInput,
        responses={201: s.LeadWithContactResponse, **errors(400, 404, 409)},
        examples=[ex.WITH_CONTACT_REQUEST, ex.WITH_CONTACT_RESPONSE, ex.LEAD_EXISTS],
        tags=TAGS,
    )
    def post(self, request, org_id):
        data = validated(s.CreateLeadWithContactInput, request, self.org)
        lead, contact = services.create_lead_with_contact(org=self.org, actor=request.user, **data)
        return created(
            message="Lead and contact created successfully",
            lead=s.LeadSerializer(lead).data,
            contact=s.ContactSerializer(contact).data,
        )


class LeadView(OrgScopedAPIView):
    @extend_schema(
        operation_id="leads_retrieve",
        summary="Get a lead with its contact, stage and activities",
        responses={200: s.LeadDetailResponse, **errors(404)},
        examples=[ex.DETAIL_RESPONSE, ex.NOT_FOUND],
        tags=TAGS,
    )
    def get(self, request, org_id, lead_id):
        lead = selectors.lead_answer(org=self.org, lead_id=lead_id, scope=self.lead_scope)
        return ok(message="Lead retrieved successfully", lead=s.LeadDetailSerializer(lead).data)

    @extend_schema(
        operation_id="leads_update",
        summary="Update a lead",
        description="Only the fields sent change. Answers the whole lead, as GET does.",
        request=s.UpdateLeadInput,
        responses={200: s.LeadDetailResponse, **errors(400, 404)},
        examples=[ex.UPDATE_REQUEST, ex.UPDATE_RESPONSE, ex.NOT_FOUND],
        tags=TAGS,
    )
    def patch(self, request, org_id, lead_id):
        selectors.lead_in_org(org=self.org, lead_id=lead_id, scope=self.lead_scope)  # 404 before judging the body
        changes = validated(s.UpdateLeadInput, request, self.org)
        services.update_lead(org=self.org, actor=request.user, lead_id=lead_id, changes=changes)
        # Unscoped: a MEMBER who just handed the lead to someone else still gets the answer to their change.
        lead = selectors.lead_answer(org=self.org, lead_id=lead_id)
        return ok(message="Lead updated successfully", lead=s.LeadDetailSerializer(lead).data)

    @extend_schema(
        operation_id="leads_destroy",
        summary="Delete a lead",
        description="Its activities and stage history go with it; the contact stays.",
        responses={200: s.MessageOnlyResponse, **errors(403, 404)},
        examples=[ex.DELETE_RESPONSE, ex.NOT_FOUND],
        tags=TAGS,
    )
    def delete(self, request, org_id, lead_id):
        selectors.lead_in_org(org=self.org, lead_id=lead_id, scope=self.lead_scope)
        self.require(Action.MANAGE_LEADS)
        services.delete_lead(org=self.org, actor=request.user, lead_id=lead_id)
        return ok(message="Lead deleted successfully")


@extend_schema_view(
    get=extend_schema(
        operation_id="leads_activities_list",
        summary="List a lead's activities, newest first",
        parameters=PAGE_PARAMETERS,
        responses={200: s.ActivityListResponse, **errors(400, 404)},
        tags=TAGS,
    )
)
class LeadActivitiesView(LeadSubListView):
    key = "activities"
    message = "Activities retrieved successfully"
    item_serializer = s.ActivitySerializer

    def rows(self, lead):
        return selectors.lead_activities(lead=lead)

    @extend_schema(
        operation_id="leads_activities_create",
        summary="Add an activity to a lead",
        request=s.AddActivityInput,
        responses={201: s.ActivityResponse, **errors(400, 404)},
        examples=[ex.ACTIVITY_REQUEST, ex.ACTIVITY_RESPONSE, ex.NOT_FOUND],
        tags=TAGS,
    )
    def post(self, request, org_id, lead_id):
        selectors.lead_in_org(org=self.org, lead_id=lead_id, scope=self.lead_scope)
        data = validated(s.AddActivityInput, request, self.org)
        activity = services.add_activity(org=self.org, actor=request.user, lead_id=lead_id, **data)
        return created(message="Activity added successfully", activity=s.ActivitySerializer(activity).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="leads_changes_list",
        summary="List a lead's field changes, newest first",
        description=(
            "One record per action (an update, a move, a close, the creation) with who made it (a user, "
            "an automation rule, an API key, an import or the system) and each field's value before and after."
        ),
        parameters=PAGE_PARAMETERS,
        responses={200: s.LeadChangeListResponse, **errors(400, 404)},
        examples=[ex.CHANGES_RESPONSE],
        tags=TAGS,
    )
)
class LeadChangesView(LeadSubListView):
    key = "changes"
    message = "Lead changes retrieved successfully"
    item_serializer = s.LeadChangeSerializer

    def rows(self, lead):
        return selectors.lead_changes(lead=lead)


class LeadHistoryView(OrgScopedAPIView):
    @extend_schema(
        operation_id="leads_history",
        summary="A lead's stage visits, oldest first (its conversion path)",
        responses={200: s.HistoryResponse, **errors(404)},
        tags=TAGS,
    )
    def get(self, request, org_id, lead_id):
        lead = selectors.lead_in_org(org=self.org, lead_id=lead_id, scope=self.lead_scope)
        visits = selectors.lead_history(lead=lead)
        return ok(message="Lead history retrieved successfully", history=s.StageVisitSerializer(visits, many=True).data)


class MoveStageView(OrgScopedAPIView):
    @extend_schema(
        operation_id="leads_move_stage",
        summary="Move a lead to another stage of its pipeline",
        description="Sets the stage's status too, when the stage has one, and records the move in the history.",
        request=s.MoveStageInput,
        responses={200: s.LeadMovedResponse, **errors(400, 404)},
        examples=[ex.MOVE_REQUEST, ex.MOVE_RESPONSE, ex.NOT_FOUND],
        tags=TAGS,
    )
    def post(self, request, org_id, lead_id):
        try:
            data = validated(s.MoveStageInput, request, self.org)
        except APIException:
            # A lead the caller can't see is a 404 before a bad body's 400 (the move looks it up itself).
            selectors.lead_in_org(org=self.org, lead_id=lead_id, scope=self.lead_scope)
            raise
        lead = services.move_lead_to_stage(
            org=self.org,
            actor=request.user,
            lead_id=lead_id,
            stage_id=data["stageId"],
            notes=data["notes"],
            lost_reason=data.get("lost_reason"),
            scope=self.lead_scope,
        )
        return ok(message="Lead moved to new stage successfully", lead=s.LeadStageSerializer(lead).data)


class ConvertConversationView(OrgScopedAPIView):
    @extend_schema(
        operation_id="leads_convert_conversation",
        summary="Convert a conversation into a lead",
        description=(
            "Makes (or reuses, by email) the contact from the conversation's participant and links the lead "
            "to the conversation's social account and post. A conversation converts once (409 after)."
        ),
        request=s.ConvertConversationInput,
        responses={201: s.LeadWithContactResponse, **errors(400, 404, 409)},
        examples=[ex.CONVERT_REQUEST, ex.CONVERT_RESPONSE],
        tags=TAGS,
    )
    def post(self, request, org_id):
        data = validated(s.ConvertConversationInput, request, self.org)
        lead, contact = services.convert_conversation(
            org=self.org,
            actor=request.user,
            conversation_id=data["conversation"].pk,
            pipeline=data["pipeline"],
            source=data["source"],
            value=data.get("value"),
            notes=data["notes"],
        )
        return created(
            message="Conversation converted to lead successfully",
            lead=s.LeadSerializer(lead).data,
            contact=s.ContactSerializer(contact).data,
        )
