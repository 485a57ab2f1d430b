"""Who may use the admin, and the admin of users, organizations and memberships."""

import pytest
from django.contrib.admin.utils import quote
from django.test import Client

from pipelines.models import Pipeline
from tests.support.admin import (
    autocomplete_ids,
    inline_management,
    logged_in,
    org_admin,
    superuser,
)
from vchata.accounts.models import Membership, Organization, User
from vchata.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory


@pytest.fixture
def su(db):
    return logged_in(superuser())


@pytest.fixture
def staff_user(org):
    return org_admin(org)


@pytest.fixture
def staff(staff_user):
    return logged_in(staff_user)


# --- signing in -----------------------------------------------------------------------


def test_admin_login_page_carries_the_site_header(db):
    body = Client().get("/admin/login/").content.decode()

    assert "VChata CRM admin" in body


def test_staff_signs_in_with_email_and_password(staff_user):
    client = Client()

    response = client.post("/admin/login/?next=/admin/", {"username": staff_user.email, "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_member_without_staff_status_cannot_sign_in(member):
    client = Client()

    response = client.post("/admin/login/?next=/admin/", {"username": member.email, "password": PASSWORD})

    assert response.status_code == 200  # the login form again
    assert client.get("/admin/").status_code == 302


def test_a_logged_in_member_without_staff_status_is_sent_to_the_admin_login(member):
    response = logged_in(member).get("/admin/leads/lead/")

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_staff_who_only_is_a_member_of_an_org_works_leads_but_cannot_import_or_configure(org):
    client = logged_in(org_admin(org, role=Membership.Role.MEMBER))

    assert client.get("/admin/leads/lead/").status_code == 200
    assert client.get("/admin/accounts/organization/").status_code == 200
    assert client.get("/admin/leads/lead/import/").status_code == 403
    assert client.get("/admin/pipelines/pipeline/add/").status_code == 403
    assert client.get("/admin/accounts/invitation/").status_code == 403


# --- organizations ---------------------------------------------------------------------


def test_org_admin_sees_only_their_org(staff, org, other_org):
    body = staff.get("/admin/accounts/organization/").content.decode()

    assert org.name in body and other_org.name not in body
    assert staff.get(f"/admin/accounts/organization/{other_org.pk}/change/").status_code == 404


def test_organization_list_counts_members_and_leads(su, org, member):
    body = su.get("/admin/accounts/organization/", {"q": org.name}).content.decode()

    assert '<td class="field-member_count">2</td>' in body
    assert '<td class="field-lead_count">0</td>' in body


def test_only_superusers_create_organizations_and_get_a_default_pipeline(su, staff):
    fields = {"currency": "EUR", "time_zone": "Europe/Madrid", "lead_visibility": "ASSIGNED"}
    refused = staff.post("/admin/accounts/organization/add/", {"name": "Rogue", **fields})
    response = su.post(
        "/admin/accounts/organization/add/", {"name": "Globex", **fields, **inline_management("memberships")}
    )

    assert refused.status_code == 403
    assert response.status_code == 302
    org = Organization.objects.get(name="Globex")
    assert Pipeline.objects.get(organization=org).stages.count() == 5
    assert (org.currency, org.time_zone, org.lead_visibility) == ("EUR", "Europe/Madrid", "ASSIGNED")


def test_org_admin_is_offered_only_people_of_the_orgs_they_run(staff, org, staff_user, member):
    outsider = UserFactory()

    offered = autocomplete_ids(staff, "accounts", "membership", "user")

    assert offered == {org.memberships.get(role=Membership.Role.OWNER).user_id, staff_user.pk, member.pk}
    assert outsider.pk not in offered


def test_superuser_seats_an_owner_of_an_org_made_in_the_admin(su, org):
    newcomer = UserFactory()

    response = su.post(
        "/admin/accounts/membership/add/", {"organization": org.pk, "user": newcomer.pk, "role": Membership.Role.OWNER}
    )

    assert response.status_code == 302
    assert org.memberships.get(user=newcomer).role == Membership.Role.OWNER


def test_adding_an_existing_member_again_is_a_form_error(su, org, member):
    response = su.post(
        "/admin/accounts/membership/add/", {"organization": org.pk, "user": member.pk, "role": Membership.Role.ADMIN}
    )

    assert response.status_code == 200
    assert "Membership with this Organization and User already exists." in response.content.decode()
    assert org.memberships.filter(user=member).count() == 1


def test_org_admins_cannot_add_anyone_without_an_invitation(staff, staff_user, org, other_org):
    newcomer = UserFactory()

    for target in (org, other_org):
        response = staff.post(
            "/admin/accounts/membership/add/",
            {"organization": target.pk, "user": (newcomer if target == org else staff_user).pk, "role": "ADMIN"},
        )
        assert response.status_code == 403
    assert not Membership.objects.filter(user=newcomer).exists()
    assert not Membership.objects.filter(organization=other_org, user=staff_user).exists()


def test_membership_list_is_scoped_and_searchable(staff, org, other_org, member):
    outsider_membership = other_org.memberships.get()

    body = staff.get("/admin/accounts/membership/", {"q": member.email}).content.decode()

    assert member.email in body
    assert outsider_membership.user.email not in staff.get("/admin/accounts/membership/").content.decode()


# --- users -----------------------------------------------------------------------------


def test_superuser_creates_a_user_with_an_email_login(su):
    response = su.post(
        "/admin/accounts/user/add/",
        {
            "email": "New.Person@Example.com",
            "name": "New Person",
            "usable_password": "true",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
            **inline_management("memberships"),
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="new.person@example.com")
    assert user.check_password("a-long-passphrase-42")


def test_an_email_differing_only_in_case_is_a_form_error(su, member):
    response = su.post(
        "/admin/accounts/user/add/",
        {
            "email": member.email.upper(),
            "name": "Twin",
            "usable_password": "true",
            "password1": "x-long-passphrase-9",
            "password2": "x-long-passphrase-9",
        },
    )

    assert response.status_code == 200
    assert "A user with this email already exists." in response.content.decode()


def test_user_search_finds_by_email_and_name(su, member):
    body = su.get("/admin/accounts/user/", {"q": member.name}).content.decode()

    assert member.email in body


def test_org_admin_sees_members_of_their_org_read_only(staff, org, member, other_org):
    outsider = other_org.memberships.get().user

    listing = staff.get("/admin/accounts/user/").content.decode()
    page = staff.get(f"/admin/accounts/user/{quote(member.pk)}/change/")
    edit = staff.post(f"/admin/accounts/user/{quote(member.pk)}/change/", {"email": member.email, "is_superuser": "on"})

    assert member.email in listing and outsider.email not in listing
    assert page.status_code == 200 and 'name="email"' not in page.content.decode()
    assert edit.status_code == 403
    member.refresh_from_db()
    assert not member.is_superuser
    assert staff.get(f"/admin/accounts/user/{quote(outsider.pk)}/change/").status_code == 404
    assert staff.get(f"/admin/accounts/user/{quote(outsider.pk)}/password/").status_code in (403, 404)


def test_org_admin_does_not_see_a_members_other_organizations(staff, org, member, other_org):
    MembershipFactory(organization=other_org, user=member)

    body = staff.get(f"/admin/accounts/user/{quote(member.pk)}/change/").content.decode()

    assert org.name in body
    assert other_org.name not in body
