"""Sign in, sign out, and the /app/ entry points."""

import pytest
from django.test import Client
from django.urls import reverse

from vchata.accounts.models import Membership, Organization
from vchata.accounts.tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def board_of(org) -> str:
    pipeline = org.pipeline_set.get(is_default=True)
    return reverse("board", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})


def test_login_page_has_labelled_email_and_password_and_a_sign_in_button():
    html = Client().get("/login").content.decode()

    assert ">Email" in html and ">Password" in html
    assert 'type="email"' in html and 'type="password"' in html
    assert "Sign in</button>" in html
    assert "csrfmiddlewaretoken" in html


def test_login_lands_on_the_default_pipeline_board(user, org):
    client = Client()

    response = client.post("/login", {"username": user.email, "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == board_of(org)
    assert response.status_code == 200


def test_login_accepts_the_email_in_any_case(user, org):
    response = Client().post("/login", {"username": user.email.upper(), "password": PASSWORD})

    assert response.status_code == 302


def test_login_with_a_wrong_password_shows_an_error():
    user = UserFactory()

    response = Client().post("/login", {"username": user.email, "password": "wrong"})

    assert response.status_code == 200
    assert "enter a correct email and password" in response.content.decode().lower()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_login_requires_the_csrf_token(user):
    response = Client(enforce_csrf_checks=True).post("/login", {"username": user.email, "password": PASSWORD})

    assert response.status_code == 403


def test_login_follows_next(user, org):
    target = board_of(org) + "?assignee=mine"

    response = Client().post(f"/login?next={target}", {"username": user.email, "password": PASSWORD, "next": target})

    assert response["Location"] == target


def test_login_ignores_an_offsite_next(user, org):
    response = Client().post(
        "/login", {"username": user.email, "password": PASSWORD, "next": "https://evil.example/phish"}
    )

    assert response["Location"] == "/app/"


def test_logout_get_asks_and_post_signs_out(user):
    client = Client()
    client.force_login(user)

    assert "Sign out</button>" in client.get("/logout").content.decode()
    response = client.post("/logout")

    assert response["Location"] == "/login"
    assert client.get("/app/").status_code == 302


def test_root_and_app_home_send_anonymous_visitors_to_login():
    assert Client().get("/").url == "/app/"
    assert Client().get("/app/")["Location"].startswith("/login")


def test_user_without_an_org_sees_a_clear_page():
    client = Client()
    client.force_login(UserFactory())

    response = client.get("/app/")

    assert response.status_code == 200
    assert "not in an organization yet" in response.content.decode()


def test_user_without_an_org_can_start_one():
    user = UserFactory()
    client = Client()
    client.force_login(user)

    response = client.post("/app/", {"name": "Fresh Start"})

    org = Organization.objects.get(name="Fresh Start")
    assert response["Location"] == reverse("org-home", kwargs={"org_id": org.pk})
    assert Membership.objects.get(organization=org).user == user
    assert client.get(response["Location"])["Location"] == board_of(org)


def test_starting_an_org_needs_a_name():
    client = Client()
    client.force_login(UserFactory())

    response = client.post("/app/", {"name": "   "})

    assert response.status_code == 400
    assert not Organization.objects.exists()


def test_app_home_returns_to_the_org_last_visited(user, org):
    second = OrganizationFactory(name="Second")
    MembershipFactory(organization=second, user=user)
    client = Client()
    client.force_login(user)

    client.get(board_of(second))

    assert client.get("/app/")["Location"] == reverse("org-home", kwargs={"org_id": second.pk})


def test_org_home_of_another_org_is_not_found(user, org, other_org):
    client = Client()
    client.force_login(user)

    assert client.get(reverse("org-home", kwargs={"org_id": other_org.pk})).status_code == 404


def test_a_missing_page_is_a_friendly_404(user):
    client = Client()
    client.force_login(user)

    response = client.get("/app/org_00000000000000000000000000/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
