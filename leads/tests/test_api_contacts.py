"""``/leads/{orgId}/contacts…``: list and search, read, edit and delete contacts."""

import pytest

from conftest import client_for
from leads.models import Contact, Lead
from leads.tests.factories import ContactFactory, LeadFactory
from pipelines.services import create_pipeline
from tests.support.api import error, leads_url, problems
from vchata.accounts.models import Membership, Organization
from vchata.accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [contact["name"] for contact in response.json()["contacts"]]


@pytest.fixture
def ada(org):
    return ContactFactory(
        organization=org, name="Ada Lovelace", email="ada@engines.example", company="Engines", phone="+44 20 7946 0018"
    )


# --- the list -----------------------------------------------------------------------------


def test_contacts_are_listed_by_name_with_their_lead_count(api, org, ada, other_org):
    grace = ContactFactory(organization=org, name="Grace Hopper", email="", phone="", company="")
    LeadFactory(organization=org, contact=ada)
    LeadFactory(organization=org, contact=ada, pipeline=create_pipeline(org=org, name="Partners"))
    ContactFactory(organization=other_org, name="Another org's")

    response = api.get(leads_url(org, "contacts"))

    body = response.json()
    assert body["message"] == "Contacts retrieved successfully"
    assert [(c["name"], c["leadCount"]) for c in body["contacts"]] == [("Ada Lovelace", 2), ("Grace Hopper", 0)]
    first = body["contacts"][0]
    assert set(first) == {"id", "name", "email", "phone", "company", "createdAt", "updatedAt", "leadCount"}
    assert (first["id"], first["email"], first["company"]) == (ada.pk, "ada@engines.example", "Engines")
    assert body["contacts"][1]["email"] is None  # absent text answers null
    assert body["pagination"] == {"total": 2, "page": 1, "limit": 20, "hasMore": False}
    assert grace.pk == body["contacts"][1]["id"]


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("lovelace", ["Ada Lovelace"]),
        ("ENGINES.EXAMPLE", ["Ada Lovelace"]),
        ("looms", ["Jacquard"]),
        ("7946", ["Ada Lovelace"]),
        ("  ada  ", ["Ada Lovelace"]),
        ("100%", []),
        ("", ["Ada Lovelace", "Jacquard"]),
    ],
)
def test_search_matches_name_email_company_or_phone(api, org, ada, search, found):
    ContactFactory(organization=org, name="Jacquard", email="j@example.com", company="Lyon Looms", phone="")

    assert names(api.get(leads_url(org, "contacts"), {"search": search})) == found


def test_search_never_finds_another_orgs_contacts(api, org, other_org):
    ContactFactory(organization=other_org, name="Ada Elsewhere")

    assert names(api.get(leads_url(org, "contacts"), {"search": "ada"})) == []


def test_contacts_come_in_pages(api, org):
    for n in range(5):
        ContactFactory(organization=org, name=f"Person {n}")

    response = api.get(leads_url(org, "contacts"), {"page": 2, "limit": 2})

    assert names(response) == ["Person 2", "Person 3"]
    assert response.json()["pagination"] == {"total": 5, "page": 2, "limit": 2, "hasMore": True}


@pytest.mark.parametrize("query", [{"page": 0}, {"limit": 101}, {"limit": "many"}, {"search": "x" * 201}], ids=str)
def test_a_bad_list_query_is_a_400(api, org, query):
    response = api.get(leads_url(org, "contacts"), query)

    assert problems(response)


@pytest.mark.parametrize("size", [2, 40])
def test_contact_list_query_count_does_not_grow_with_the_page(api, org, size, django_assert_num_queries):
    for n in range(size):
        LeadFactory(organization=org, contact=ContactFactory(organization=org, name=f"P{n:02}"))

    # membership (+org, user), COUNT, the page with each contact's lead count
    with django_assert_num_queries(3):
        response = api.get(leads_url(org, "contacts"), {"limit": 100, "search": "p"})

    assert len(response.json()["contacts"]) == size


def test_the_list_of_another_org_is_not_found(api, other_org):
    response = api.get(leads_url(other_org, "contacts"))

    assert response.status_code == 404
    assert error(response) == "Organization not found or you don't have access"


# --- one contact ----------------------------------------------------------------------------


def test_get_a_contact_with_its_leads(api, org, ada, pipeline):
    lead = LeadFactory(organization=org, contact=ada, title="Engine order")

    response = api.get(leads_url(org, "contacts", ada.pk))

    assert response.status_code == 200
    contact = response.json()["contact"]
    assert (contact["id"], contact["leadCount"], contact["phone"]) == (ada.pk, 1, "+44 20 7946 0018")
    (item,) = contact["leads"]
    assert (item["id"], item["title"], item["status"], item["pipeline"]["id"]) == (
        lead.pk,
        "Engine order",
        "NEW",
        pipeline.pk,
    )
    assert item["stage"]["name"] == "New"


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_a_contact_of_another_org_is_not_found(api, org, other_org, method):
    foreign = ContactFactory(organization=other_org, name="Theirs")

    response = getattr(api, method)(leads_url(org, "contacts", foreign.pk), {"name": "Mine"}, format="json")

    assert response.status_code == 404
    assert error(response) == "Contact not found or you don't have access"
    foreign.refresh_from_db()
    assert foreign.name == "Theirs"


def test_a_malformed_contact_id_is_not_found(api, org):
    assert api.get(leads_url(org, "contacts", "contact_nope!")).status_code == 404


def test_edit_a_contact(api, org, ada):
    body = {"name": "Augusta Ada King", "email": "Countess@Lovelace.example", "phone": None, "company": ""}

    response = api.patch(leads_url(org, "contacts", ada.pk), body, format="json")

    assert response.status_code == 200
    assert response.json()["message"] == "Contact updated successfully"
    contact = response.json()["contact"]
    assert (contact["name"], contact["email"], contact["phone"], contact["company"]) == (
        "Augusta Ada King",
        "Countess@Lovelace.example",
        None,
        None,
    )
    ada.refresh_from_db()
    assert (ada.name, ada.email, ada.phone, ada.company) == ("Augusta Ada King", "Countess@Lovelace.example", "", "")


def test_an_edited_contact_is_found_by_its_leads_search(api, org, ada):
    lead = LeadFactory(organization=org, contact=ada)

    api.patch(leads_url(org, "contacts", ada.pk), {"name": "Countess Babbage"}, format="json")

    found = api.get(leads_url(org), {"search": "babbage"}).json()["leads"]
    assert [item["id"] for item in found] == [lead.pk]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"nickname": "Ada"}, "nickname is not an allowed field"),
        ({}, "At least one field to change is required"),
        ({"name": "  "}, "name may not be empty"),
        ({"name": None}, "name may not be null"),
        ({"email": "not-an-email"}, "email must be a valid email address"),
        ({"phone": "1" * 41}, "phone must be at most 40 characters long"),
    ],
)
def test_a_bad_edit_is_a_400_and_changes_nothing(api, org, ada, body, message):
    response = api.patch(leads_url(org, "contacts", ada.pk), body, format="json")

    assert problems(response) == [message]
    ada.refresh_from_db()
    assert (ada.name, ada.email) == ("Ada Lovelace", "ada@engines.example")


def test_another_contacts_email_whatever_the_case_is_a_409(api, org, ada):
    grace = ContactFactory(organization=org, name="Grace", email="grace@navy.example")

    response = api.patch(leads_url(org, "contacts", grace.pk), {"email": "ADA@Engines.example"}, format="json")

    assert response.status_code == 409
    assert error(response) == "A contact with this email already exists"
    grace.refresh_from_db()
    assert grace.email == "grace@navy.example"


def test_a_contact_may_change_the_case_of_its_own_email(api, org, ada):
    response = api.patch(leads_url(org, "contacts", ada.pk), {"email": "ADA@engines.example"}, format="json")

    assert response.json()["contact"]["email"] == "ADA@engines.example"


def test_delete_a_contact_without_leads(api, org, ada):
    response = api.delete(leads_url(org, "contacts", ada.pk))

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Contact deleted successfully"}
    assert not Contact.objects.filter(pk=ada.pk).exists()


def test_deleting_a_contact_with_leads_is_a_409(api, org, ada):
    lead = LeadFactory(organization=org, contact=ada)

    response = api.delete(leads_url(org, "contacts", ada.pk))

    assert response.status_code == 409
    assert error(response) == "Contact still has leads; delete them first"
    assert Lead.objects.filter(pk=lead.pk, contact=ada).exists()


# --- roles and visibility -------------------------------------------------------------------------


def test_a_member_reads_and_edits_contacts_but_may_not_delete_them(org, ada, member):
    client = client_for(member)

    assert client.get(leads_url(org, "contacts", ada.pk)).status_code == 200
    assert client.patch(leads_url(org, "contacts", ada.pk), {"company": "Analytical"}, format="json").status_code == 200
    refused = client.delete(leads_url(org, "contacts", ada.pk))

    assert refused.status_code == 403
    assert Contact.objects.filter(pk=ada.pk).exists()


@pytest.fixture
def assigned_org(org):
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    org.refresh_from_db()
    return org


def test_under_assigned_visibility_a_member_sees_contacts_of_their_leads_and_contacts_without_leads(
    assigned_org, member, user
):
    org = assigned_org
    admin = MembershipFactory(organization=org, role=Membership.Role.ADMIN).user
    mine = ContactFactory(organization=org, name="A mine")
    LeadFactory(organization=org, contact=mine, assigned_to=member)
    LeadFactory(organization=org, contact=mine, assigned_to=admin, pipeline=create_pipeline(org=org, name="Other"))
    pool = ContactFactory(organization=org, name="B pool")
    LeadFactory(organization=org, contact=pool)
    theirs = ContactFactory(organization=org, name="C theirs")
    LeadFactory(organization=org, contact=theirs, assigned_to=admin)
    ContactFactory(organization=org, name="D nobody's")
    client = client_for(member)

    listed = client.get(leads_url(org, "contacts")).json()["contacts"]

    assert [(c["name"], c["leadCount"]) for c in listed] == [("A mine", 1), ("B pool", 1), ("D nobody's", 0)]
    assert len(client.get(leads_url(org, "contacts", mine.pk)).json()["contact"]["leads"]) == 1
    for method in ("get", "patch"):
        hidden = getattr(client, method)(leads_url(org, "contacts", theirs.pk), {"name": "X"}, format="json")
        assert hidden.status_code == 404
    assert names(client_for(user).get(leads_url(org, "contacts"))) == ["A mine", "B pool", "C theirs", "D nobody's"]
