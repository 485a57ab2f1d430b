"""Issue 14, finding 4: ``/login`` and ``/admin/login/`` were never throttled (12 and 6 wrong passwords: no 429).

They now count on the counters of ``/auth/token`` (scope ``auth``): per client
IP, and per account; a browser that signed in to the account before (its
known-device cookie) is not held back by someone else's guesses.
"""

import pytest
from django.test import Client

from vchata.accounts.login_throttle import DEVICE_COOKIE
from vchata.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_PAGES = ["/login", "/admin/login/"]


@pytest.fixture
def person(db):
    return UserFactory(is_staff=True)


def attempt(client: Client, path: str, email: str, password: str, ip: str = "198.51.100.1"):
    return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=ip)


def assert_throttled(response) -> None:
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert wait > 0
    assert f"Too many sign-in attempts. Try again in {wait} second" in response.content.decode()


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_wrong_passwords_from_one_address_are_throttled(path, person, throttle_rates):
    throttle_rates(auth="5/minute")
    client = Client()

    answers = [attempt(client, path, person.email, "wrong").status_code for _ in range(5)]

    assert answers == [200] * 5  # the form again, with its error
    assert_throttled(attempt(client, path, person.email, "wrong"))
    # Even the right password waits: the guesser learns nothing.
    assert_throttled(attempt(client, path, person.email, PASSWORD))


def test_the_page_the_admin_and_the_token_route_share_one_count_per_address(person, throttle_rates, anon):
    throttle_rates(auth="4/minute", anon="100/minute")
    client = Client()
    attempt(client, "/login", person.email, "wrong")
    attempt(client, "/admin/login/", person.email, "wrong")
    anon.post("/auth/token", {"email": person.email, "password": "wrong"}, format="json", REMOTE_ADDR="198.51.100.1")
    attempt(client, "/login", person.email, "wrong")

    assert_throttled(attempt(client, "/admin/login/", person.email, "wrong"))
    assert (
        anon.post(
            "/auth/token", {"email": person.email, "password": "wrong"}, format="json", REMOTE_ADDR="198.51.100.1"
        ).status_code
        == 429
    )


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_guesses_spread_over_many_addresses_are_throttled_per_account(path, person, throttle_rates):
    throttle_rates(auth="3/minute")
    client = Client()
    for n in range(3):
        attempt(client, path, person.email, "wrong", ip=f"203.0.113.{n}")

    assert_throttled(attempt(client, path, person.email.upper(), "wrong", ip="203.0.113.50"))
    # Another account from a fresh address is not held back.
    other = UserFactory(is_staff=True)
    assert attempt(Client(), path, other.email, PASSWORD, ip="203.0.113.60").status_code == 302


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_the_real_user_on_a_known_device_still_gets_in_during_an_attack(path, person, throttle_rates):
    throttle_rates(auth="3/minute")
    usual_browser = Client()
    assert attempt(usual_browser, path, person.email, PASSWORD, ip="192.0.2.10").status_code == 302
    device = usual_browser.cookies[DEVICE_COOKIE].value
    usual_browser.logout()  # signed out (the test client forgets every cookie): the device cookie stays
    usual_browser.cookies[DEVICE_COOKIE] = device
    for n in range(5):  # the attacker, from many addresses, fills the account's counter
        attempt(Client(), path, person.email, "wrong", ip=f"203.0.113.{n}")
    assert_throttled(attempt(Client(), path, person.email, PASSWORD, ip="203.0.113.99"))

    response = attempt(usual_browser, path, person.email, PASSWORD, ip="192.0.2.10")

    assert response.status_code == 302


def test_a_forged_device_cookie_does_not_skip_the_account_count(person, throttle_rates):
    throttle_rates(auth="2/minute")
    for n in range(2):
        attempt(Client(), "/login", person.email, "wrong", ip=f"203.0.113.{n}")
    forger = Client()
    forger.cookies[DEVICE_COOKIE] = "eyJmb3JnZWQiOnRydWV9:forged:signature"

    assert_throttled(attempt(forger, "/login", person.email, PASSWORD, ip="203.0.113.77"))


def test_a_throttled_attempt_hashes_no_password(person, throttle_rates, monkeypatch):
    throttle_rates(auth="1/minute")
    attempt(Client(), "/login", person.email, "wrong")
    hashed = []
    monkeypatch.setattr("django.contrib.auth.hashers.check_password", lambda *a, **k: hashed.append(a) or False)
    monkeypatch.setattr("django.contrib.auth.base_user.check_password", lambda *a, **k: hashed.append(a) or False)

    assert_throttled(attempt(Client(), "/login", person.email, "wrong"))
    assert hashed == []


def test_at_the_production_rate_the_issues_twelve_tries_meet_a_429(person, throttle_rates):
    throttle_rates(auth="10/minute")  # THROTTLE_AUTH_RATE's default outside the tests
    client = Client()

    answers = [attempt(client, "/login", person.email, "wrong").status_code for _ in range(12)]

    assert answers[:10] == [200] * 10 and answers[10:] == [429, 429]


def token_attempt(anon, email, password: str, ip: str):
    return anon.post("/auth/token", {"email": email, "password": password}, format="json", REMOTE_ADDR=ip)


def test_token_guesses_spread_over_many_addresses_are_throttled_per_account(person, throttle_rates, anon):
    throttle_rates(auth="3/minute", anon="100/minute")
    for n in range(3):
        assert token_attempt(anon, person.email, "wrong", ip=f"203.0.113.{n}").status_code == 401

    refused = token_attempt(anon, person.email.upper(), PASSWORD, ip="203.0.113.50")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # Another account from a fresh address is not held back.
    other = UserFactory()
    assert token_attempt(anon, other.email, PASSWORD, ip="203.0.113.60").status_code == 200


def test_the_pages_and_the_token_route_share_one_count_per_account(person, throttle_rates, anon):
    throttle_rates(auth="3/minute", anon="100/minute")
    attempt(Client(), "/login", person.email, "wrong", ip="203.0.113.1")
    token_attempt(anon, person.email, "wrong", ip="203.0.113.2")
    attempt(Client(), "/admin/login/", person.email, "wrong", ip="203.0.113.3")

    assert token_attempt(anon, person.email, PASSWORD, ip="203.0.113.4").status_code == 429
    assert_throttled(attempt(Client(), "/login", person.email, PASSWORD, ip="203.0.113.5"))


def test_a_token_body_without_an_email_is_a_400_not_a_count(person, throttle_rates, anon):
    throttle_rates(auth="2/minute", anon="100/minute")
    for n in range(4):
        reply = anon.post("/auth/token", {"password": "wrong"}, format="json", REMOTE_ADDR=f"203.0.113.{n}")
        assert reply.status_code == 400
        assert reply.json()["success"] is False
    assert token_attempt(anon, person.email, PASSWORD, ip="203.0.113.9").status_code == 200
