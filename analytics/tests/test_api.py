"""The analytics routes: envelopes, exact bodies, filters, bad input, isolation and query counts."""

import pytest

from conftest import client_for
from leads.tests.factories import CampaignFactory, LeadFactory
from pipelines.services import create_pipeline

from .conftest import at, bulk_leads, day

pytestmark = pytest.mark.django_db

ROUTES = ["stats", "analytics/sources", "analytics/campaigns", "analytics/pipeline", "analytics/funnel"]


def url(org, route: str) -> str:
    return f"/leads/{org.pk}/{route}"


def get_at_now(user, path: str, params=None):
    """GET as ``user`` with the clock at NOW (the token is minted then too, so it is valid)."""
    with at(20):
        return client_for(user).get(path, params or {})


def bad_request(messages) -> dict:
    return {"success": False, "statusCode": 400, "message": messages, "error": "Bad Request"}


def not_found(message: str) -> dict:
    return {"success": False, "statusCode": 404, "message": message, "error": "Not Found"}


# --- exact bodies --------------------------------------------------------------


def test_stats_answer_the_documented_envelope(api, org, history):
    response = api.get(url(org, "stats"))
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "stats": {
            "totalLeads": 4,
            "newLeads": 1,
            "qualifiedLeads": 1,
            "contactedLeads": 0,
            "convertedLeads": 1,
            "lostLeads": 1,
            "conversionRate": 25.0,
            "averageValue": 1166.67,
            "totalValue": 3500,
        },
        "message": "Lead statistics retrieved successfully",
    }


def test_stats_of_an_empty_org_are_zero_numbers(api, org):
    stats = api.get(url(org, "stats")).json()["stats"]
    assert stats == dict.fromkeys(stats, 0)
    assert all(isinstance(value, int | float) for value in stats.values())


def test_sources_answer_the_documented_envelope(api, org, history):
    response = api.get(url(org, "analytics/sources"))
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "sources": [
            {"source": "website", "count": 2, "conversionRate": 50.0, "averageValue": 1500, "totalValue": 3000},
            {"source": "referral", "count": 1, "conversionRate": 0.0, "averageValue": 500, "totalValue": 500},
            {"source": None, "count": 1, "conversionRate": 0.0, "averageValue": 0, "totalValue": 0},
        ],
        "message": "Source analytics retrieved successfully",
    }


def test_campaigns_answer_the_documented_envelope(api, org, history):
    response = api.get(url(org, "analytics/campaigns"))
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "campaigns": [
            {
                "campaignId": history.campaigns["summer"].pk,
                "campaignName": "Summer Sale",
                "leadCount": 2,
                "conversionRate": 50.0,
                "averageValue": 1500,
                "totalValue": 3000,
            },
            {
                "campaignId": history.campaigns["winter"].pk,
                "campaignName": "Winter Deals",
                "leadCount": 1,
                "conversionRate": 0.0,
                "averageValue": 500,
                "totalValue": 500,
            },
        ],
        "message": "Campaign analytics retrieved successfully",
    }


def test_pipeline_defaults_to_the_default_pipeline(user, org, history):
    response = get_at_now(user, url(org, "analytics/pipeline"))
    assert response.status_code == 200
    stage_ids = {name: stage.pk for name, stage in history.stages.items()}
    assert response.json() == {
        "success": True,
        "pipeline": {
            "id": history.pipeline.pk,
            "name": "Sales Pipeline",
            "stages": [
                {"id": stage_ids["New"], "name": "New", "leadCount": 1, "averageTimeInStage": 2.6},
                {"id": stage_ids["Qualified"], "name": "Qualified", "leadCount": 1, "averageTimeInStage": 6.0},
                {"id": stage_ids["Contacted"], "name": "Contacted", "leadCount": 0, "averageTimeInStage": 5.5},
                {"id": stage_ids["Converted"], "name": "Converted", "leadCount": 1, "averageTimeInStage": 6.8},
                {"id": stage_ids["Lost"], "name": "Lost", "leadCount": 1, "averageTimeInStage": 12.0},
            ],
            "overallConversionRate": 25.0,
            "averageTimeToConvert": 10.5,
        },
        "message": "Pipeline analytics retrieved successfully",
    }


def test_funnel_answers_steps_rates_and_weighted_value(user, org, history):
    response = get_at_now(user, url(org, "analytics/funnel"), {"pipelineId": history.pipeline.pk})
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Pipeline funnel retrieved successfully"
    funnel = body["funnel"]
    assert [
        (s["name"], s["order"], s["probability"], s["isExit"], s["reached"], s["conversionRate"])
        for s in funnel["stages"]
    ] == [
        ("New", 1, 10, False, 4, 75.0),
        ("Qualified", 2, 30, False, 3, 66.7),
        ("Contacted", 3, 60, False, 2, 100.0),
        ("Converted", 4, 100, False, 2, None),
        ("Lost", 5, 0, True, 1, None),
    ]
    assert {
        key: funnel[key]
        for key in ("pipelineId", "pipelineName", "totalLeads", "openLeads", "openValue", "weightedValue")
    } == {
        "pipelineId": history.pipeline.pk,
        "pipelineName": "Sales Pipeline",
        "totalLeads": 4,
        "openLeads": 2,
        "openValue": 2000,
        "weightedValue": 600,
    }


# --- filters -------------------------------------------------------------------


def test_date_filters_keep_leads_created_from_after_until_before(api, org, history):
    # Day 1 (B, included) to day 15 (D, excluded): B and C.
    params = {"createdAfter": "2024-03-02T00:00:00Z", "createdBefore": "2024-03-16"}
    stats = api.get(url(org, "stats"), params).json()["stats"]
    sources = api.get(url(org, "analytics/sources"), params).json()["sources"]
    assert (stats["totalLeads"], stats["qualifiedLeads"], stats["lostLeads"], stats["totalValue"]) == (2, 1, 1, 2500)
    assert [(row["source"], row["count"]) for row in sources] == [("referral", 1), ("website", 1)]


def test_date_filters_accept_offsets(api, org, history):
    # 2024-03-02T01:00+01:00 is day 1 at midnight UTC: B (created then) is included.
    stats = api.get(url(org, "stats"), {"createdAfter": "2024-03-02T01:00:00+01:00"}).json()["stats"]
    assert stats["totalLeads"] == 3


def test_pipeline_filter_on_stats_and_pipeline_route(user, api, org, history):
    partners = create_pipeline(org=org, name="Partners", stages=[{"name": "Intro"}, {"name": "Deal"}])
    with at(3):
        LeadFactory(organization=org, pipeline=partners, value=100)
    stats = api.get(url(org, "stats"), {"pipelineId": partners.pk}).json()["stats"]
    pipeline = get_at_now(user, url(org, "analytics/pipeline"), {"pipelineId": partners.pk}).json()["pipeline"]
    assert (stats["totalLeads"], stats["totalValue"]) == (1, 100)
    assert (pipeline["id"], [(s["name"], s["leadCount"], s["averageTimeInStage"]) for s in pipeline["stages"]]) == (
        partners.pk,
        [("Intro", 1, 17.0), ("Deal", 0, 0.0)],
    )


def test_blank_pipeline_id_means_no_pipeline_filter(api, org, history):
    assert api.get(url(org, "stats"), {"pipelineId": ""}).json()["stats"]["totalLeads"] == 4


@pytest.mark.parametrize("route", ROUTES)
def test_another_orgs_pipeline_is_not_found(api, org, other_org, route):
    foreign = other_org.pipeline_set.get(is_default=True)
    response = api.get(url(org, route), {"pipelineId": foreign.pk})
    assert response.status_code == 404
    assert response.json() == not_found("Pipeline not found or you don't have access")


@pytest.mark.parametrize("route", ROUTES)
def test_malformed_pipeline_id_is_not_found(api, org, route):
    response = api.get(url(org, route), {"pipelineId": "pipeline_'; drop table x;--"})
    assert response.status_code == 404


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"createdAfter": "yesterday"}, "createdAfter must be an ISO 8601 date-time"),
        ({"createdBefore": "2024-13-01"}, "createdBefore must be an ISO 8601 date-time"),
        (
            {"createdAfter": "2024-03-10", "createdBefore": "2024-03-01"},
            "createdAfter must not be later than createdBefore",
        ),
        ({"createdAfter": "0001-01-01T00:00:00+01:00"}, "createdAfter is out of range"),
    ],
)
def test_bad_dates_are_a_400_envelope(api, org, route, params, message):
    response = api.get(url(org, route), params)
    assert response.status_code == 400
    assert response.json() == bad_request([message])


def test_pipeline_route_without_a_default_pipeline_is_not_found(api, org, pipeline):
    pipeline.is_default = False
    pipeline.save()
    response = api.get(url(org, "analytics/pipeline"))
    assert response.status_code == 404
    assert response.json()["message"] == "The organization has no default pipeline; pass pipelineId"


# --- isolation -----------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES)
def test_non_members_get_the_org_not_found_envelope(org, history, other_org, route):
    outsider = other_org.memberships.get().user
    response = client_for(outsider).get(url(org, route))
    assert response.status_code == 404
    assert response.json() == not_found("Organization not found or you don't have access")


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_callers_are_unauthorized(anon, org, route):
    response = anon.get(url(org, route))
    assert response.status_code == 401
    assert response.json()["success"] is False


def test_members_see_the_org_figures(org, history, member):
    assert client_for(member).get(url(org, "stats")).json()["stats"]["totalLeads"] == 4


def test_another_orgs_leads_and_campaigns_never_count(other_org, history):
    owner = other_org.memberships.get().user
    client = client_for(owner)
    stats = client.get(url(other_org, "stats")).json()["stats"]
    campaigns = client.get(url(other_org, "analytics/campaigns")).json()["campaigns"]
    assert (stats["totalLeads"], stats["totalValue"]) == (2, 17776)
    assert [(c["campaignName"], c["leadCount"], c["totalValue"]) for c in campaigns] == [("Their Summer", 2, 17776)]


# --- query counts --------------------------------------------------------------

# Every route: the membership (with its org and user, one query); then the report's own queries.
QUERIES = {
    "stats": 2,  # + one aggregate
    "analytics/sources": 2,  # + one GROUP BY source
    "analytics/campaigns": 2,  # + one GROUP BY campaign key, joined to the org's campaigns
    "analytics/pipeline": 5,  # + default pipeline, stages, leads per stage, time in stage
    "analytics/funnel": 5,  # + default pipeline, stages, leads by visited stages, open leads
}


@pytest.mark.parametrize("count", [10, 500])
@pytest.mark.parametrize("route", ROUTES)
def test_query_count_does_not_grow_with_leads(api, org, pipeline, route, count, django_assert_num_queries):
    bulk_leads(org, pipeline, count, campaign=CampaignFactory(organization=org))
    with django_assert_num_queries(QUERIES[route]):
        response = api.get(url(org, route))
    assert response.status_code == 200


@pytest.mark.parametrize("route", ["stats", "analytics/sources", "analytics/campaigns"])
def test_a_pipeline_filter_costs_one_more_query(api, org, pipeline, route, django_assert_num_queries):
    bulk_leads(org, pipeline, 10, campaign=CampaignFactory(organization=org))
    with django_assert_num_queries(QUERIES[route] + 1):
        response = api.get(url(org, route), {"pipelineId": pipeline.pk, "createdAfter": day(0).isoformat()})
    assert response.status_code == 200


def test_bulk_figures_add_up(api, org, pipeline):
    bulk_leads(org, pipeline, 500, campaign=CampaignFactory(organization=org))
    stats = api.get(url(org, "stats")).json()["stats"]
    sources = api.get(url(org, "analytics/sources")).json()["sources"]
    by_status = sum(
        stats[key] for key in ("newLeads", "qualifiedLeads", "contactedLeads", "convertedLeads", "lostLeads")
    )
    assert by_status == stats["totalLeads"] == sum(row["count"] for row in sources) == 500
    assert stats["convertedLeads"] == 100 and stats["conversionRate"] == 20.0


# --- schema --------------------------------------------------------------------


def test_routes_are_in_the_schema_with_their_filters(anon):
    schema = anon.get("/api/schema", HTTP_ACCEPT="application/json").json()
    for route, key in zip(ROUTES, ("stats", "sources", "campaigns", "pipeline", "funnel"), strict=True):
        operation = schema["paths"][f"/leads/{{org_id}}/{route}"]["get"]
        assert {p["name"] for p in operation["parameters"]} >= {"pipelineId", "createdAfter", "createdBefore"}
        envelope = operation["responses"]["200"]["content"]["application/json"]
        assert envelope["examples"], route
        assert set(operation["responses"]) >= {"200", "400", "401", "404"}
        ref = envelope["schema"]["$ref"].rsplit("/", 1)[-1]
        assert key in schema["components"]["schemas"][ref]["properties"]
