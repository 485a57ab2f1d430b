"""Admin for webhook endpoints and their deliveries, lead forms, API keys, the outbox and inbound events.

Endpoints and forms are edited through ``integrations.services``; deliveries,
attempts and events are history the workers write, so read-only here (a
delivery can be redelivered). Inbound events belong to no single org: only
superusers see them.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from vchata.tenancy.admin import OrgConsistentForm, OrgScopedAdmin, ScopedInline
from vchata.tenancy.permissions import Action

from . import services
from .apikeys import create_api_key, revoke_api_key
from .delivery import redeliver
from .models import (
    ApiKey,
    ApiKeyScope,
    DeliveryAttempt,
    EventType,
    InboundEvent,
    LeadForm,
    OutboxEvent,
    WebhookDelivery,
    WebhookEndpoint,
)
from .snippets import form_snippet
from .targets import UnsafeTarget, resolve

ORG_FILTER = ("organization", admin.RelatedOnlyFieldListFilter)


class WebhookEndpointForm(OrgConsistentForm):
    """The API's checks: a public http(s) URL and known event types."""

    url = forms.URLField(max_length=2000, assume_scheme="https")

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            resolve(url)
        except UnsafeTarget as exc:
            raise forms.ValidationError(str(exc)) from exc
        return url

    def clean_events(self):
        events = self.cleaned_data["events"]
        known = set(EventType.values)
        if not isinstance(events, list) or not events or not all(e in known for e in events):
            raise forms.ValidationError(f"Give a list of event types from: {', '.join(EventType.values)}")
        return list(dict.fromkeys(events))


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(OrgScopedAdmin):
    view_action = Action.CONFIGURE  # as in the API: integrations are OWNERs' and ADMINs' only
    list_display = ("url", "organization", "is_active", "consecutive_failures", "disabled_reason", "created_at")
    list_filter = ("is_active", ORG_FILTER)
    search_fields = ("url", "description")
    # The secret signs every delivery; it is answered once by the API and never shown here.
    fields = (
        "organization",
        "url",
        "events",
        "description",
        "is_active",
        "disabled_reason",
        "disabled_at",
        "consecutive_failures",
        "failing_since",
    )
    readonly_fields = ("disabled_reason", "disabled_at", "consecutive_failures", "failing_since")

    form = WebhookEndpointForm

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ("url", "events", "description")}
        if not change:
            created = services.create_webhook(org=obj.organization, actor=request.user, **fields)
            obj.pk, obj.secret = created.pk, created.secret
            self.message_user(request, f"Signing secret, shown only now: {created.secret}", messages.WARNING)
            return
        changes = {**fields, "is_active": form.cleaned_data["is_active"]}
        services.update_webhook(org=obj.organization, actor=request.user, webhook_id=obj.pk, changes=changes)


class AttemptInline(ScopedInline):
    model = DeliveryAttempt
    read_only = True
    can_delete = False
    fields = ("number", "status_code", "duration_ms", "succeeded", "error", "response_body", "created_at")
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OrgScopedAdmin):
    view_action = Action.CONFIGURE  # as in the API: integrations are OWNERs' and ADMINs' only
    read_only = True
    list_display = ("event_link", "endpoint", "state", "attempts", "last_status_code", "last_error", "created_at")
    list_filter = ("state", ORG_FILTER)
    list_select_related = ("endpoint", "event")
    search_fields = ("event__id", "endpoint__url")
    inlines = [AttemptInline]
    actions = ["redeliver_selected"]

    @admin.display(description="event")
    def event_link(self, delivery: WebhookDelivery):
        return format_html("{} <code>{}</code>", delivery.event.type, delivery.event_id)

    @admin.action(description="Redeliver the selected deliveries (same event ids)")
    def redeliver_selected(self, request, queryset):
        count = 0
        for delivery in queryset:
            redeliver(delivery)
            count += 1
        self.message_user(request, f"{count} deliveries queued again.", messages.SUCCESS)


@admin.register(OutboxEvent)
class OutboxEventAdmin(OrgScopedAdmin):
    view_action = Action.CONFIGURE  # as in the API: integrations are OWNERs' and ADMINs' only
    read_only = True
    list_display = ("pk", "type", "organization", "created_at", "fanned_out_at")
    list_filter = ("type", ORG_FILTER)
    search_fields = ("id",)


@admin.register(LeadForm)
class LeadFormAdmin(OrgScopedAdmin):
    view_action = Action.CONFIGURE  # as in the API: integrations are OWNERs' and ADMINs' only
    list_display = ("name", "organization", "pipeline", "source", "is_active", "key")
    list_filter = ("is_active", ORG_FILTER)
    readonly_fields = ("key", "snippet")
    fields = ("organization", "name", "pipeline", "source", "allowed_origins", "is_active", "key", "snippet")
    actions = ["rotate_keys"]

    @admin.display(description="HTML snippet")
    def snippet(self, form: LeadForm):
        if not form.pk:
            return "—"
        return format_html("<pre>{}</pre>", form_snippet(endpoint=f"/forms/{form.key}"))

    @admin.action(description="Rotate the keys of the selected forms")
    def rotate_keys(self, request, queryset):
        for form in queryset:
            services.rotate_lead_form_key(org=form.organization, actor=request.user, form_id=form.pk)
        self.message_user(request, "New keys made; update the snippets on your sites.", messages.SUCCESS)


class ApiKeyForm(OrgConsistentForm):
    scopes = forms.MultipleChoiceField(choices=ApiKeyScope.choices, widget=forms.CheckboxSelectMultiple)


@admin.register(ApiKey)
class ApiKeyAdmin(OrgScopedAdmin):
    """Created here with the secret shown once in a message; afterwards only its name and rate can change."""

    view_action = Action.CONFIGURE  # as in the API: integrations are OWNERs' and ADMINs' only
    list_display = ("name", "organization", "prefix", "scopes", "last_used_at", "revoked_at", "created_at")
    list_filter = (ORG_FILTER,)
    search_fields = ("name", "prefix")
    form = ApiKeyForm
    actions = ["revoke_selected"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("organization", "name", "scopes", "rate_limit")
        return ("organization", "name", "scopes", "rate_limit", "prefix", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        # The digest is never shown or edited; scopes and org are fixed once a secret exists.
        return () if obj is None else ("organization", "scopes", "prefix", "last_used_at", "revoked_at")

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "rate_limit", "updated_at"])
            return
        data = form.cleaned_data
        key, secret = create_api_key(
            org=data["organization"],
            actor=request.user,
            name=data["name"],
            scopes=data["scopes"],
            rate_limit=data.get("rate_limit"),
        )
        obj.pk = key.pk
        self.message_user(request, f"API key, shown only now: {secret}", messages.WARNING)

    @admin.action(description="Revoke the selected API keys")
    def revoke_selected(self, request, queryset):
        for key in queryset:
            revoke_api_key(org=key.organization, actor=request.user, key_id=key.pk)
        self.message_user(request, "Keys revoked: they answer 401 from now on.", messages.SUCCESS)


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = ("pk", "source", "object_type", "state", "attempts", "received_at", "processed_at")
    list_filter = ("state", "object_type")
    readonly_fields = [f.name for f in InboundEvent._meta.fields]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
