"""``/organizations/{orgId}/webhooks…``: outbound webhook endpoints, their delivery log, redelivery (OWNER/ADMIN)."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema

from leads.api.base import paged, validated
from leads.api.leads import PAGE_PARAMETERS
from leads.serializers import MessageOnlyResponse
from vchata.exceptions import NotFound
from vchata.responses import created, ok
from vchata.schema import errors
from vchata.tenancy import OrgScopedAPIView, get_in_org

from .. import serializers as s
from .. import services
from ..delivery import redeliver
from ..models import WebhookDelivery, WebhookEndpoint
from ..permissions import require_integration_manager

TAGS = ["webhooks"]
DELIVERY_NOT_FOUND = "Delivery not found or you don't have access"


def with_log(deliveries: QuerySet[WebhookDelivery]) -> QuerySet[WebhookDelivery]:
    """Deliveries as the log shows them: with their event type and every attempt, in a fixed number of queries."""
    return deliveries.select_related("event").prefetch_related("attempt_log")


class ManagerOnlyView(OrgScopedAPIView):
    """An org route only its OWNERs and ADMINs may use (others: 403)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not getattr(self, "swagger_fake_view", False):
            require_integration_manager(self)


class WebhooksView(ManagerOnlyView):
    @extend_schema(
        operation_id="webhooks_list",
        summary="List webhook endpoints",
        parameters=PAGE_PARAMETERS,
        responses={200: s.WebhookListResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def get(self, request, org_id):
        return paged(
            message="Webhooks retrieved successfully",
            key="webhooks",
            serializer_class=s.WebhookSerializer,
            queryset=WebhookEndpoint.objects.for_org(self.org),
            request=request,
        )

    @extend_schema(
        operation_id="webhooks_create",
        summary="Add a webhook endpoint",
        description=(
            "Each delivery is a POST of `{id, type, createdAt, organizationId, data}` signed with "
            '`VChata-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. '
            "The secret is answered only here. URLs that are not http(s) or resolve to a private, loopback "
            "or link-local address are refused (400)."
        ),
        request=s.WebhookInput,
        responses={201: s.WebhookCreatedResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def post(self, request, org_id):
        data = validated(s.WebhookInput, request, self.org)
        endpoint = services.create_webhook(org=self.org, actor=request.user, **data)
        return created(message="Webhook created successfully", webhook=s.WebhookCreatedSerializer(endpoint).data)


class WebhookView(ManagerOnlyView):
    @extend_schema(
        operation_id="webhooks_retrieve",
        summary="Get a webhook endpoint",
        responses={200: s.WebhookResponse, **errors(403, 404)},
        tags=TAGS,
    )
    def get(self, request, org_id, webhook_id):
        endpoint = get_in_org(WebhookEndpoint, self.org, webhook_id, message=services.WEBHOOK_NOT_FOUND)
        return ok(message="Webhook retrieved successfully", webhook=s.WebhookSerializer(endpoint).data)

    @extend_schema(
        operation_id="webhooks_update",
        summary="Change a webhook endpoint",
        description="`isActive: true` re-enables an endpoint disabled after a run of failures.",
        request=s.WebhookUpdateInput,
        responses={200: s.WebhookResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def patch(self, request, org_id, webhook_id):
        changes = validated(s.WebhookUpdateInput, request, self.org)
        endpoint = services.update_webhook(org=self.org, actor=request.user, webhook_id=webhook_id, changes=changes)
        return ok(message="Webhook updated successfully", webhook=s.WebhookSerializer(endpoint).data)

    @extend_schema(
        operation_id="webhooks_destroy",
        summary="Delete a webhook endpoint and its delivery log",
        responses={200: MessageOnlyResponse, **errors(403, 404)},
        tags=TAGS,
    )
    def delete(self, request, org_id, webhook_id):
        services.delete_webhook(org=self.org, actor=request.user, webhook_id=webhook_id)
        return ok(message="Webhook deleted successfully")


class DeliveriesView(ManagerOnlyView):
    @extend_schema(
        operation_id="webhook_deliveries_list",
        summary="The endpoint's delivery log, newest first",
        description="Each delivery with its state and every attempt (status code, duration, error).",
        parameters=PAGE_PARAMETERS,
        responses={200: s.DeliveryListResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def get(self, request, org_id, webhook_id):
        endpoint = get_in_org(WebhookEndpoint, self.org, webhook_id, message=services.WEBHOOK_NOT_FOUND)
        return paged(
            message="Deliveries retrieved successfully",
            key="deliveries",
            serializer_class=s.DeliverySerializer,
            queryset=with_log(WebhookDelivery.objects.filter(endpoint=endpoint)),
            request=request,
        )


class RedeliverView(ManagerOnlyView):
    @extend_schema(
        operation_id="webhook_deliveries_redeliver",
        summary="Send a delivery's event again",
        description="A new delivery of the same event (same event id), sent now and retried like any other.",
        request=None,
        responses={201: s.DeliveryResponse, **errors(403, 404)},
        tags=TAGS,
    )
    def post(self, request, org_id, webhook_id, delivery_id):
        original = (
            WebhookDelivery.objects.for_org(self.org)
            .filter(pk=delivery_id, endpoint_id=webhook_id)
            .select_related("event")
            .first()
        )
        if original is None:
            raise NotFound(DELIVERY_NOT_FOUND)
        copy = redeliver(original)
        copy = with_log(WebhookDelivery.objects.filter(pk=copy.pk)).get()
        return created(message="Delivery queued", delivery=s.DeliverySerializer(copy).data)
