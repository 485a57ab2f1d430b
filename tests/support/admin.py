"""Helpers for the admin tests: staff users, logged-in clients, form payloads."""

import re

from django.test import Client

from vchata.accounts.models import Membership
from vchata.accounts.tests.factories import MembershipFactory, UserFactory


def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


def org_admin(org, role=Membership.Role.ADMIN):
    """A staff user who is ``role`` of ``org`` only."""
    return MembershipFactory(organization=org, user=UserFactory(is_staff=True), role=role).user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def inline_management(*prefixes: str) -> dict[str, str]:
    """Management-form fields of inlines posted with no rows (read-only or left alone)."""
    data = {}
    for prefix in prefixes:
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


def autocomplete_ids(client, app_label: str, model_name: str, field_name: str, term: str = "") -> set[str]:
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200, response.status_code
    return {result["id"] for result in response.json()["results"]}


def changelist_ids(response, prefix: str) -> set[str]:
    """Ids of the rows on a changelist page (from the action checkboxes)."""
    return set(re.findall(rf'name="_selected_action" value="({prefix}_[0-9a-z]+)"', response.content.decode()))
