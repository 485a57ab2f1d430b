"""Invitations: sent by email, accepted once by the address invited, through the API and the /invite/<token> page."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from conftest import client_for
from tests.support.api import error
from vchata.accounts.invitations import INVITATION_DAYS, token_hash
from vchata.accounts.models import Invitation, Membership, User
from vchata.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"(https?://\S+/invite/([A-Za-z0-9_-]+))")


@pytest.fixture
def invite(api, org, django_capture_on_commit_callbacks):
    """``invite(email, role)``: the owner invites; answers (response, link, token) from the email sent."""

    def send(email: str, role: str = "MEMBER", client=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = (client or api).post(
                f"/organizations/{org.pk}/invitations", {"email": email, "role": role}, format="json"
            )
        found = LINK.search(mail.outbox[-1].body) if response.status_code == 201 and mail.outbox else None
        return response, (found.group(1) if found else None), (found.group(2) if found else None)

    return send


def accept(user, token):
    return client_for(user).post("/invitations/accept", {"token": token}, format="json")


# --- inviting ------------------------------------------------------------------------------------


def test_invitation_is_emailed_with_a_link_to_the_invite_page(invite, org, settings):
    settings.SITE_URL = "https://crm.example.com"

    response, link, token = invite("New.Rep@Example.com", "MANAGER")

    assert response.status_code == 201
    body = response.json()["invitation"]
    assert (body["email"], body["role"], body["status"]) == ("new.rep@example.com", "MANAGER", "PENDING")
    message = mail.outbox[-1]
    assert message.to == ["new.rep@example.com"] and org.name in message.subject
    assert link == f"https://crm.example.com/invite/{token}"
    assert "7 days" in message.body


def test_without_site_url_the_link_uses_the_requests_host(invite, settings):
    settings.SITE_URL = ""

    _, link, token = invite("rep@example.com")

    assert link == f"http://testserver/invite/{token}"


def test_the_token_is_stored_only_as_a_hash_and_never_answered(invite):
    response, _, token = invite("rep@example.com")

    invitation = Invitation.objects.get()
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    assert token not in response.content.decode()


def test_an_invitation_expires_after_seven_days(invite):
    invite("rep@example.com")

    invitation = Invitation.objects.get()
    lifetime = invitation.expires_at - invitation.created_at
    assert abs(lifetime - timedelta(days=INVITATION_DAYS)) < timedelta(seconds=5)


def test_nobody_becomes_a_member_by_being_invited(invite, org):
    known = UserFactory()

    invite(known.email)

    assert not Membership.objects.filter(organization=org, user=known).exists()


def test_inviting_an_existing_member_is_a_409(invite, member):
    response, _, _ = invite(member.email.upper())

    assert response.status_code == 409
    assert error(response) == f"{member.email} is already a member of this organization"
    assert not Invitation.objects.exists() and not mail.outbox


@pytest.mark.parametrize("role", ["OWNER", "BOSS", ""])
def test_invitations_carry_only_admin_manager_or_member(invite, role):
    response, _, _ = invite("rep@example.com", role)

    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_inviting_again_replaces_the_open_invitation(invite):
    _, _, first = invite("rep@example.com")
    _, _, second = invite("rep@example.com", "ADMIN")
    user = UserFactory(email="rep@example.com")

    assert accept(user, first).status_code == 410
    assert accept(user, second).json()["role"] == "ADMIN"


@pytest.mark.parametrize("role", ["MANAGER", "MEMBER"])
def test_managers_and_members_cannot_invite_or_list_invitations(invite, org, role):
    caller = client_for(MembershipFactory(organization=org, role=role).user)

    response, _, _ = invite("rep@example.com", client=caller)

    assert response.status_code == 403
    assert caller.get(f"/organizations/{org.pk}/invitations").status_code == 403
    assert not Invitation.objects.exists() and not mail.outbox


def test_an_admin_invites_but_never_as_owner(invite, org):
    admin_client = client_for(MembershipFactory(organization=org, role="ADMIN").user)

    assert invite("rep@example.com", "ADMIN", client=admin_client)[0].status_code == 201
    assert invite("boss@example.com", "OWNER", client=admin_client)[0].status_code == 400


def test_invitations_are_listed_newest_first(api, invite, org):
    invite("a@example.com")
    invite("b@example.com")

    response = api.get(f"/organizations/{org.pk}/invitations")

    assert [row["email"] for row in response.json()["invitations"]] == ["b@example.com", "a@example.com"]


# --- accepting ---------------------------------------------------------------------------------


def test_the_invited_user_accepts_and_joins_with_the_role(invite, org):
    _, _, token = invite("rep@example.com", "MANAGER")
    user = UserFactory(email="rep@example.com")

    response = accept(user, token)

    assert response.status_code == 200
    assert response.json()["organization"]["id"] == org.pk and response.json()["role"] == "MANAGER"
    assert org.memberships.get(user=user).role == "MANAGER"
    assert Invitation.objects.get().status == "ACCEPTED"


def test_someone_elses_invitation_is_a_403(invite, org):
    _, _, token = invite("rep@example.com")
    intruder = UserFactory(email="intruder@example.com")

    response = accept(intruder, token)

    assert response.status_code == 403
    assert not org.memberships.filter(user=intruder).exists()
    assert Invitation.objects.get().status == "PENDING"


def test_a_used_token_is_a_410(invite):
    _, _, token = invite("rep@example.com")
    user = UserFactory(email="rep@example.com")
    accept(user, token)
    Membership.objects.filter(user=user).delete()

    response = accept(user, token)

    assert response.status_code == 410 and error(response) == "This invitation has already been used"
    assert not Membership.objects.filter(user=user).exists()


def test_a_revoked_token_is_a_410(api, invite, org):
    _, _, token = invite("rep@example.com")
    invitation = Invitation.objects.get()

    revoked = api.delete(f"/organizations/{org.pk}/invitations/{invitation.pk}")
    response = accept(UserFactory(email="rep@example.com"), token)

    assert revoked.status_code == 200 and revoked.json()["invitation"]["status"] == "REVOKED"
    assert response.status_code == 410 and error(response) == "This invitation has been revoked"


def test_an_expired_token_is_a_410(invite):
    _, _, token = invite("rep@example.com")
    user = UserFactory(email="rep@example.com")

    with time_machine.travel(timezone.now() + timedelta(days=INVITATION_DAYS, minutes=1)):
        response = accept(user, token)

    assert response.status_code == 410
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.parametrize("token", ["not-a-token", "", "x" * 201])
def test_an_unknown_or_malformed_token_is_a_4xx(user, token):
    response = accept(user, token)

    assert response.status_code in (400, 404)
    assert error(response)


def test_accepting_needs_a_signed_in_user(anon, invite):
    _, _, token = invite("rep@example.com")

    assert anon.post("/invitations/accept", {"token": token}, format="json").status_code == 401


def test_an_accepted_invitation_cannot_be_revoked(api, invite, org):
    _, _, token = invite("rep@example.com")
    accept(UserFactory(email="rep@example.com"), token)

    response = api.delete(f"/organizations/{org.pk}/invitations/{Invitation.objects.get().pk}")

    assert response.status_code == 409


def test_another_orgs_invitation_is_a_404(api, other_org):
    invitation = Invitation.objects.create(
        organization=other_org, email="x@example.com", token_hash="h" * 64, expires_at=timezone.now()
    )

    assert api.delete(f"/organizations/{other_org.pk}/invitations/{invitation.pk}").status_code == 404


# --- the /invite/<token> page ---------------------------------------------------------------------------


def test_a_new_person_signs_up_from_the_link_and_lands_on_the_board(invite, org):
    _, link, token = invite("new.person@example.com")
    browser = Client()

    page = browser.get(f"/invite/{token}")
    response = browser.post(f"/invite/{token}", {"name": "New Person", "password": "a-Long-passphrase-42"})

    assert page.status_code == 200 and "new.person@example.com" in page.content.decode()
    assert response.status_code == 302 and response["Location"] == f"/app/{org.pk}/"
    user = User.objects.get(email="new.person@example.com")
    assert user.check_password("a-Long-passphrase-42")
    assert org.memberships.get(user=user).role == "MEMBER"
    assert browser.get(response["Location"]).status_code == 302  # signed in: on to the board


def test_a_weak_password_on_the_invite_page_creates_nothing(invite):
    _, _, token = invite("new.person@example.com")

    response = Client().post(f"/invite/{token}", {"name": "N", "password": "123"})

    assert response.status_code == 400
    assert not User.objects.filter(email="new.person@example.com").exists()
    assert Invitation.objects.get().status == "PENDING"


def test_someone_with_an_account_is_asked_to_sign_in_then_joins(invite, org):
    user = UserFactory(email="rep@example.com")
    _, _, token = invite(user.email)

    anonymous = Client().get(f"/invite/{token}").content.decode()
    browser = Client()
    browser.force_login(user)
    joined = browser.post(f"/invite/{token}")

    assert "Sign in to accept" in anonymous and f"next=%2Finvite%2F{token}" in anonymous
    assert joined.status_code == 302 and joined["Location"] == f"/app/{org.pk}/"
    assert org.memberships.filter(user=user).exists()


def test_signed_in_with_another_address_the_page_says_so_and_joins_nobody(invite, org, member):
    _, _, token = invite("rep@example.com")
    browser = Client()
    browser.force_login(member)

    page = browser.get(f"/invite/{token}")
    posted = browser.post(f"/invite/{token}")

    assert page.status_code == posted.status_code == 403
    assert "this invitation is for <strong>rep@example.com</strong>" in page.content.decode()
    assert Invitation.objects.get().status == "PENDING"


def test_a_used_link_shows_that_it_cannot_be_used(invite):
    _, _, token = invite("rep@example.com")
    accept(UserFactory(email="rep@example.com"), token)

    page = Client().get(f"/invite/{token}")

    assert page.status_code == 410
    assert "already been used" in page.content.decode()


def test_an_unknown_link_is_the_404_page(db):
    assert Client().get("/invite/nothing-here").status_code == 404


def test_signing_up_from_the_link_with_a_taken_email_is_refused(invite):
    _, _, token = invite("rep@example.com")
    UserFactory(email="rep@example.com")  # made after the invitation

    response = Client().post(f"/invite/{token}", {"name": "Twin", "password": "a-Long-passphrase-42"})

    assert response.status_code in (200, 409)
    assert User.objects.get(email="rep@example.com").check_password(PASSWORD)
