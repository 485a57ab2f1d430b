"""Admin pages of the integration layer: org-scoped, the secret never shown, deliveries redeliverable."""

import pytest

from integrations.models import InboundEvent, WebhookDelivery, WebhookEndpoint
from integrations.outbox import fan_out, record_event
from tests.support.admin import changelist_ids, logged_in, org_admin, superuser

from .factories import make_lead_form, make_webhook

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://93.184.215.14/hooks"


@pytest.mark.parametrize("page", ["webhookendpoint", "webhookdelivery", "outboxevent", "leadform", "inboundevent"])
def test_a_superuser_sees_every_integrations_changelist(org, page):
    make_webhook(org=org, url=PUBLIC_URL)
    fan_out(record_event(org_id=org.pk, event_type="lead.created", data={}).pk)
    make_lead_form(org=org)
    InboundEvent.objects.create(body="{}", body_sha256="0" * 64, object_type="page")

    response = logged_in(superuser()).get(f"/admin/integrations/{page}/")

    assert response.status_code == 200


def test_an_org_admin_sees_only_their_orgs_endpoints_and_never_a_secret(org, other_org):
    mine = make_webhook(org=org, url=PUBLIC_URL)
    make_webhook(org=other_org, url=PUBLIC_URL)
    client = logged_in(org_admin(org))

    listed = client.get("/admin/integrations/webhookendpoint/")
    page = client.get(f"/admin/integrations/webhookendpoint/{mine.pk}/change/")

    assert changelist_ids(listed, "webhook") == {mine.pk}
    assert mine.secret not in page.content.decode()


def test_an_org_admin_cannot_see_inbound_events(org):
    response = logged_in(org_admin(org)).get("/admin/integrations/inboundevent/")

    assert response.status_code == 403


def test_the_admin_refuses_an_internal_webhook_url(org):
    client = logged_in(superuser())

    response = client.post(
        "/admin/integrations/webhookendpoint/add/",
        {"organization": org.pk, "url": "http://169.254.169.254/", "events": '["lead.created"]', "description": ""},
    )

    assert response.status_code == 200
    assert "private, loopback" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_redeliver_from_the_admin_queues_the_same_event(org, django_capture_on_commit_callbacks):
    make_webhook(org=org, url=PUBLIC_URL)
    [delivery_id] = fan_out(record_event(org_id=org.pk, event_type="lead.created", data={}).pk)

    response = logged_in(superuser()).post(
        "/admin/integrations/webhookdelivery/",
        {"action": "redeliver_selected", "_selected_action": [delivery_id]},
    )

    assert response.status_code == 302
    copy = WebhookDelivery.objects.get(redelivery_of_id=delivery_id)
    assert copy.event_id == WebhookDelivery.objects.get(pk=delivery_id).event_id


def test_an_endpoint_added_in_the_admin_shows_its_secret_once(org, allow_loopback):
    client = logged_in(superuser())

    response = client.post(
        "/admin/integrations/webhookendpoint/add/",
        {"organization": org.pk, "url": "http://127.0.0.1:9/x", "events": '["lead.created"]', "description": ""},
        follow=True,
    )

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    assert (
        endpoint.secret not in client.get(f"/admin/integrations/webhookendpoint/{endpoint.pk}/change/").content.decode()
    )


def test_an_api_key_made_in_the_admin_is_shown_once_stored_hashed_and_revocable(org):
    from django.contrib.messages import get_messages

    from integrations.apikeys import digest_of
    from integrations.models import ApiKey

    client = logged_in(org_admin(org))
    made = client.post(
        "/admin/integrations/apikey/add/",
        {"organization": org.pk, "name": "Sync", "scopes": ["leads:read", "leads:write"], "rate_limit": ""},
        follow=True,
    )
    shown = [str(m) for m in get_messages(made.wsgi_request)] or [made.content.decode()]
    key = ApiKey.objects.get()
    secret = next(word for text in shown for word in text.split() if word.startswith("vch_"))
    secret = secret.split("<")[0]

    assert key.digest == digest_of(secret) and key.scopes == ["leads:read", "leads:write"]
    page = client.get(f"/admin/integrations/apikey/{key.pk}/change/").content.decode()
    assert secret not in page and key.digest not in page

    client.post("/admin/integrations/apikey/", {"action": "revoke_selected", "_selected_action": [key.pk]}, follow=True)
    key.refresh_from_db()
    assert key.revoked_at is not None
