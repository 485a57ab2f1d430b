"""Org routes read the user together with the membership; every check of JWTAuthentication still holds."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from conftest import client_for
from leads.models import Activity, Lead

pytestmark = pytest.mark.django_db


def stats_url(org) -> str:
    return f"/leads/{org.pk}/stats"


def test_a_member_is_answered_and_the_real_user_acts(user, org, pipeline, api):
    response = api.post(
        f"/leads/{org.pk}/with-contact",
        {"contact": {"name": "Ada Lovelace"}, "pipelineId": pipeline.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    lead = Lead.objects.get(pk=response.json()["lead"]["id"])
    # The services got the model user (not the token's stand-in): the history names who did it.
    assert Activity.objects.get(lead=lead, type="CREATED").actor_id == user.pk


def test_an_inactive_member_is_401_not_404(user, org, api):
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = api.get(stats_url(org))
    assert response.status_code == 401
    assert response.json()["success"] is False


def test_a_token_from_before_a_password_change_is_401(user, org, api):
    user.set_password("a-new-password-2026")
    user.save(update_fields=["password"])
    response = api.get(stats_url(org))
    assert response.status_code == 401
    assert "password" in response.json()["message"].lower()


def test_a_deleted_users_token_is_401_even_for_an_org_it_never_joined(user, org, other_org):
    client = client_for(user)
    user.delete()
    assert client.get(stats_url(org)).status_code == 401
    assert client.get(stats_url(other_org)).status_code == 401


def test_an_inactive_non_member_is_401_and_an_active_one_404(user, other_org, api):
    assert api.get(stats_url(other_org)).status_code == 404
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert api.get(stats_url(other_org)).status_code == 401


def test_no_token_or_a_forged_one_is_401(org):
    assert APIClient().get(stats_url(org)).status_code == 401
    forged = str(RefreshToken().access_token) + "x"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert client.get(stats_url(org)).status_code == 401


def test_a_membership_removed_mid_session_is_404_at_once(member, org):
    client = client_for(member)
    assert client.get(stats_url(org)).status_code == 200
    org.memberships.filter(user=member).delete()
    assert client.get(stats_url(org)).status_code == 404
