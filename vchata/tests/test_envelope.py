"""Every error the API returns uses the contract's envelope."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def assert_envelope(response, status: int, error: str):
    assert response.status_code == status
    body = response.json()
    assert body["success"] is False
    assert body["statusCode"] == status
    assert body["error"] == error
    assert body["message"]
    return body


def test_malformed_json_is_a_400_envelope(api):
    response = api.post("/organizations", data="{not json", content_type="application/json")
    assert_envelope(response, 400, "Bad Request")


def test_a_wrong_content_type_is_a_415_envelope(api):
    response = api.post("/organizations", data="name=x", content_type="application/x-www-form-urlencoded")
    assert_envelope(response, 415, "Unsupported Media Type")


def test_an_unknown_api_path_is_a_404_envelope(api):
    assert_envelope(api.get("/no/such/route"), 404, "Not Found")


def test_a_malformed_org_id_is_a_404_envelope(api):
    assert_envelope(api.get("/organizations/not-an-id/members"), 404, "Not Found")


def test_a_wrong_method_is_a_405_envelope(api):
    assert_envelope(api.delete("/auth/me"), 405, "Method Not Allowed")


def test_a_missing_token_is_a_401_envelope(anon):
    assert_envelope(anon.get("/auth/me"), 401, "Unauthorized")


def test_a_garbage_token_is_a_401_envelope_with_a_plain_message(anon):
    anon.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    body = assert_envelope(anon.get("/auth/me"), 401, "Unauthorized")
    assert isinstance(body["message"], str)


def test_validation_errors_are_one_sentence_per_problem_naming_the_field(api):
    body = assert_envelope(api.post("/organizations", {"name": "x" * 201}, format="json"), 400, "Bad Request")
    assert body["message"] == ["name must be at most 200 characters long"]


@override_settings(API_MAX_BODY_BYTES=100)
def test_an_oversize_body_is_a_413_envelope(api):
    response = api.post("/organizations", {"name": "x" * 150}, format="json")
    assert_envelope(response, 413, "Request Entity Too Large")


def test_an_unexpected_exception_is_a_500_envelope_without_a_trace(api, monkeypatch, caplog):
    from vchata.accounts import api as accounts_api

    def explode(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(accounts_api, "create_organization", explode)
    response = api.post("/organizations", {"name": "Boom"}, format="json")

    body = assert_envelope(response, 500, "Internal Server Error")
    assert "secret" not in response.content.decode()
    assert body["message"] == "Internal server error"
    assert "secret internals" in caplog.text  # logged server-side


def test_a_throttled_request_is_a_429_envelope_with_retry_after():
    from rest_framework.exceptions import Throttled

    from vchata.exceptions import envelope_exception_handler

    response = envelope_exception_handler(Throttled(wait=7), {})
    assert response.status_code == 429
    assert response.data["error"] == "Too Many Requests"
    assert response["Retry-After"] == "7"
