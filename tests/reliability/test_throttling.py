"""Throttles per anonymous IP, per user, and the stricter ``auth`` scope on sign-up and token."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache

from conftest import client_for
from vchata.accounts.models import User
from vchata.accounts.tests.factories import PASSWORD, UserFactory
from vchata.throttling import seconds_until_allowed, weighted_count

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


def at(hour_minute_second: str):
    """Stops the clock at that time of 2024-01-15 (UTC)."""
    hour, minute, second = map(int, hour_minute_second.split(":"))
    return time_machine.travel(datetime(2024, 1, 15, hour, minute, second, tzinfo=UTC), tick=False)


def test_a_burst_at_the_end_of_a_window_gets_no_second_allowance_at_the_start_of_the_next(anon, throttle_rates):
    throttle_rates(anon="2/minute")
    with at("10:30:59"):
        assert [refresh_garbage(anon).status_code for _ in range(2)] == [401, 401]
    with at("10:31:00"):
        assert_throttled(refresh_garbage(anon))  # a fixed window would let two more through here


def test_retry_after_is_when_the_next_request_fits(anon, throttle_rates):
    throttle_rates(anon="4/minute")
    with at("10:30:15"):
        for _ in range(4):
            refresh_garbage(anon)
        response = refresh_garbage(anon)
    # In the next window the previous one's 4 weigh 3 after a quarter of it: 60 s from now.
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    with at("10:31:14"):
        assert_throttled(refresh_garbage(anon))
    with at("10:31:15"):
        assert refresh_garbage(anon).status_code == 401


def test_requests_refused_at_the_same_moment_do_not_lengthen_the_wait(anon, throttle_rates):
    throttle_rates(anon="4/minute")
    window = int(datetime(2024, 1, 15, 10, 30, tzinfo=UTC).timestamp() // 60)
    # Four served, and six refused elsewhere that have not taken themselves back yet.
    cache.set(f"throttle_anon_127.0.0.1:{window}", 4 + 6)
    with at("10:30:15"):
        response = refresh_garbage(anon)
    assert response["Retry-After"] == "60"  # as for four served, not ten


def test_refused_requests_are_not_counted(anon, throttle_rates):
    throttle_rates(anon="2/minute")
    with at("10:30:00"):
        for _ in range(7):
            refresh_garbage(anon)  # two served, five refused
    with at("10:31:30"):
        # Half of the previous window's two still weigh: one more fits (seven would have weighed 3.5).
        assert refresh_garbage(anon).status_code == 401
        assert_throttled(refresh_garbage(anon))


@pytest.mark.parametrize("limit", [1, 2, 5, 10, 120])
def test_the_wait_is_exactly_until_one_more_request_fits(limit):
    """Across counts and times, one request fits after the wait and not a second before it."""

    def fits(previous, current, elapsed):  # elapsed may run into the next window
        if elapsed >= 1:
            return weighted_count(current, 0, elapsed - 1) + 1 <= limit
        return weighted_count(previous, current, elapsed) + 1 <= limit

    duration = 60
    for previous in range(limit + 2):
        for current in range(limit + 1):
            for tenth in range(10):
                elapsed = tenth / 10
                if fits(previous, current, elapsed):
                    continue  # nothing to wait for
                wait = seconds_until_allowed(previous, current, elapsed, limit, duration)
                assert fits(previous, current, elapsed + (wait + 1e-9) / duration), (previous, current, elapsed)
                assert not fits(previous, current, elapsed + (wait - 1) / duration), (previous, current, elapsed)
