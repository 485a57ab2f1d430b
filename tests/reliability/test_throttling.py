"""Throttles per anonymous IP, per user, and the stricter ``auth`` scope on sign-up and token."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache

from conftest import client_for
from vchata.accounts.models import User
from vchata.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert response.json() == {
        "success": False,
        "statusCode": 429,
        "message": response.json()["message"],
        "error": "Too Many Requests",
    }
    assert response.json()["message"].startswith("Request was throttled")
    assert int(response["Retry-After"]) > 0


def refresh_garbage(client, **extra):
    return client.post("/auth/token/refresh", {"refresh": "garbage"}, format="json", **extra)


def test_anonymous_requests_are_counted_per_ip(anon, throttle_rates):
    throttle_rates(anon="3/minute")

    answers = [refresh_garbage(anon).status_code for _ in range(3)]
    assert answers == [401, 401, 401]

    assert_throttled(refresh_garbage(anon))
    assert refresh_garbage(anon, REMOTE_ADDR="10.0.0.7").status_code == 401  # another client


def test_a_forged_forwarded_for_header_does_not_reset_the_anonymous_count(anon, throttle_rates):
    throttle_rates(anon="2/minute")
    for n in range(2):
        refresh_garbage(anon, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    assert_throttled(refresh_garbage(anon, HTTP_X_FORWARDED_FOR="203.0.113.99"))


def test_behind_one_proxy_the_forwarded_client_address_is_counted(anon, throttle_rates, settings):
    throttle_rates(anon="1/minute")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    assert refresh_garbage(anon, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 401
    assert_throttled(refresh_garbage(anon, HTTP_X_FORWARDED_FOR="198.51.100.1"))
    assert refresh_garbage(anon, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 401


def test_a_user_is_counted_across_tokens_and_addresses(user, throttle_rates):
    throttle_rates(user="3/minute")
    first, second = client_for(user), client_for(user)

    assert first.get("/auth/me").status_code == 200
    assert second.get("/auth/me", REMOTE_ADDR="10.0.0.8").status_code == 200
    assert first.get("/auth/me", REMOTE_ADDR="10.0.0.9").status_code == 200

    assert_throttled(second.get("/auth/me"))
    assert client_for(UserFactory()).get("/auth/me").status_code == 200  # other users are unaffected


def test_token_requests_get_the_stricter_auth_rate(anon, user, throttle_rates):
    throttle_rates(auth="2/minute", anon="100/minute")
    for _ in range(2):
        anon.post("/auth/token", {"email": user.email, "password": "wrong"}, format="json")

    # Even the right password waits: a guesser learns nothing from the answer.
    assert_throttled(anon.post("/auth/token", {"email": user.email, "password": PASSWORD}, format="json"))
    assert anon.post("/auth/token/refresh", {"refresh": "x"}, format="json").status_code == 401  # other routes go on


def test_sign_up_shares_the_auth_count_and_a_throttled_sign_up_creates_nothing(anon, throttle_rates):
    throttle_rates(auth="2/minute", anon="100/minute")
    anon.post("/auth/token", {"email": "a@example.com", "password": "x"}, format="json")
    anon.post("/auth/token", {"email": "b@example.com", "password": "x"}, format="json")

    response = anon.post(
        "/auth/signup",
        {"email": "new@example.com", "password": "a-long-passphrase-9", "name": "New", "organizationName": "Acme"},
        format="json",
    )

    assert_throttled(response)
    assert not User.objects.filter(email="new@example.com").exists()


def test_throttle_counters_live_in_the_configured_cache_one_per_window(anon, throttle_rates):
    throttle_rates(anon="5/minute")
    with time_machine.travel(datetime(2024, 1, 15, 10, 30, 15, tzinfo=UTC), tick=False):
        refresh_garbage(anon)
        refresh_garbage(anon)
        window = int(datetime(2024, 1, 15, 10, 30, tzinfo=UTC).timestamp() // 60)
        assert cache.get(f"throttle_anon_127.0.0.1:{window}") == 2


def test_retry_after_is_the_rest_of_the_window(anon, throttle_rates):
    throttle_rates(anon="1/minute")
    with time_machine.travel(datetime(2024, 1, 15, 10, 30, 15, tzinfo=UTC), tick=False):
        refresh_garbage(anon)
        response = refresh_garbage(anon)
    assert response.status_code == 429
    assert response["Retry-After"] == "45"


def test_a_new_window_starts_a_new_count(anon, throttle_rates):
    throttle_rates(anon="1/minute")
    with time_machine.travel(datetime(2024, 1, 15, 10, 30, 59, tzinfo=UTC), tick=False):
        refresh_garbage(anon)
        assert refresh_garbage(anon).status_code == 429
    with time_machine.travel(datetime(2024, 1, 15, 10, 31, 0, tzinfo=UTC), tick=False):
        assert refresh_garbage(anon).status_code == 401
