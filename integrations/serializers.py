"""Request validation and response shapes of the integrations API (webhooks, lead forms, Meta, public forms)."""

from urllib.parse import urlsplit

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from pipelines.models import Pipeline
from vchata.inputs import MAX_NOTES, NullIfBlankField, OptionalTextField, OrgRefField, StrictInput
from vchata.schema import envelope, paged

from .models import EventType, LeadForm, WebhookDelivery
from .snippets import form_snippet
from .targets import UnsafeTarget, resolve

MAX_ORIGINS = 20

# --- webhooks ------------------------------------------------------------------------


class WebhookUrlField(serializers.URLField):
    """An http(s) URL whose host resolves only to public addresses (unless WEBHOOKS_ALLOW_PRIVATE)."""

    def __init__(self, **kwargs):
        super().__init__(max_length=2000, **kwargs)

    def to_internal_value(self, data):
        url = super().to_internal_value(data)
        try:
            resolve(url)
        except UnsafeTarget as exc:
            raise ValidationError(str(exc)) from exc
        return url


class EventTypesField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.ChoiceField(choices=EventType.choices),
            allow_empty=False,
            max_length=len(EventType.choices),
            help_text="Event types sent to this endpoint.",
            **kwargs,
        )

    def to_internal_value(self, data):
        return list(dict.fromkeys(super().to_internal_value(data)))  # each type once, in the order given


class WebhookInput(StrictInput):
    url = WebhookUrlField(help_text="http:// or https://; private, loopback and link-local hosts are refused.")
    events = EventTypesField()
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WebhookUpdateInput(StrictInput):
    url = WebhookUrlField(required=False)
    events = EventTypesField(required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    isActive = serializers.BooleanField(
        source="is_active", required=False, help_text="true re-enables an endpoint that was disabled."
    )

    def validate(self, attrs):
        if not attrs:
            raise ValidationError(["At least one field to change is required"])
        return attrs


class WebhookSerializer(serializers.Serializer):
    id = serializers.CharField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))
    description = serializers.CharField()
    isActive = serializers.BooleanField(source="is_active")
    disabledReason = NullIfBlankField(source="disabled_reason", help_text="Why the endpoint was disabled.")
    disabledAt = serializers.DateTimeField(source="disabled_at", allow_null=True)
    consecutiveFailures = serializers.IntegerField(source="consecutive_failures")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="The signing secret. Answered only here: store it now.")


class AttemptSerializer(serializers.Serializer):
    attempt = serializers.IntegerField(source="number")
    statusCode = serializers.IntegerField(source="status_code", allow_null=True)
    durationMs = serializers.IntegerField(source="duration_ms")
    succeeded = serializers.BooleanField()
    error = NullIfBlankField()
    responseBody = NullIfBlankField(source="response_body", help_text="The start of the receiver's answer.")
    at = serializers.DateTimeField(source="created_at")


class DeliverySerializer(serializers.Serializer):
    id = serializers.CharField()
    webhookId = serializers.CharField(source="endpoint_id")
    eventId = serializers.CharField(source="event_id", help_text="The event's id, the same on every redelivery.")
    eventType = serializers.ChoiceField(source="event.type", choices=EventType.choices)
    state = serializers.ChoiceField(choices=WebhookDelivery.State.choices)
    attempts = serializers.IntegerField()
    nextAttemptAt = serializers.DateTimeField(source="next_attempt_at", allow_null=True)
    lastStatusCode = serializers.IntegerField(source="last_status_code", allow_null=True)
    lastDurationMs = serializers.IntegerField(source="last_duration_ms", allow_null=True)
    lastError = NullIfBlankField(source="last_error")
    deliveredAt = serializers.DateTimeField(source="delivered_at", allow_null=True)
    redeliveryOf = serializers.CharField(source="redelivery_of_id", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    attemptLog = AttemptSerializer(source="attempt_log", many=True)


# --- lead forms ----------------------------------------------------------------------


def normalized_origin(value: str) -> str:
    """``scheme://host[:port]`` in lowercase, as browsers send it in ``Origin``."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValidationError(f"{value} is not an origin like https://www.example.com")
    if parts.query or parts.fragment or parts.username:
        raise ValidationError(f"{value} is not an origin like https://www.example.com")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


class OriginsField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.CharField(max_length=300),
            max_length=MAX_ORIGINS,
            allow_empty=True,
            help_text="Browser origins allowed to post the form (CORS), e.g. https://www.example.com.",
            **kwargs,
        )

    def to_internal_value(self, data):
        return list(dict.fromkeys(normalized_origin(o) for o in super().to_internal_value(data)))


class LeadFormInput(StrictInput):
    name = serializers.CharField(max_length=200)
    pipelineId = OrgRefField(
        Pipeline, source="pipeline", required=False, allow_null=True, help_text="Default: the org's default pipeline."
    )
    source = serializers.CharField(max_length=100, required=False, default="web_form")
    allowedOrigins = OriginsField(source="allowed_origins", required=False, default=list)


class LeadFormUpdateInput(StrictInput):
    name = serializers.CharField(max_length=200, required=False)
    pipelineId = OrgRefField(Pipeline, source="pipeline", required=False, allow_null=True)
    source = serializers.CharField(max_length=100, required=False)
    allowedOrigins = OriginsField(source="allowed_origins", required=False)
    isActive = serializers.BooleanField(source="is_active", required=False)

    def validate(self, attrs):
        if not attrs:
            raise ValidationError(["At least one field to change is required"])
        return attrs


class LeadFormSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    formKey = serializers.CharField(source="key", help_text="Public: it goes in your site's HTML.")
    pipelineId = serializers.CharField(source="pipeline_id", allow_null=True)
    source = serializers.CharField()
    allowedOrigins = serializers.ListField(source="allowed_origins", child=serializers.CharField())
    isActive = serializers.BooleanField(source="is_active")
    endpoint = serializers.SerializerMethodField(help_text="Where the form posts.")
    snippet = serializers.SerializerMethodField(help_text="Copy-paste HTML for your site.")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    def _endpoint(self, form: LeadForm) -> str:
        request = self.context.get("request")
        path = f"/forms/{form.key}"
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(serializers.CharField())
    def get_endpoint(self, form: LeadForm) -> str:
        return self._endpoint(form)

    @extend_schema_field(serializers.CharField())
    def get_snippet(self, form: LeadForm) -> str:
        return form_snippet(endpoint=self._endpoint(form))


# --- public form submissions --------------------------------------------------------------

HONEYPOT = "website"


class FormSubmissionInput(serializers.Serializer):
    """What a site's form sends. Unknown keys (submit buttons, consent boxes) are ignored."""

    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    company = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    message = serializers.CharField(max_length=MAX_NOTES, required=False, allow_blank=True, default="")
    utmSource = OptionalTextField(source="utm_source", max_length=200)
    utmMedium = OptionalTextField(source="utm_medium", max_length=200)
    utmCampaign = OptionalTextField(source="utm_campaign", max_length=200)
    utmTerm = OptionalTextField(source="utm_term", max_length=200)
    utmContent = OptionalTextField(source="utm_content", max_length=200)
    gclid = OptionalTextField(max_length=300)
    fbclid = OptionalTextField(max_length=300)
    msclkid = OptionalTextField(max_length=300)
    landingPage = OptionalTextField(max_length=2000, help_text="The page the form is on (location.href).")
    referrer = OptionalTextField(max_length=2000, help_text="document.referrer.")
    website = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Honeypot: hidden from people, left empty. A filled one is accepted and dropped.",
    )

    def to_internal_value(self, data):
        if not isinstance(data, dict) and not hasattr(data, "getlist"):
            raise ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: ["The request body must be a JSON object or a form"]}
            )
        return super().to_internal_value(data)


# --- envelopes ------------------------------------------------------------------------

WebhookResponse = envelope("WebhookResponse", webhook=WebhookSerializer())
WebhookCreatedResponse = envelope("WebhookCreatedResponse", webhook=WebhookCreatedSerializer())
WebhookListResponse = paged("WebhookListResponse", "webhooks", WebhookSerializer(many=True))
DeliveryResponse = envelope("DeliveryResponse", delivery=DeliverySerializer())
DeliveryListResponse = paged("DeliveryListResponse", "deliveries", DeliverySerializer(many=True))
LeadFormResponse = envelope("LeadFormResponse", leadForm=LeadFormSerializer())
LeadFormListResponse = paged("LeadFormListResponse", "leadForms", LeadFormSerializer(many=True))
