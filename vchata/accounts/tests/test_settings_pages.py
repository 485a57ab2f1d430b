"""The settings pages: organization settings, members and invitations, leaving."""

import pytest
from django.core import mail
from django.test import Client

from vchata.accounts.models import Invitation, Membership
from vchata.accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def settings_data(**overrides):
    return {"name": "Northwind", "currency": "EUR", "time_zone": "America/New_York", "lead_visibility": "ASSIGNED"} | (
        overrides
    )


def test_the_owner_saves_name_currency_time_zone_and_visibility(browser, org):
    response = browser.post(f"/app/{org.pk}/settings/", settings_data())

    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.currency, org.time_zone, org.lead_visibility) == (
        "Northwind",
        "EUR",
        "America/New_York",
        "ASSIGNED",
    )


def test_a_new_org_counts_days_in_utc(org):
    assert org.time_zone == "UTC"


@pytest.mark.parametrize("bad", ["Mars/Olympus", "", "utc/", "EST5EDT "])
def test_an_unknown_time_zone_is_a_form_error_and_changes_nothing(browser, org, bad):
    response = browser.post(f"/app/{org.pk}/settings/", settings_data(time_zone=bad))

    assert response.status_code == 400
    assert "time_zone" in response.context["form"].errors
    org.refresh_from_db()
    assert (org.name, org.time_zone) != ("Northwind", bad) and org.time_zone == "UTC"


def test_the_service_refuses_an_unknown_time_zone(org):
    from vchata.accounts.services import update_organization
    from vchata.exceptions import InvalidInput

    with pytest.raises(InvalidInput):
        update_organization(org=org, actor=org.memberships.get(), changes={"time_zone": "Mars/Olympus"})
    org.refresh_from_db()
    assert org.time_zone == "UTC"


def test_an_unknown_currency_is_a_form_error(browser, org):
    response = browser.post(f"/app/{org.pk}/settings/", {"name": "X", "currency": "XYZ", "lead_visibility": "ALL"})

    assert response.status_code == 400
    org.refresh_from_db()
    assert org.currency == "USD"


def test_the_settings_link_shows_for_owners_and_admins_only(browser, org, member):
    assert f'href="/app/{org.pk}/settings/"' in browser.get(f"/app/{org.pk}/analytics/").content.decode()
    assert f'href="/app/{org.pk}/settings/"' not in signed_in(member).get(f"/app/{org.pk}/analytics/").content.decode()


def test_the_members_page_lists_members_and_open_invitations(browser, org, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = browser.post(f"/app/{org.pk}/settings/members/invite/", {"email": "new@example.com", "role": "MANAGER"})

    page = browser.get(f"/app/{org.pk}/settings/members/").content.decode()

    assert sent.status_code == 302
    assert mail.outbox[-1].to == ["new@example.com"]
    assert f'data-member="{member.email}"' in page and 'data-invitation="new@example.com"' in page


def test_an_invalid_invitation_re_renders_the_page_with_the_error(browser, org):
    response = browser.post(f"/app/{org.pk}/settings/members/invite/", {"email": "not-an-email", "role": "MEMBER"})

    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_an_admin_is_not_offered_to_change_or_remove_an_owner(org, user):
    admin_user = MembershipFactory(organization=org, role=Membership.Role.ADMIN).user

    page = signed_in(admin_user).get(f"/app/{org.pk}/settings/members/").content.decode()
    forced = signed_in(admin_user).post(f"/app/{org.pk}/settings/members/{user.pk}/role/", {"role": "MEMBER"})

    assert f"/settings/members/{user.pk}/role/" not in page
    assert '<option value="OWNER"' not in page
    assert forced.status_code == 302  # back to the page, with the refusal
    assert org.memberships.get(user=user).role == "OWNER"


def test_the_owner_changes_a_role_and_revokes_an_invitation(browser, org, member):
    invitation = Invitation.objects.create(
        organization=org, email="x@example.com", token_hash="a" * 64, expires_at="2999-01-01T00:00:00Z"
    )

    browser.post(f"/app/{org.pk}/settings/members/{member.pk}/role/", {"role": "MANAGER"})
    browser.post(f"/app/{org.pk}/settings/invitations/{invitation.pk}/revoke/")

    assert org.memberships.get(user=member).role == "MANAGER"
    invitation.refresh_from_db()
    assert invitation.status == "REVOKED"


def test_a_member_leaves_and_the_last_owner_cannot(browser, org, user, member):
    left = signed_in(member).post(f"/app/{org.pk}/leave/")
    stayed = browser.post(f"/app/{org.pk}/leave/")

    assert left.status_code == 302 and left["Location"] == "/app/"
    assert not org.memberships.filter(user=member).exists()
    assert stayed.status_code == 302 and org.memberships.filter(user=user, role="OWNER").exists()
