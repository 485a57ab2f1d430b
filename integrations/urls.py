"""Routes of the integrations API: webhooks and lead forms per organization, and the public inbound routes."""

from django.urls import path

from .api import api_keys, lead_forms, public, webhooks

WEBHOOKS = "organizations/<org_id:org_id>/webhooks"
WEBHOOK = f"{WEBHOOKS}/<webhook_id:webhook_id>"
FORMS = "organizations/<org_id:org_id>/lead-forms"
API_KEYS = "organizations/<org_id:org_id>/api-keys"

urlpatterns = [
    path(WEBHOOKS, webhooks.WebhooksView.as_view(), name="webhooks"),
    path(WEBHOOK, webhooks.WebhookView.as_view(), name="webhook"),
    path(f"{WEBHOOK}/deliveries", webhooks.DeliveriesView.as_view(), name="webhook-deliveries"),
    path(
        f"{WEBHOOK}/deliveries/<delivery_id:delivery_id>/redeliver",
        webhooks.RedeliverView.as_view(),
        name="webhook-redeliver",
    ),
    path(FORMS, lead_forms.LeadFormsView.as_view(), name="lead-forms"),
    path(f"{FORMS}/<form_id:form_id>", lead_forms.LeadFormView.as_view(), name="lead-form"),
    path(f"{FORMS}/<form_id:form_id>/rotate-key", lead_forms.RotateLeadFormKeyView.as_view(), name="lead-form-rotate"),
    path(API_KEYS, api_keys.ApiKeysView.as_view(), name="api-keys"),
    path(f"{API_KEYS}/<key_id:key_id>", api_keys.ApiKeyView.as_view(), name="api-key"),
    path("webhooks/meta", public.MetaWebhookView.as_view(), name="meta-webhook"),
    path("forms/<str:form_key>", public.FormSubmitView.as_view(), name="form-submit"),
]
