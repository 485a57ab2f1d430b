"""Issue 14, finding 3: the demo's staff org ADMIN (``ops@vchata.dev``) could seize the organization in the admin.

He made himself OWNER, demoted the owner and deleted the owner's membership.
The admin now changes memberships through the member services, with the
rules of the API: an ADMIN never grants, changes or removes an OWNER.
"""

import io

import pytest
from django.contrib.admin.utils import quote
from django.core.management import call_command

from tests.support.admin import logged_in
from vchata.accounts.models import Membership, Organization, User

pytestmark = pytest.mark.django_db

OPS = "ops@vchata.dev"


@pytest.fixture
def demo(db):
    call_command("seed_demo", leads=2, stdout=io.StringIO())
    ops = User.objects.get(email=OPS)
    org = Organization.objects.get(memberships__user=ops)
    return org, ops, org.memberships.get(role=Membership.Role.OWNER), org.memberships.get(user=ops)


def change_url(membership) -> str:
    return f"/admin/accounts/membership/{quote(membership.pk)}/change/"


def roles(org) -> dict[str, str]:
    return dict(org.memberships.values_list("user__email", "role"))


def test_ops_cannot_make_himself_owner(demo):
    org, ops, _, mine = demo
    before = roles(org)

    page = logged_in(ops).get(change_url(mine))
    response = logged_in(ops).post(change_url(mine), {"role": Membership.Role.OWNER})

    assert page.status_code == 200 and 'value="OWNER"' not in page.content.decode()
    assert response.status_code == 200  # the form again: OWNER is not a choice he has
    assert "Select a valid choice" in response.content.decode()
    assert roles(org) == before


def test_ops_cannot_demote_the_owner(demo):
    org, ops, owner, _ = demo
    before = roles(org)

    response = logged_in(ops).post(change_url(owner), {"role": Membership.Role.MEMBER})

    assert response.status_code == 403
    assert roles(org) == before


def test_ops_cannot_delete_the_owners_membership(demo):
    org, ops, owner, _ = demo
    client = logged_in(ops)
    before = roles(org)

    page = client.get(f"/admin/accounts/membership/{quote(owner.pk)}/delete/")
    response = client.post(f"/admin/accounts/membership/{quote(owner.pk)}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/accounts/membership/",
        {"action": "delete_selected", "_selected_action": [owner.pk], "post": "yes"},
    )

    assert page.status_code == response.status_code == 403
    assert bulk.status_code in (200, 302)  # no such action for memberships: nothing happens
    assert roles(org) == before


def test_ops_cannot_seize_the_org_through_the_organization_page_either(demo):
    org, ops, owner, mine = demo
    before = roles(org)
    data = {
        "name": org.name,
        "currency": org.currency,
        "lead_visibility": org.lead_visibility,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(owner.pk),
        "memberships-0-organization": org.pk,
        "memberships-0-role": Membership.Role.MEMBER,
        "memberships-0-DELETE": "on",
    }

    logged_in(ops).post(f"/admin/accounts/organization/{org.pk}/change/", data)

    assert roles(org) == before


def test_ops_still_runs_the_rest_of_the_team(demo):
    org, ops, _, _ = demo
    rep = org.memberships.filter(role=Membership.Role.MEMBER).first()

    response = logged_in(ops).post(change_url(rep), {"role": Membership.Role.MANAGER})

    assert response.status_code == 302
    assert org.memberships.get(pk=rep.pk).role == Membership.Role.MANAGER


def test_a_superuser_cannot_leave_the_org_without_an_owner_either(demo):
    org, _, owner, _ = demo
    admin = User.objects.get(is_superuser=True)

    response = logged_in(admin).post(change_url(owner), {"role": Membership.Role.ADMIN})

    assert response.status_code == 302  # back to the form, with the refusal as a message
    assert org.memberships.get(pk=owner.pk).role == Membership.Role.OWNER
