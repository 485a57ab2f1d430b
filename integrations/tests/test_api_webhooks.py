"""``/organizations/{orgId}/webhooks…``: OWNER/ADMIN only, org-scoped, secret answered once, log and redelivery."""

import pytest

from conftest import client_for
from integrations.models import WebhookEndpoint
from integrations.outbox import fan_out, record_event
from vchata.accounts.models import Membership
from vchata.accounts.tests.factories import MembershipFactory

from .factories import make_webhook

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://93.184.215.14/hooks"  # a public address: no DNS needed


def url(org, rest=""):
    return f"/organizations/{org.pk}/webhooks{rest}"


def test_creating_a_webhook_answers_its_secret_once(api, org):
    response = api.post(url(org), {"url": PUBLIC_URL, "events": ["lead.created", "lead.lost"]}, format="json")

    assert response.status_code == 201
    webhook = response.json()["webhook"]
    assert webhook["secret"].startswith("whsec_")
    assert webhook["events"] == ["lead.created", "lead.lost"]
    assert webhook["isActive"] is True and webhook["disabledReason"] is None
    listed = api.get(url(org)).json()["webhooks"]
    shown = api.get(url(org, f"/{webhook['id']}")).json()["webhook"]
    assert "secret" not in listed[0] and "secret" not in shown
    assert WebhookEndpoint.objects.get().secret == webhook["secret"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("ftp://93.184.215.14/x", "url must start with http:// or https://"),
        ("javascript:alert(1)", "url must start with http:// or https://"),
        ("http://127.0.0.1:8000/x", "url must not point to a private, loopback, link-local or reserved address"),
        ("http://localhost/x", "url must not point to a private, loopback, link-local or reserved address"),
        ("http://10.1.2.3/x", "url must not point to a private, loopback, link-local or reserved address"),
        ("http://169.254.169.254/latest", "url must not point to a private, loopback, link-local or reserved address"),
        ("http://[::1]/x", "url must not point to a private, loopback, link-local or reserved address"),
        ("http://[::ffff:192.168.0.1]/x", "url must not point to a private, loopback, link-local or reserved address"),
        ("http://user:pw@93.184.215.14/x", "url must not contain a user name or password"),
        ("http://no-such-host.invalid/x", "url's host no-such-host.invalid does not resolve"),
    ],
)
def test_urls_that_are_not_http_or_point_inside_are_refused(api, org, target, message):
    response = api.post(url(org), {"url": target, "events": ["lead.created"]}, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == [message]
    assert WebhookEndpoint.objects.count() == 0


def test_loopback_targets_are_allowed_by_the_setting(api, org, allow_loopback):
    response = api.post(url(org), {"url": "http://127.0.0.1:9/x", "events": ["lead.created"]}, format="json")

    assert response.status_code == 201


def test_unknown_event_types_are_refused(api, org):
    response = api.post(url(org), {"url": PUBLIC_URL, "events": ["lead.exploded"]}, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == ['events[0] must be one of the allowed values, not "lead.exploded"']


@pytest.mark.parametrize("role", [Membership.Role.MEMBER])
def test_only_owners_and_admins_manage_webhooks(org, role):
    client = client_for(MembershipFactory(organization=org, role=role).user)

    assert client.get(url(org)).status_code == 403
    assert client.post(url(org), {"url": PUBLIC_URL, "events": ["lead.created"]}, format="json").status_code == 403


def test_an_admin_manages_webhooks(org):
    client = client_for(MembershipFactory(organization=org, role=Membership.Role.ADMIN).user)

    assert client.post(url(org), {"url": PUBLIC_URL, "events": ["lead.created"]}, format="json").status_code == 201


def test_another_orgs_webhook_is_not_found(api, org, other_org):
    foreign = make_webhook(org=other_org, url=PUBLIC_URL)

    assert api.get(url(org, f"/{foreign.pk}")).status_code == 404
    assert api.patch(url(org, f"/{foreign.pk}"), {"description": "x"}, format="json").status_code == 404
    assert api.delete(url(org, f"/{foreign.pk}")).status_code == 404
    assert api.get(url(org, f"/{foreign.pk}/deliveries")).status_code == 404
    assert api.get(url(other_org)).status_code == 404
    assert WebhookEndpoint.objects.filter(pk=foreign.pk).exists()


def test_re_enabling_a_disabled_endpoint_clears_its_failure_run(api, org):
    endpoint = make_webhook(org=org, url=PUBLIC_URL)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, disabled_reason="Disabled after 20 failed deliveries", consecutive_failures=20
    )

    response = api.patch(url(org, f"/{endpoint.pk}"), {"isActive": True}, format="json")

    assert response.status_code == 200
    webhook = response.json()["webhook"]
    assert (webhook["isActive"], webhook["disabledReason"], webhook["consecutiveFailures"]) == (True, None, 0)


def test_an_empty_patch_is_refused(api, org):
    endpoint = make_webhook(org=org, url=PUBLIC_URL)

    response = api.patch(url(org, f"/{endpoint.pk}"), {}, format="json")

    assert response.status_code == 400


def test_deleting_a_webhook_removes_it(api, org):
    endpoint = make_webhook(org=org, url=PUBLIC_URL)

    assert api.delete(url(org, f"/{endpoint.pk}")).status_code == 200
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_query_count_is_flat(api, org, django_assert_num_queries):
    endpoint = make_webhook(org=org, url=PUBLIC_URL)
    for n in range(12):
        fan_out(record_event(org_id=org.pk, event_type="lead.created", data={"n": n}).pk)

    # membership (+org, user), endpoint, count, page with events joined, attempts of the page
    with django_assert_num_queries(5):
        response = api.get(url(org, f"/{endpoint.pk}/deliveries?limit=50"))

    assert response.status_code == 200
    deliveries = response.json()["deliveries"]
    assert len(deliveries) == 12
    assert deliveries[0]["state"] == "PENDING" and deliveries[0]["attemptLog"] == []


def test_redelivering_answers_a_new_delivery_of_the_same_event(
    api, org, receiver, allow_loopback, django_capture_on_commit_callbacks
):
    endpoint = make_webhook(org=org, url=receiver.url)
    [delivery_id] = fan_out(record_event(org_id=org.pk, event_type="lead.created", data={}).pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url(org, f"/{endpoint.pk}/deliveries/{delivery_id}/redeliver"))

    assert response.status_code == 201
    delivery = response.json()["delivery"]
    assert delivery["redeliveryOf"] == delivery_id
    assert len(receiver.wait_for(1)) == 1


def test_redelivering_another_endpoints_delivery_is_not_found(api, org, allow_loopback):
    first = make_webhook(org=org, url="http://127.0.0.1:9/a")
    second = make_webhook(org=org, url="http://127.0.0.1:9/b")
    delivery_ids = fan_out(record_event(org_id=org.pk, event_type="lead.created", data={}).pk)
    of_first = first.deliveries.get(pk__in=delivery_ids).pk

    response = api.post(url(org, f"/{second.pk}/deliveries/{of_first}/redeliver"))

    assert response.status_code == 404
