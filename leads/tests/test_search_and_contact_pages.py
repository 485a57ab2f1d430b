"""The header's global search (leads and contacts through the search index) and the contact page."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads.models import Contact
from leads.tests.factories import ContactFactory, LeadFactory
from pipelines.services import create_pipeline
from vchata.accounts.models import Membership, Organization
from vchata.accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def search_url(org, text: str) -> str:
    return reverse("global-search", kwargs={"org_id": org.pk}) + f"?search={text}"


def contact_url(org, contact, name="contact-detail") -> str:
    return reverse(name, kwargs={"org_id": org.pk, "contact_id": contact.pk})


def restricted_rep(org):
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    rep = MembershipFactory(organization=org, role=Membership.Role.MEMBER).user
    client = Client()
    client.force_login(rep)
    return rep, client


# --- global search -------------------------------------------------------------------


def test_every_app_page_has_the_search_box(browser, org, pipeline):
    for url in (
        reverse("board", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk}),
        reverse("lead-list", kwargs={"org_id": org.pk}),
    ):
        html = browser.get(url).content.decode()
        assert 'id="global-search-input"' in html
        assert f'hx-get="{reverse("global-search", kwargs={"org_id": org.pk})}"' in html


def test_search_lists_matching_leads_and_their_contacts_best_first(browser, org, stages):
    grace = ContactFactory(organization=org, name="Grace Hopper", company="US Navy")
    lead = LeadFactory(organization=org, contact=grace, stage=stages[1], title="Compiler")
    LeadFactory(organization=org, contact=ContactFactory(organization=org, name="Alan Turing", company="Bletchley"))

    response = browser.get(search_url(org, "grace"), headers=HTMX)

    assert [found.pk for found in response.context["leads"]] == [lead.pk]
    assert [found.pk for found in response.context["contacts"]] == [grace.pk]
    html = response.content.decode()
    assert f'href="{reverse("lead-detail", kwargs={"org_id": org.pk, "lead_id": lead.pk})}"' in html
    assert f'href="{contact_url(org, grace)}"' in html
    assert "US Navy · Qualified" in html and "US Navy · 1 lead<" in html and "Turing" not in html


def test_a_contact_with_two_leads_shows_once(browser, org):
    contact = ContactFactory(organization=org, name="Katherine Johnson")
    LeadFactory(organization=org, contact=contact)
    LeadFactory(organization=org, contact=contact, pipeline=create_pipeline(org=org, name="Partners"))

    response = browser.get(search_url(org, "katherine"), headers=HTMX)

    assert len(response.context["leads"]) == 2
    assert [found.pk for found in response.context["contacts"]] == [contact.pk]


def test_search_never_shows_another_orgs_or_an_invisible_lead(org, user, other_org):
    rep, client = restricted_rep(org)
    LeadFactory(organization=org, assigned_to=user, contact=ContactFactory(organization=org, name="Hidden Zed"))
    LeadFactory(organization=other_org, contact=ContactFactory(organization=other_org, name="Other Zed"))
    mine = LeadFactory(organization=org, assigned_to=rep, contact=ContactFactory(organization=org, name="Mine Zed"))

    response = client.get(search_url(org, "zed"), headers=HTMX)

    assert [found.pk for found in response.context["leads"]] == [mine.pk]
    assert [found.pk for found in response.context["contacts"]] == [mine.contact_id]


def test_a_contact_without_leads_is_found_too(browser, org):
    contact = ContactFactory(organization=org, name="Lonely Larry", company="Solo")

    response = browser.get(search_url(org, "larry"), headers=HTMX)

    assert response.context["leads"] == []
    assert [found.pk for found in response.context["contacts"]] == [contact.pk]
    assert "Solo · 0 leads" in response.content.decode()


def test_one_character_or_nothing_shows_nothing(browser, org):
    LeadFactory(organization=org)

    for text in ("", "a", "%20"):
        response = browser.get(search_url(org, text), headers=HTMX)
        assert response.status_code == 200
        assert response.content.decode().strip() == ""


def test_no_match_says_so(browser, org):
    response = browser.get(search_url(org, "nobody%20here"), headers=HTMX)

    assert "No leads or contacts match “nobody here”." in response.content.decode()


def test_a_plain_visit_opens_the_lead_list_searching(browser, org):
    response = browser.get(search_url(org, "grace"))

    assert response.status_code == 302
    assert response["Location"] == reverse("lead-list", kwargs={"org_id": org.pk}) + "?search=grace"


def test_the_dropdown_is_a_few_queries_however_many_leads_match(browser, org):
    for _ in range(3):
        LeadFactory(organization=org, contact=ContactFactory(organization=org, name="Same Name"))
    browser.get(search_url(org, "same"), headers=HTMX)

    with CaptureQueriesContext(connection) as few:
        browser.get(search_url(org, "same"), headers=HTMX)
    for _ in range(20):
        LeadFactory(organization=org, contact=ContactFactory(organization=org, name="Same Name"))
    with CaptureQueriesContext(connection) as many:
        response = browser.get(search_url(org, "same"), headers=HTMX)

    assert len(response.context["leads"]) == 8
    assert len(few) == len(many) == 5  # session, user, membership; the leads; the contacts


# --- the contact page --------------------------------------------------------------------


def test_the_contact_page_shows_details_and_their_leads(browser, org, user):
    contact = ContactFactory(
        organization=org, name="Ada Lovelace", email="ada@engines.io", phone="+44 20", company="AE"
    )
    first = LeadFactory(organization=org, contact=contact, title="Engine", value=1200)
    second = LeadFactory(organization=org, contact=contact, pipeline=create_pipeline(org=org, name="Partners"))
    LeadFactory(organization=org)

    response = browser.get(contact_url(org, contact))

    assert response.status_code == 200
    assert [lead.pk for lead in response.context["leads"]] == [second.pk, first.pk]
    html = response.content.decode()
    for text in ("Ada Lovelace", 'href="mailto:ada@engines.io"', "+44 20", "AE", "Engine", "Partners", "$1,200"):
        assert text in html, text


def test_the_contact_page_costs_the_same_queries_for_one_lead_or_many(browser, org):
    contact = ContactFactory(organization=org)
    LeadFactory(organization=org, contact=contact)
    browser.get(contact_url(org, contact))
    with CaptureQueriesContext(connection) as one:
        browser.get(contact_url(org, contact))
    for n in range(3):
        LeadFactory(organization=org, contact=contact, pipeline=create_pipeline(org=org, name=f"P{n}"))
    with CaptureQueriesContext(connection) as four:
        browser.get(contact_url(org, contact))

    assert len(one) == len(four) == 6  # session, user, membership, org switcher; the contact; their leads


def test_another_orgs_contact_is_a_404(browser, other_org):
    assert browser.get(contact_url(other_org, ContactFactory(organization=other_org))).status_code == 404


def test_under_assigned_visibility_a_contact_only_of_others_leads_is_a_404(org, user):
    _, client = restricted_rep(org)
    theirs = LeadFactory(organization=org, assigned_to=user).contact

    assert client.get(contact_url(org, theirs)).status_code == 404
    assert client.post(contact_url(org, theirs, "contact-edit"), {"name": "Hacked"}).status_code == 404
    assert Contact.objects.get(pk=theirs.pk).name != "Hacked"


def test_editing_the_contact_saves_it_through_the_service(browser, org):
    contact = LeadFactory(organization=org).contact

    response = browser.post(
        contact_url(org, contact, "contact-edit"),
        {"name": "Grace B. Hopper", "email": "GRACE@navy.mil", "phone": "555", "company": "Navy"},
    )

    assert response.status_code == 302
    assert response["Location"] == contact_url(org, contact)
    contact.refresh_from_db()
    assert (contact.name, contact.phone, contact.company) == ("Grace B. Hopper", "555", "Navy")
    assert contact.email.lower() == "grace@navy.mil"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Contact saved."]


def test_an_email_kept_as_it_was_is_not_judged_again(browser, org):
    contact = LeadFactory(
        organization=org, contact=ContactFactory(organization=org, email="jürgen@example.com")
    ).contact

    response = browser.post(
        contact_url(org, contact, "contact-edit"), {"name": contact.name, "email": contact.email, "phone": "42"}
    )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.phone == "42"


def test_edit_returns_to_a_page_of_this_site_only(browser, org):
    contact = LeadFactory(organization=org).contact
    data = {"name": "N"}

    back = browser.post(contact_url(org, contact, "contact-edit"), {**data, "next": "/app/elsewhere/"})
    away = browser.post(contact_url(org, contact, "contact-edit"), {**data, "next": "https://evil.example/"})

    assert back["Location"] == "/app/elsewhere/"
    assert away["Location"] == contact_url(org, contact)


@pytest.mark.parametrize(
    ("data", "message"),
    [({"name": ""}, "This field is required."), ({"name": "N", "email": "not-an-email"}, "Enter a valid email")],
)
def test_a_bad_edit_is_a_400_with_the_error_and_changes_nothing(browser, org, data, message):
    contact = LeadFactory(organization=org).contact
    before = Contact.objects.values().get(pk=contact.pk)

    response = browser.post(contact_url(org, contact, "contact-edit"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Contact.objects.values().get(pk=contact.pk) == before


def test_another_contacts_email_is_a_409_on_the_email_field(browser, org):
    ContactFactory(organization=org, email="taken@example.com")
    contact = LeadFactory(organization=org).contact
    before = Contact.objects.values().get(pk=contact.pk)

    response = browser.post(contact_url(org, contact, "contact-edit"), {"name": "N", "email": "Taken@example.com"})

    assert response.status_code == 409
    assert "already exists" in response.content.decode()
    assert Contact.objects.values().get(pk=contact.pk) == before
