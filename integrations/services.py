"""Changes to webhook endpoints and lead forms (the deliveries themselves are ``delivery``'s)."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from pipelines.models import Pipeline
from vchata.accounts.models import Organization, User
from vchata.exceptions import NotFound
from vchata.tenancy import get_in_org

from .models import LeadForm, WebhookEndpoint, new_form_key

WEBHOOK_NOT_FOUND = "Webhook not found or you don't have access"
LEAD_FORM_NOT_FOUND = "Lead form not found or you don't have access"


@transaction.atomic
def create_webhook(
    *, org: Organization, actor: User | None, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(organization=org, url=url, events=events, description=description)


@transaction.atomic
def update_webhook(
    *, org: Organization, actor: User | None, webhook_id: str, changes: Mapping[str, Any]
) -> WebhookEndpoint:
    """Change url, events, description or is_active; turning an endpoint back on clears its failure run."""
    endpoint = WebhookEndpoint.objects.for_org(org).select_for_update().filter(pk=webhook_id).first()
    if endpoint is None:
        raise NotFound(WEBHOOK_NOT_FOUND)
    for name in ("url", "events", "description"):
        if name in changes:
            setattr(endpoint, name, changes[name])
    if "is_active" in changes and changes["is_active"] != endpoint.is_active:
        endpoint.is_active = changes["is_active"]
        endpoint.consecutive_failures, endpoint.failing_since = 0, None
        if endpoint.is_active:
            endpoint.disabled_reason, endpoint.disabled_at = "", None
        else:
            endpoint.disabled_reason, endpoint.disabled_at = "Turned off by a user", timezone.now()
    endpoint.save()
    return endpoint


@transaction.atomic
def delete_webhook(*, org: Organization, actor: User | None, webhook_id: str) -> None:
    """Delete the endpoint with its delivery log; events stay for the org's other endpoints."""
    deleted, _ = WebhookEndpoint.objects.for_org(org).filter(pk=webhook_id).delete()
    if not deleted:
        raise NotFound(WEBHOOK_NOT_FOUND)


@transaction.atomic
def create_lead_form(
    *,
    org: Organization,
    actor: User | None,
    name: str,
    pipeline: Pipeline | None = None,
    source: str = "web_form",
    allowed_origins: list[str] = (),
) -> LeadForm:
    return LeadForm.objects.create(
        organization=org, name=name, pipeline=pipeline, source=source, allowed_origins=list(allowed_origins)
    )


@transaction.atomic
def update_lead_form(*, org: Organization, actor: User | None, form_id: str, changes: Mapping[str, Any]) -> LeadForm:
    form = get_in_org(LeadForm, org, form_id, message=LEAD_FORM_NOT_FOUND)
    for name in ("name", "pipeline", "source", "allowed_origins", "is_active"):
        if name in changes:
            setattr(form, name, changes[name])
    form.save()
    return form


@transaction.atomic
def rotate_lead_form_key(*, org: Organization, actor: User | None, form_id: str) -> LeadForm:
    """A new public key; the old one stops working at once (sites must update their snippet)."""
    form = get_in_org(LeadForm, org, form_id, message=LEAD_FORM_NOT_FOUND)
    form.key = new_form_key()
    form.save(update_fields=["key", "updated_at"])
    return form


@transaction.atomic
def delete_lead_form(*, org: Organization, actor: User | None, form_id: str) -> None:
    deleted, _ = LeadForm.objects.for_org(org).filter(pk=form_id).delete()
    if not deleted:
        raise NotFound(LEAD_FORM_NOT_FOUND)
