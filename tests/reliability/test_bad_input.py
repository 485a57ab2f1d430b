"""Bad input, route family by route family: each gets a clear 4xx in the envelope and changes nothing.

Oversize and chunked bodies, deeply nested JSON, invalid UTF-8, values JSON
allows but the database or the response could not hold (NUL, lone
surrogates, 1e999), wrong content types, absurd page numbers, and injection
strings, which are stored as typed and shown escaped.
"""

import json
from dataclasses import dataclass

import pytest
from django.conf import settings

from leads.models import Activity, Campaign, Contact, Conversation, Lead
from leads.tests.factories import ContactFactory, LeadFactory, SocialAccountFactory
from pipelines.models import Pipeline, Stage
from vchata.accounts.models import Organization, User

pytestmark = pytest.mark.django_db


@dataclass
class Route:
    family: str
    path: str  # with {org}, {lead}, {pipeline}, {contact}, {social}
    body: dict
    model: type

    def url(self, ids: dict) -> str:
        return self.path.format(**ids)


ROUTES = [
    Route(
        "auth",
        "/auth/signup",
        {"email": "x@example.com", "password": "pw-long-enough-1", "name": "X", "organizationName": "X Inc"},
        User,
    ),
    Route("organizations", "/organizations", {"name": "Acme"}, Organization),
    Route("leads", "/leads/{org}", {"contactId": "{contact}", "pipelineId": "{pipeline}"}, Lead),
    Route("leads", "/leads/{org}/with-contact", {"contact": {"name": "Ana"}, "pipelineId": "{pipeline}"}, Contact),
    Route("leads", "/leads/{org}/{lead}/activities", {"type": "NOTE", "description": "Called"}, Activity),
    Route("leads", "/leads/{org}/campaigns", {"name": "Spring", "utmCampaign": "spring"}, Campaign),
    Route("pipelines", "/pipelines/{org}", {"name": "Partners"}, Pipeline),
    Route("pipelines", "/pipelines/{org}/{pipeline}/stages", {"name": "Demo"}, Stage),
    Route(
        "conversations",
        "/conversations/{org}",
        {"socialAccountId": "{social}", "participant": {"name": "Fan"}},
        Conversation,
    ),
]
ROUTE_IDS = [r.path for r in ROUTES]


@pytest.fixture
def ids(org, pipeline):
    lead = LeadFactory(organization=org)
    return {
        "org": org.pk,
        "pipeline": pipeline.pk,
        "lead": lead.pk,
        "contact": ContactFactory(organization=org).pk,
        "social": SocialAccountFactory(organization=org).pk,
    }


def body_for(route: Route, ids: dict) -> dict:
    return json.loads(
        json.dumps(route.body)
        .replace("{contact}", ids["contact"])
        .replace("{pipeline}", ids["pipeline"])
        .replace("{social}", ids["social"])
    )


def send(api, route: Route, ids: dict, raw: bytes, content_type: str = "application/json"):
    return api.generic("POST", route.url(ids), raw, content_type=content_type)


def assert_refused(response, status: int, rows_before: int, route: Route) -> dict:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert body["success"] is False and body["statusCode"] == status
    assert route.model.objects.count() == rows_before
    return body


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_the_valid_body_is_accepted(api, ids, route):
    """The baseline: without it, a refusal below could be for the wrong reason."""
    response = api.post(route.url(ids), body_for(route, ids), format="json")
    assert response.status_code == 201, response.content[:300]


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_an_oversize_body_is_a_413_before_it_is_read(api, ids, route):
    before = route.model.objects.count()
    padded = {**body_for(route, ids), "notes": "x" * settings.API_MAX_BODY_BYTES}
    body = assert_refused(send(api, route, ids, json.dumps(padded).encode()), 413, before, route)
    assert body["error"] == "Payload Too Large" or body["error"] == "Request Entity Too Large"


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_a_chunked_body_is_a_411_not_an_empty_body(api, ids, route):
    before = route.model.objects.count()
    response = api.generic(
        "POST",
        route.url(ids),
        json.dumps(body_for(route, ids)),
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert assert_refused(response, 411, before, route)["error"] == "Length Required"


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_deeply_nested_json_is_a_400(api, ids, route):
    before = route.model.objects.count()
    deep = "[" * 50_000 + "]" * 50_000
    raw = json.dumps(body_for(route, ids))[:-1] + f', "name": {deep}}}'
    body = assert_refused(send(api, route, ids, raw.encode()), 400, before, route)
    assert "nested deeper" in body["message"]


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_invalid_utf8_is_a_400(api, ids, route):
    before = route.model.objects.count()
    raw = json.dumps(body_for(route, ids)).encode()[:-1] + b', "name": "\xff\xfe\xc3"}'
    body = assert_refused(send(api, route, ids, raw), 400, before, route)
    assert "utf-8" in body["message"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('"caf\\u0000e"', "NUL character"),
        ('"\\ud800"', "unpaired UTF-16 surrogate"),
        ("1e999", "out of range"),
        ("NaN", "NaN"),
    ],
)
@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_values_that_could_not_be_stored_or_sent_back_are_a_400(api, ids, route, value, problem):
    before = route.model.objects.count()
    raw = json.dumps(body_for(route, ids))[:-1] + f', "extra": {{"deep": [{value}]}}}}'
    body = assert_refused(send(api, route, ids, raw.encode()), 400, before, route)
    assert problem in body["message"]


def test_a_stored_lone_surrogate_can_no_longer_poison_a_lead(api, org, ids):
    """It used to be stored in an activity's metadata, then every read of the lead was a 500."""
    raw = b'{"type": "NOTE", "description": "x", "metadata": {"note": "\\ud83d"}}'
    assert (
        api.generic(
            "POST", f"/leads/{org.pk}/{ids['lead']}/activities", raw, content_type="application/json"
        ).status_code
        == 400
    )
    assert api.get(f"/leads/{org.pk}/{ids['lead']}").status_code == 200


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"],
)
@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_a_body_that_is_not_json_is_a_415(api, ids, route, content_type):
    before = route.model.objects.count()
    body = assert_refused(send(api, route, ids, b"name=x", content_type), 415, before, route)
    assert body["error"] == "Unsupported Media Type"


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_a_json_body_that_is_not_an_object_is_a_400(api, ids, route):
    before = route.model.objects.count()
    for raw in (b"[]", b'"text"', b"42", b"null"):
        assert_refused(send(api, route, ids, raw), 400, before, route)


def test_a_charset_that_decompresses_is_refused(api, ids):
    response = send(api, ROUTES[1], ids, b"BZh9", "application/json; charset=bz2_codec")
    assert response.status_code == 400
    assert Organization.objects.count() == 1


LISTS = [
    "/leads/{org}",
    "/leads/{org}/{lead}/activities",
    "/leads/{org}/campaigns",
    "/leads/{org}/custom-fields",
    "/pipelines/{org}",
    "/conversations/{org}",
    "/conversations/{org}/posts",
    "/conversations/{org}/social-accounts",
]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "query",
    [
        "page=" + "9" * 40,
        "page=0",
        "page=-1",
        "page=abc",
        "page=1e3",
        "limit=0",
        "limit=101",
        "limit=" + "9" * 40,
        "page=%00",
    ],
)
def test_nonsense_page_numbers_are_a_400(api, ids, path, query):
    response = api.get(f"{path.format(**ids)}?{query}")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["statusCode"] == 400


@pytest.mark.parametrize("path", LISTS)
def test_a_page_past_the_end_is_an_empty_page(api, ids, path):
    response = api.get(f"{path.format(**ids)}?page=1000000&limit=100")
    assert response.status_code == 200
    body = response.json()
    assert body["pagination"]["page"] == 1_000_000 and body["pagination"]["hasMore"] is False
    assert [value for key, value in body.items() if isinstance(value, list)] == [[]]


@pytest.mark.parametrize(
    "query",
    [
        "createdAfter=9999-12-31T23:59:59-05:00",
        "createdBefore=0001-01-01T00:00:00%2B05:00",
        "minValue=1e999",
        "minValue=NaN",
        "pipelineId=" + "x" * 5000,
        "search=" + "a" * 5000,
        "search=%00",
        "ordering=;DROP TABLE leads_lead",
    ],
)
def test_nonsense_lead_filters_are_a_400(api, org, query):
    response = api.get(f"/leads/{org.pk}?{query}")
    assert response.status_code == 400, response.content[:300]


@pytest.mark.parametrize(
    "path", ["/leads/{org}/stats", "/leads/{org}/analytics/sources", "/leads/{org}/analytics/pipeline"]
)
@pytest.mark.parametrize("query", ["createdAfter=9999-12-31T23:59:59-05:00", "createdAfter=nope", "pipelineId=%00"])
def test_nonsense_analytics_filters_are_a_400(api, ids, path, query):
    response = api.get(f"{path.format(**ids)}?{query}")
    assert response.status_code == 400, response.content[:300]


INJECTIONS = {
    "name": "<script>alert('name')</script>",
    "company": "Robert'); DROP TABLE leads_contact;--",
    "email": "x'or'1'='1@example.com",
}
NOTES = '<img src=x onerror="alert(1)"> \' OR 1=1; --'


def test_injection_strings_are_stored_and_answered_as_typed(api, org, pipeline):
    response = api.post(
        f"/leads/{org.pk}/with-contact",
        {"contact": INJECTIONS, "pipelineId": pipeline.pk, "notes": NOTES, "source": "' OR ''='"},
        format="json",
    )
    assert response.status_code == 201, response.content[:300]
    lead_id = response.json()["lead"]["id"]

    detail = api.get(f"/leads/{org.pk}/{lead_id}").json()["lead"]
    assert detail["notes"] == NOTES
    assert {k: detail["contact"][k] for k in INJECTIONS} == INJECTIONS
    assert Contact.objects.filter(organization=org).count() == 1  # the DROP did not run

    found = api.get(f"/leads/{org.pk}", {"search": "DROP TABLE"}).json()["leads"]
    assert [lead["id"] for lead in found] == [lead_id]
    assert api.get(f"/leads/{org.pk}", {"source": "' OR ''='"}).json()["pagination"]["total"] == 1
    assert api.get(f"/leads/{org.pk}", {"source": "' OR 1=1 --"}).json()["pagination"]["total"] == 0


def test_injection_strings_are_escaped_on_the_lead_page_and_the_board(client, user, org, pipeline):
    contact = ContactFactory(organization=org, **INJECTIONS)
    lead = LeadFactory(organization=org, contact=contact, notes=NOTES)
    client.force_login(user)

    for url in (f"/app/{org.pk}/leads/{lead.pk}/", f"/app/{org.pk}/pipelines/{pipeline.pk}/"):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert "<script>alert('name')</script>" not in html
        assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in html
        if "leads/" in url:
            assert '<img src=x onerror="alert(1)">' not in html
            assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


@pytest.mark.parametrize("path", [*LISTS, "/leads/{org}/{lead}", "/auth/me", "/leads/{org}/stats"])
def test_options_is_a_405_envelope_not_a_500(api, ids, path):
    """DRF's OPTIONS metadata needs a serializer_class some views lack (fuzzer: OPTIONS /leads/{orgId} was a 500)."""
    response = api.options(path.format(**ids))
    assert response.status_code == 405
    assert response.json()["error"] == "Method Not Allowed"
