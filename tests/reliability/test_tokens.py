"""Access tokens are short-lived; refresh tokens rotate and die on logout; losing an account or a
membership takes effect on the very next request."""

from datetime import timedelta

import jwt
import pytest
import time_machine
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from conftest import client_for
from vchata.accounts.models import Membership
from vchata.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def log_in(client: APIClient, user) -> dict:
    response = client.post("/auth/token", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_access_tokens_live_fifteen_minutes_and_refresh_tokens_a_week(anon, user):
    pair = log_in(anon, user)
    access, refresh = claims(pair["access"]), claims(pair["refresh"])
    assert access["exp"] - access["iat"] == 15 * 60
    assert refresh["exp"] - refresh["iat"] == 7 * 24 * 3600


def test_an_expired_access_token_is_refused(anon, user):
    pair = log_in(anon, user)
    with time_machine.travel(timedelta(minutes=16)):
        response = bearer(pair["access"]).get("/auth/me")
    assert response.status_code == 401
    assert response.json()["statusCode"] == 401


def test_a_token_this_process_already_verified_is_still_refused_once_expired(anon, user, org):
    pair = log_in(anon, user)
    client = bearer(pair["access"])
    assert client.get("/auth/me").status_code == 200  # verified, and kept (vchata.authentication)
    assert client.get(f"/leads/{org.pk}").status_code == 200
    with time_machine.travel(timedelta(minutes=16)):
        assert client.get("/auth/me").status_code == 401
        assert client.get(f"/leads/{org.pk}").status_code == 401


def test_rotation_blacklists_the_used_refresh_token_and_the_new_one_works(anon, user):
    pair = log_in(anon, user)

    rotated = anon.post("/auth/token/refresh", {"refresh": pair["refresh"]}, format="json").json()

    assert BlacklistedToken.objects.filter(token__jti=claims(pair["refresh"])["jti"]).exists()
    assert bearer(rotated["access"]).get("/auth/me").status_code == 200
    again = anon.post("/auth/token/refresh", {"refresh": rotated["refresh"]}, format="json")
    assert again.status_code == 200


def test_a_refresh_token_reused_after_rotation_is_refused_in_the_envelope(anon, user):
    pair = log_in(anon, user)
    anon.post("/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")

    response = anon.post("/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")

    assert response.status_code == 401
    assert response.json() == {
        "success": False,
        "statusCode": 401,
        "message": "Token is blacklisted",
        "error": "Unauthorized",
    }


def test_logout_kills_the_refresh_token_and_leaves_other_sessions_alone(anon, user):
    laptop, phone = log_in(anon, user), log_in(anon, user)

    logout = bearer(laptop["access"]).post("/auth/logout", {"refresh": laptop["refresh"]}, format="json")
    assert logout.status_code == 200

    assert anon.post("/auth/token/refresh", {"refresh": laptop["refresh"]}, format="json").status_code == 401
    assert anon.post("/auth/token/refresh", {"refresh": phone["refresh"]}, format="json").status_code == 200


def test_logging_out_someone_elses_refresh_token_is_refused(anon, user):
    victim = UserFactory()
    theirs = log_in(anon, victim)

    response = client_for(user).post("/auth/logout", {"refresh": theirs["refresh"]}, format="json")

    assert response.status_code == 400
    assert anon.post("/auth/token/refresh", {"refresh": theirs["refresh"]}, format="json").status_code == 200


def test_an_access_token_cannot_be_used_as_a_refresh_token(anon, user):
    pair = log_in(anon, user)
    response = anon.post("/auth/token/refresh", {"refresh": pair["access"]}, format="json")
    assert response.status_code == 401


def test_a_token_signed_with_another_key_is_refused(user):
    payload = {"token_type": "access", "user_id": user.pk, "exp": 4102444800, "jti": "x"}
    forged = jwt.encode(payload, "not-our-signing-key-but-long-enough-for-hs256", algorithm="HS256")
    assert bearer(forged).get("/auth/me").status_code == 401


def test_an_unsigned_token_is_refused(user):
    unsigned = jwt.encode({"token_type": "access", "user_id": user.pk, "exp": 4102444800, "jti": "x"}, None, "none")
    assert bearer(unsigned).get("/auth/me").status_code == 401


def test_a_deactivated_user_can_neither_use_nor_refresh_nor_obtain_tokens(anon, user):
    pair = log_in(anon, user)
    user.is_active = False
    user.save()

    assert bearer(pair["access"]).get("/auth/me").status_code == 401
    assert anon.post("/auth/token/refresh", {"refresh": pair["refresh"]}, format="json").status_code == 401
    assert anon.post("/auth/token", {"email": user.email, "password": PASSWORD}, format="json").status_code == 401


def test_a_deleted_user_refresh_token_is_a_401_not_a_500(anon):
    doomed = UserFactory()
    pair = log_in(anon, doomed)
    doomed.delete()

    assert bearer(pair["access"]).get("/auth/me").status_code == 401
    response = anon.post("/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == 401
    assert response.json()["statusCode"] == 401


def test_changing_the_password_revokes_existing_tokens(anon, user):
    pair = log_in(anon, user)
    user.set_password("a-brand-new-passphrase-42")
    user.save()

    assert bearer(pair["access"]).get("/auth/me").status_code == 401
    assert anon.post("/auth/token/refresh", {"refresh": pair["refresh"]}, format="json").status_code == 401


def test_a_removed_member_loses_the_org_on_the_next_request_with_the_same_token(org, member):
    client = client_for(member)
    assert client.get(f"/organizations/{org.pk}/members").status_code == 200

    Membership.objects.filter(organization=org, user=member).delete()

    response = client.get(f"/organizations/{org.pk}/members")
    assert response.status_code == 404
    assert response.json()["message"] == "Organization not found or you don't have access"
    assert client.get("/auth/me").json()["organizations"] == []


def test_the_signing_key_defaults_to_the_secret_key():
    assert settings.SIMPLE_JWT["SIGNING_KEY"] == settings.SECRET_KEY
