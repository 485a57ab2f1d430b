"""The lead page edits its contact in place (the contacts service) and records the edit on the lead's timeline."""

import pytest
from django.test import Client
from django.urls import reverse

from leads.models import Contact, LeadChange
from leads.tests.factories import ContactFactory, LeadFactory
from pipelines.services import create_pipeline

pytestmark = pytest.mark.django_db

# The lead page's reads; its contact form adds none (the lead's contact comes with the lead); "Mark lost"
# reads the org's lost reasons.
PINNED_LEAD_PAGE_QUERIES = 17


def url(org, lead, name="lead-contact"):
    return reverse(name, kwargs={"org_id": org.pk, "lead_id": lead.pk})


def contact_data(**overrides):
    data = {"name": "Grace B. Hopper", "email": "grace@example.com", "phone": "+1 555 0100", "company": "Navy"}
    data.update(overrides)
    return data


@pytest.fixture
def lead(org, pipeline):
    contact = ContactFactory(organization=org, name="Grace Hopper", email="g@example.com", phone="", company="Navy")
    return LeadFactory(organization=org, pipeline=pipeline, contact=contact)


def test_the_lead_page_links_to_the_contact_page_and_offers_its_fields(browser, org, lead):
    response = browser.get(url(org, lead, "lead-detail"))

    html = response.content.decode()
    assert reverse("contact-detail", kwargs={"org_id": org.pk, "contact_id": lead.contact_id}) in html
    assert 'id="contact_name"' in html and 'value="Grace Hopper"' in html
    assert f'action="{url(org, lead)}"' in html


def test_saving_the_contact_changes_it_and_writes_one_timeline_entry(browser, org, user, lead):
    response = browser.post(url(org, lead), contact_data())

    assert response.status_code == 302 and response["Location"].endswith("#contact")
    contact = Contact.objects.get(pk=lead.contact_id)
    assert (contact.name, contact.email, contact.phone) == ("Grace B. Hopper", "grace@example.com", "+1 555 0100")
    change = LeadChange.objects.get(lead=lead, created=False)
    assert change.actor_user_id == user.pk
    assert change.changes == {
        "contact.name": ["Grace Hopper", "Grace B. Hopper"],
        "contact.email": ["g@example.com", "grace@example.com"],
        "contact.phone": ["", "+1 555 0100"],
    }
    page = browser.get(url(org, lead, "lead-detail"))
    newest = page.context["timeline"][0]
    assert newest.title == "Contact edited"
    assert newest.lines == [
        "Contact name Grace Hopper → Grace B. Hopper",
        "Email g@example.com → grace@example.com",
        "Phone none → +1 555 0100",
    ]


def test_saving_unchanged_details_writes_no_entry(browser, org, lead):
    browser.post(url(org, lead), contact_data(name="Grace Hopper", email="g@example.com", phone=""))

    assert not LeadChange.objects.filter(lead=lead, created=False).exists()


def test_every_lead_of_the_contact_keeps_the_edit(browser, org, lead):
    second = LeadFactory(organization=org, contact=lead.contact, pipeline=create_pipeline(org=org, name="Partners"))

    browser.post(url(org, lead), contact_data())

    assert LeadChange.objects.filter(lead=second, created=False).count() == 1


def test_an_email_another_contact_has_is_a_form_error_and_changes_nothing(browser, org, lead):
    ContactFactory(organization=org, email="taken@example.com")

    response = browser.post(url(org, lead), contact_data(email="TAKEN@example.com"))

    assert response.status_code == 409
    form = response.context["contact_form"]
    assert form.errors["email"] == ["A contact with this email already exists"]
    assert 'id="contact_email_error"' in response.content.decode()
    contact = Contact.objects.get(pk=lead.contact_id)
    assert (contact.name, contact.email) == ("Grace Hopper", "g@example.com")
    assert not LeadChange.objects.filter(lead=lead, created=False).exists()


@pytest.mark.parametrize(
    ("data", "field"), [({"name": ""}, "name"), ({"email": "not an email"}, "email"), ({"phone": "9" * 41}, "phone")]
)
def test_bad_input_is_a_400_with_the_error_by_its_field(browser, org, lead, data, field):
    response = browser.post(url(org, lead), contact_data(**data))

    assert response.status_code == 400
    assert field in response.context["contact_form"].errors
    assert Contact.objects.get(pk=lead.contact_id).name == "Grace Hopper"


def test_the_contact_of_a_lead_in_another_org_is_not_reachable(browser, org, other_org):
    foreign = LeadFactory(organization=other_org)

    assert browser.post(url(org, foreign), contact_data()).status_code == 404
    assert Contact.objects.get(pk=foreign.contact_id).name != "Grace B. Hopper"


def test_the_contact_form_needs_the_csrf_token(user, org, lead):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    assert client.post(url(org, lead), contact_data()).status_code == 403
    assert Contact.objects.get(pk=lead.contact_id).name == "Grace Hopper"


def test_lead_page_reads_are_pinned(browser, org, lead, django_assert_num_queries):
    with django_assert_num_queries(PINNED_LEAD_PAGE_QUERIES):
        assert browser.get(url(org, lead, "lead-detail")).status_code == 200
