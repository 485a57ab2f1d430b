"""Web-to-lead capture: ``POST /forms/{formKey}`` (public) and the org's lead forms (OWNER/ADMIN)."""

import pytest
from django.core.cache import cache

from conftest import client_for
from integrations.models import LeadForm
from leads.models import Activity, Contact, Lead
from vchata.accounts.models import Membership
from vchata.accounts.tests.factories import MembershipFactory

from .factories import make_lead_form

pytestmark = pytest.mark.django_db

SITE = "https://www.shop.example"
SUBMISSION = {
    "name": "Rae Kim",
    "email": "rae@example.com",
    "phone": "+15550001111",
    "company": "Kim & Co",
    "message": "Please call me about bulk pricing",
    "utmSource": "google",
    "utmMedium": "cpc",
    "utmCampaign": "spring_sale",
    "utmTerm": "oak table",
    "utmContent": "ad_b",
    "gclid": "EAIaIQobChMI8",
    "fbclid": "IwAR2xyz",
    "msclkid": "7c5e1f",
    "landingPage": "https://www.shop.example/tables?utm_source=google",
    "referrer": "https://www.google.com/",
    "website": "",
}


@pytest.fixture
def lead_form(org):
    return make_lead_form(org=org, allowed_origins=[SITE])


def submit(client, form, body=None, **headers):
    return client.post(f"/forms/{form.key}", body if body is not None else SUBMISSION, format="json", **headers)


def test_a_submission_creates_a_lead_with_contact_source_utm_and_attribution(anon, api, org, pipeline, lead_form):
    response = submit(anon, lead_form)

    assert response.status_code == 201
    assert response.json() == {"success": True, "message": "Thank you, your message was received"}
    lead = Lead.objects.get()
    assert (lead.pipeline, lead.source, lead.notes) == (pipeline, "web_form", "Please call me about bulk pricing")
    assert (lead.utm_source, lead.utm_medium, lead.utm_campaign, lead.utm_term, lead.utm_content) == (
        "google",
        "cpc",
        "spring_sale",
        "oak table",
        "ad_b",
    )
    assert (lead.contact.name, lead.contact.email, lead.contact.company) == ("Rae Kim", "rae@example.com", "Kim & Co")
    shown = api.get(f"/leads/{org.pk}/{lead.pk}").json()["lead"]
    assert shown["attribution"] == {
        "gclid": "EAIaIQobChMI8",
        "fbclid": "IwAR2xyz",
        "msclkid": "7c5e1f",
        "landingPage": "https://www.shop.example/tables?utm_source=google",
        "referrer": "https://www.google.com/",
    }


def test_a_plain_html_form_post_is_accepted_too(anon, lead_form):
    response = anon.post(f"/forms/{lead_form.key}", {"name": "Lu", "email": "lu@example.com", "submit": "Send"})

    assert response.status_code == 201
    assert Lead.objects.get().contact.name == "Lu"


def test_a_lead_without_attribution_answers_nulls(api, org, pipeline):
    from leads.tests.factories import LeadFactory

    lead = LeadFactory(organization=org)

    assert api.get(f"/leads/{org.pk}/{lead.pk}").json()["lead"]["attribution"] == dict.fromkeys(
        ["gclid", "fbclid", "msclkid", "landingPage", "referrer"]
    )


def test_a_filled_honeypot_is_answered_like_a_success_and_stores_nothing(anon, lead_form):
    response = submit(anon, lead_form, {**SUBMISSION, "website": "http://spam.example"})

    assert response.status_code == 201
    assert Lead.objects.count() == 0 and Contact.objects.count() == 0


def test_the_same_person_again_adds_a_note_to_their_lead(anon, lead_form):
    submit(anon, lead_form)

    response = submit(anon, lead_form, {**SUBMISSION, "message": "Any news?"})

    assert response.status_code == 201
    lead = Lead.objects.get()
    assert lead.activities.filter(type=Activity.Type.NOTE, description="Any news?").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, ["name is required"]),
        ({"name": "X", "email": "not-an-email"}, ["email must be a valid email address"]),
        ({"name": "X" * 201}, ["name must be at most 200 characters long"]),
        ([1, 2], ["The request body must be a JSON object or a form"]),
    ],
)
def test_bad_submissions_are_400_and_store_nothing(anon, lead_form, body, message):
    response = submit(anon, lead_form, body)

    assert response.status_code == 400
    assert response.json()["message"] == message
    assert Lead.objects.count() == 0


def test_an_unknown_or_retired_key_is_404(anon, org, lead_form):
    assert anon.post("/forms/nope", SUBMISSION, format="json").status_code == 404
    LeadForm.objects.filter(pk=lead_form.pk).update(is_active=False)
    assert submit(anon, lead_form).status_code == 404


# --- CORS ---------------------------------------------------------------------------------------


def test_the_preflight_of_an_allowed_origin_is_answered(anon, lead_form):
    response = anon.options(f"/forms/{lead_form.key}", HTTP_ORIGIN=SITE, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == SITE
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert response["Access-Control-Allow-Headers"] == "Content-Type"


def test_a_post_from_an_allowed_origin_can_be_read_by_the_page(anon, lead_form):
    response = submit(anon, lead_form, HTTP_ORIGIN=SITE)

    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == SITE
    assert response["Vary"] == "Origin"


def test_an_error_for_an_allowed_origin_carries_cors_headers(anon, lead_form):
    response = submit(anon, lead_form, {}, HTTP_ORIGIN=SITE)

    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == SITE


def test_another_origin_is_refused_and_nothing_is_stored(anon, lead_form):
    response = submit(anon, lead_form, HTTP_ORIGIN="https://evil.example")
    preflight = anon.options(f"/forms/{lead_form.key}", HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 403 and preflight.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    assert Lead.objects.count() == 0


def test_submissions_are_throttled_per_ip(anon, lead_form, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "forms": "2/minute"},
    }
    cache.clear()
    try:
        answers = [submit(anon, lead_form, {"name": f"N{n}"}).status_code for n in range(3)]
    finally:
        cache.clear()

    assert answers == [201, 201, 429]
    assert Lead.objects.count() == 2


# --- managing forms ------------------------------------------------------------------------------------


def test_creating_a_form_answers_its_key_endpoint_and_snippet(api, org):
    response = api.post(
        f"/organizations/{org.pk}/lead-forms", {"name": "Pricing page", "allowedOrigins": [SITE + "/"]}, format="json"
    )

    assert response.status_code == 201
    form = response.json()["leadForm"]
    assert form["allowedOrigins"] == [SITE]
    assert form["endpoint"] == f"http://testserver/forms/{form['formKey']}"
    assert f'action="{form["endpoint"]}"' in form["snippet"]
    assert 'name="website"' in form["snippet"]


@pytest.mark.parametrize("origin", ["*", "ftp://x.example", "https://x.example/path", "not a url"])
def test_allowed_origins_must_be_origins(api, org, origin):
    response = api.post(f"/organizations/{org.pk}/lead-forms", {"name": "F", "allowedOrigins": [origin]}, format="json")

    assert response.status_code == 400
    assert LeadForm.objects.count() == 0


def test_rotating_the_key_retires_the_old_one(api, anon, org, lead_form):
    old_key = lead_form.key

    response = api.post(f"/organizations/{org.pk}/lead-forms/{lead_form.pk}/rotate-key")

    assert response.status_code == 200
    assert response.json()["leadForm"]["formKey"] != old_key
    assert anon.post(f"/forms/{old_key}", SUBMISSION, format="json").status_code == 404


def test_a_member_cannot_manage_forms(org, lead_form):
    client = client_for(MembershipFactory(organization=org, role=Membership.Role.MEMBER).user)

    assert client.get(f"/organizations/{org.pk}/lead-forms").status_code == 403
    assert client.post(f"/organizations/{org.pk}/lead-forms/{lead_form.pk}/rotate-key").status_code == 403


def test_another_orgs_form_is_not_found(api, org, other_org):
    foreign = make_lead_form(org=other_org)

    assert api.get(f"/organizations/{org.pk}/lead-forms/{foreign.pk}").status_code == 404
    assert api.post(f"/organizations/{org.pk}/lead-forms/{foreign.pk}/rotate-key").status_code == 404
    assert api.delete(f"/organizations/{org.pk}/lead-forms/{foreign.pk}").status_code == 404


def test_a_form_posting_to_another_orgs_pipeline_is_refused(api, org, other_org):
    foreign_pipeline = other_org.pipeline_set.get(is_default=True)

    response = api.post(
        f"/organizations/{org.pk}/lead-forms", {"name": "F", "pipelineId": foreign_pipeline.pk}, format="json"
    )

    assert response.status_code == 400


def test_the_settings_page_shows_each_forms_snippet(browser, org, lead_form):
    response = browser.get(f"/app/{org.pk}/settings/forms/")

    assert response.status_code == 200
    assert f"/forms/{lead_form.key}" in response.content.decode()


def test_an_owner_adds_a_form_on_the_settings_page(browser, org):
    response = browser.post(f"/app/{org.pk}/settings/forms/", {"name": "Footer form"})

    assert response.status_code == 302
    assert LeadForm.objects.get().name == "Footer form"
