"""API keys: created by OWNER/ADMIN with the secret shown once, used as ``Bearer vch_…`` within their scopes and org."""

import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import client_for
from integrations.apikeys import digest_of
from integrations.models import ApiKey
from leads.models import Activity, Lead
from leads.tests.factories import ContactFactory
from tests.support.api import error
from vchata.accounts.models import Membership
from vchata.accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def keys_url(org, rest=""):
    return f"/organizations/{org.pk}/api-keys{rest}"


def make_key(api, org, scopes, **extra) -> tuple[str, dict]:
    response = api.post(keys_url(org), {"name": "Zapier", "scopes": scopes, **extra}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()["apiKey"]
    return body.pop("key"), body


def keyed(secret) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_create_shows_the_secret_once_stores_only_its_hash_and_use_sets_last_used(api, org, pipeline):
    secret, body = make_key(api, org, ["leads:read"])

    assert secret.startswith("vch_") and len(secret) > 40
    stored = ApiKey.objects.get(pk=body["id"])
    assert stored.digest == digest_of(secret) and secret not in stored.digest and stored.prefix == secret[:12]
    assert body["lastUsedAt"] is None and body["scopes"] == ["leads:read"]
    listed = api.get(keys_url(org)).json()["apiKeys"]
    assert [k["id"] for k in listed] == [body["id"]] and "key" not in listed[0]

    response = keyed(secret).get(f"/leads/{org.pk}")

    assert response.status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    assert request_auth_actor(secret) == ("API_KEY", stored.pk, "Zapier")


def request_auth_actor(secret):
    from integrations.apikeys import key_for_secret

    actor = key_for_secret(secret).actor
    return actor.kind, actor.id, actor.name


def test_last_used_is_written_at_most_once_a_minute(api, org):
    secret, body = make_key(api, org, ["leads:read"])
    client = keyed(secret)
    client.get(f"/leads/{org.pk}")
    first = ApiKey.objects.get(pk=body["id"]).last_used_at

    client.get(f"/leads/{org.pk}")

    assert ApiKey.objects.get(pk=body["id"]).last_used_at == first


def test_a_revoked_key_is_a_401_envelope(api, org):
    secret, body = make_key(api, org, ["leads:read"])

    revoked = api.delete(keys_url(org, f"/{body['id']}"))
    response = keyed(secret).get(f"/leads/{org.pk}")

    assert revoked.status_code == 200 and revoked.json()["apiKey"]["revokedAt"] is not None
    assert response.status_code == 401
    assert error(response) == "This API key has been revoked"


def test_keys_of_a_member_who_leaves_stop_working_and_the_others_keep_working(api, org):
    admin = MembershipFactory(organization=org, role=Membership.Role.ADMIN).user
    theirs, their_key = make_key(client_for(admin), org, ["leads:read"])
    mine, _ = make_key(api, org, ["leads:read"])
    assert keyed(theirs).get(f"/leads/{org.pk}").status_code == 200

    assert api.delete(f"/organizations/{org.pk}/members/{admin.pk}").status_code == 200

    response = keyed(theirs).get(f"/leads/{org.pk}")
    assert response.status_code == 401 and error(response) == "This API key has been revoked"
    assert ApiKey.objects.get(pk=their_key["id"]).revoked_at is not None
    assert keyed(mine).get(f"/leads/{org.pk}").status_code == 200


def test_an_unknown_key_is_a_401_envelope(org):
    response = keyed("vch_not-a-key").get(f"/leads/{org.pk}")

    assert response.status_code == 401 and error(response) == "Invalid API key"


@pytest.mark.parametrize(
    "scopes", [["leads:read", "leads:delete"], [], ["ADMIN"]], ids=["unknown", "none", "role-name"]
)
def test_unknown_or_missing_scopes_are_a_400_and_make_no_key(api, org, scopes):
    response = api.post(keys_url(org), {"name": "X", "scopes": scopes}, format="json")

    assert response.status_code == 400
    assert error(response)
    assert not ApiKey.objects.exists()


def test_a_key_on_another_orgs_path_is_a_404(api, org, other_org):
    secret, _ = make_key(api, org, ["leads:read", "leads:write"])

    response = keyed(secret).get(f"/leads/{other_org.pk}")

    assert response.status_code == 404
    assert error(response) == "Organization not found or you don't have access"


def test_a_read_only_key_cannot_write_403_and_nothing_changes(api, org, pipeline):
    secret, _ = make_key(api, org, ["leads:read"])
    contact = ContactFactory(organization=org)

    response = keyed(secret).post(
        f"/leads/{org.pk}", {"contactId": contact.pk, "pipelineId": pipeline.pk}, format="json"
    )

    assert response.status_code == 403
    assert error(response) == "This API key's scopes don't allow this request"
    assert not Lead.objects.exists()


def test_a_key_never_manages_keys_or_configuration(api, org):
    secret, _ = make_key(api, org, ["leads:read", "leads:write", "analytics:read", "conversations:write"])

    assert keyed(secret).get(keys_url(org)).status_code == 403
    assert keyed(secret).post(keys_url(org), {"name": "Y", "scopes": ["leads:read"]}, format="json").status_code == 403
    assert keyed(secret).get(f"/organizations/{org.pk}/webhooks").status_code == 403
    assert ApiKey.objects.count() == 1


def test_a_lead_created_through_a_key_is_recorded_with_the_keys_creator(api, user, org, pipeline):
    secret, _ = make_key(api, org, ["leads:write"])
    contact = ContactFactory(organization=org)

    response = keyed(secret).post(
        f"/leads/{org.pk}", {"contactId": contact.pk, "pipelineId": pipeline.pk}, format="json"
    )

    assert response.status_code == 201, response.content
    lead = Lead.objects.get()
    assert Activity.objects.filter(lead=lead).exclude(actor=user).count() == 0
    assert Activity.objects.filter(lead=lead, actor=user).exists()


def test_keyed_responses_carry_rate_limit_headers_and_429_past_the_limit(api, org):
    secret, _ = make_key(api, org, ["leads:read"], rateLimit=2)
    client = keyed(secret)

    first, second, third = (client.get(f"/leads/{org.pk}") for _ in range(3))

    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]
    assert first["X-RateLimit-Limit"] == "2" and first["X-RateLimit-Remaining"] == "1"
    assert second["X-RateLimit-Remaining"] == "0"
    assert int(first["X-RateLimit-Reset"]) > timezone.now().timestamp()
    assert third["X-RateLimit-Remaining"] == "0" and int(third["Retry-After"]) >= 1
    assert error(third)
    assert "X-RateLimit-Limit" not in api.get(f"/leads/{org.pk}")


def test_a_403_forbidden_key_response_still_carries_headers(api, org):
    secret, _ = make_key(api, org, ["analytics:read"])

    response = keyed(secret).get(f"/leads/{org.pk}")

    assert response.status_code == 403 and response["X-RateLimit-Limit"]


@pytest.mark.parametrize("role", [Membership.Role.MANAGER, Membership.Role.MEMBER])
def test_only_owners_and_admins_manage_keys(org, role):
    caller = MembershipFactory(organization=org, role=role).user

    response = client_for(caller).post(keys_url(org), {"name": "X", "scopes": ["leads:read"]}, format="json")

    assert response.status_code == 403
    assert not ApiKey.objects.exists()


def test_the_settings_page_creates_a_key_shows_it_once_and_revokes_it(browser, org):
    made = browser.post(f"/app/{org.pk}/settings/api-keys/", {"name": "Sheets", "scopes": ["leads:read"]})
    key = ApiKey.objects.get()
    page = made.content.decode()
    secret = re.search(r'value="(vch_[A-Za-z0-9_-]+)"', page).group(1)

    assert made.status_code == 200 and secret.startswith("vch_") and key.digest == digest_of(secret)
    again = browser.get(f"/app/{org.pk}/settings/api-keys/").content.decode()
    assert secret not in again and key.prefix in again and "Sheets" in again

    revoked = browser.post(f"/app/{org.pk}/settings/api-keys/{key.pk}/revoke")
    key.refresh_from_db()
    assert revoked.status_code == 302 and key.revoked_at is not None


def test_the_settings_page_refuses_an_unknown_scope_and_makes_no_key(browser, org):
    response = browser.post(f"/app/{org.pk}/settings/api-keys/", {"name": "X", "scopes": ["leads:delete"]})

    assert response.status_code == 400 and not ApiKey.objects.exists()
