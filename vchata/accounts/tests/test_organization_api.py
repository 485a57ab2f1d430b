"""``GET``/``PATCH /organizations/{orgId}``: name, currency (ISO 4217), time zone (IANA) and lead visibility."""

import pytest

from conftest import client_for
from tests.support.api import error
from vchata.accounts.models import Membership
from vchata.accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_new_organization_shows_usd_and_everyone_sees_every_lead(api, org):
    response = api.get(f"/organizations/{org.pk}")

    assert response.status_code == 200
    body = response.json()["organization"]
    assert (body["id"], body["name"], body["currency"], body["leadVisibility"]) == (org.pk, org.name, "USD", "ALL")
    assert body["timeZone"] == "UTC"


def test_me_answers_each_organizations_role_currency_and_visibility(api, org):
    org.currency, org.lead_visibility = "EUR", "ASSIGNED"
    org.save()

    orgs = api.get("/auth/me").json()["organizations"]

    assert orgs == [{"id": org.pk, "name": org.name, "role": "OWNER", "currency": "EUR", "leadVisibility": "ASSIGNED"}]


@pytest.mark.parametrize("role", ["OWNER", "ADMIN"])
def test_owners_and_admins_change_the_settings(org, role):
    caller = org.memberships.get().user if role == "OWNER" else MembershipFactory(organization=org, role=role).user

    response = client_for(caller).patch(
        f"/organizations/{org.pk}",
        {"name": "Renamed", "currency": "JPY", "timeZone": "Asia/Tokyo", "leadVisibility": "ASSIGNED"},
        format="json",
    )

    assert response.status_code == 200
    org.refresh_from_db()
    assert (org.name, org.currency, org.time_zone, org.lead_visibility) == ("Renamed", "JPY", "Asia/Tokyo", "ASSIGNED")
    answered = response.json()["organization"]
    assert (answered["timeZone"], answered["leadVisibility"]) == ("Asia/Tokyo", "ASSIGNED")


@pytest.mark.parametrize("role", ["MANAGER", "MEMBER"])
def test_managers_and_members_cannot_change_the_settings_even_with_a_bad_body(org, role):
    client = client_for(MembershipFactory(organization=org, role=role).user)

    good = client.patch(f"/organizations/{org.pk}", {"leadVisibility": "ALL", "name": "Mine"}, format="json")
    bad = client.patch(f"/organizations/{org.pk}", {"currency": "??"}, format="json")

    assert good.status_code == bad.status_code == 403
    org.refresh_from_db()
    assert (org.name, org.currency) != ("Mine", "??")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"currency": "XYZ"}, "currency must be an ISO 4217 code such as USD, not 'XYZ'"),
        ({"currency": "usd"}, "currency must be an ISO 4217 code such as USD, not 'usd'"),
        ({"currency": "DOLLARS"}, "currency must be at most 3 characters long"),
        ({"leadVisibility": "MINE"}, 'leadVisibility must be one of the allowed values, not "MINE"'),
        ({"name": ""}, "name may not be empty"),
        (
            {"timeZone": "Mars/Olympus"},
            "timeZone must be an IANA time zone name such as Europe/Madrid, not 'Mars/Olympus'",
        ),
        ({"timeZone": "asia/tokyo"}, "timeZone must be an IANA time zone name such as Europe/Madrid, not 'asia/tokyo'"),
        ({"timeZone": None}, "timeZone may not be null"),
        ({"owner": "me"}, "owner is not an allowed field"),
    ],
)
def test_bad_settings_are_a_400_that_changes_nothing(api, org, body, problem):
    response = api.patch(f"/organizations/{org.pk}", body, format="json")

    assert response.status_code == 400
    assert error(response) == [problem]
    org.refresh_from_db()
    assert (org.currency, org.time_zone, org.lead_visibility) == ("USD", "UTC", "ALL")


def test_another_organization_is_a_404(api, other_org):
    assert api.get(f"/organizations/{other_org.pk}").status_code == 404
    assert api.patch(f"/organizations/{other_org.pk}", {"name": "Mine"}, format="json").status_code == 404
    other_org.refresh_from_db()
    assert other_org.name != "Mine"


def test_the_membership_keeps_a_can_manage_answer_for_older_callers(org, member):
    owner = org.memberships.get(role="OWNER")
    manager = MembershipFactory(organization=org, role=Membership.Role.MANAGER)

    assert owner.can_manage is True
    assert manager.can_manage is False
    assert org.memberships.get(user=member).can_manage is False
