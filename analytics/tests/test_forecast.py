"""GET /leads/{orgId}/analytics/forecast: open leads by month of expected close date, with exact figures.

The clock is 2026-12-15 (UTC). Default pipeline stage probabilities: New 10, Qualified 30, Contacted 60,
Converted 100, Lost 0.

    lead  stage      value      close date   probability   counts as
    a     New        1000       2026-12-01   (stage 10)    2026-12: weighted 100
    b     Qualified  2000       2026-12-31   25 (own)      2026-12: weighted 500
    c     Contacted  333.33     2027-02-10   (stage 60)    2027-02: weighted 199.998 → 200.00
    d     New        none       2027-02-28   (stage 10)    2027-02: count only
    e     Qualified  400        2026-11-30   (stage 30)    overdue: weighted 120
    f     Contacted  700        none         0 (own)       unscheduled: weighted 0
    g     Converted  5000       2026-12-10   —             closed: nowhere
    h     Lost       6000       2026-12-10   —             closed: nowhere
    i     New        900        2027-06-01   (stage 10)    after the 6 months shown: nowhere
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from conftest import client_for
from leads.tests.factories import LeadFactory
from pipelines.services import create_pipeline
from vchata.accounts.models import Membership, Organization
from vchata.accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 15, 9, 30, tzinfo=UTC)


def url(org) -> str:
    return f"/leads/{org.pk}/analytics/forecast"


def get(user, org, params=None):
    """GET as ``user`` (None: anonymous) with the clock at NOW; the token is minted then too, so it is valid."""
    with time_machine.travel(NOW, tick=False):
        return client_for(user).get(url(org), params or {})


def month(key: str, count: int = 0, total=0, weighted=0) -> dict:
    return {"month": key, "count": count, "totalValue": total, "weightedValue": weighted}


def figures(count: int = 0, total=0, weighted=0) -> dict:
    return {"count": count, "totalValue": total, "weightedValue": weighted}


@pytest.fixture
def deals(org, stages):
    by_name = {stage.name: stage for stage in stages}

    def lead(stage: str, value, close: date | None, probability: int | None = None, **extra):
        return LeadFactory(
            organization=org,
            stage=by_name[stage],
            value=value,
            expected_close_date=close,
            probability=probability,
            **extra,
        )

    with time_machine.travel(datetime(2026, 10, 1, tzinfo=UTC), tick=False):
        return {
            "a": lead("New", Decimal("1000"), date(2026, 12, 1)),
            "b": lead("Qualified", Decimal("2000"), date(2026, 12, 31), 25),
            "c": lead("Contacted", Decimal("333.33"), date(2027, 2, 10)),
            "d": lead("New", None, date(2027, 2, 28)),
            "e": lead("Qualified", Decimal("400"), date(2026, 11, 30)),
            "f": lead("Contacted", Decimal("700"), None, 0),
            "g": lead("Converted", Decimal("5000"), date(2026, 12, 10)),
            "h": lead("Lost", Decimal("6000"), date(2026, 12, 10)),
            "i": lead("New", Decimal("900"), date(2027, 6, 1)),
        }


def test_forecast_answers_each_month_from_the_current_one(user, org, deals):
    response = get(user, org)

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "forecast": {
            "months": [
                month("2026-12", 2, 3000, 600),
                month("2027-01"),
                month("2027-02", 2, 333.33, 200),
                month("2027-03"),
                month("2027-04"),
                month("2027-05"),
            ],
            "overdue": figures(1, 400, 120),
            "unscheduled": figures(1, 700, 0),
        },
        "message": "Forecast retrieved successfully",
    }


def test_months_sets_how_far_ahead_and_reaches_later_leads(user, org, deals):
    months = get(user, org, {"months": 7}).json()["forecast"]["months"]

    assert [m["month"] for m in months][-2:] == ["2027-05", "2027-06"]
    assert months[-1] == month("2027-06", 1, 900, 90)


def test_one_month_is_the_current_month_only(user, org, deals):
    forecast = get(user, org, {"months": 1}).json()["forecast"]

    assert forecast["months"] == [month("2026-12", 2, 3000, 600)]
    assert forecast["overdue"] == figures(1, 400, 120)


def test_twenty_four_months_cross_two_new_years(user, org):
    months = get(user, org, {"months": 24}).json()["forecast"]["months"]

    keys = [m["month"] for m in months]
    assert (len(keys), keys[:2], keys[-1]) == (24, ["2026-12", "2027-01"], "2028-11")


def test_an_empty_org_forecasts_zeros(user, org):
    forecast = get(user, org).json()["forecast"]

    assert [m["count"] + m["totalValue"] + m["weightedValue"] for m in forecast["months"]] == [0] * 6
    assert forecast["overdue"] == forecast["unscheduled"] == figures()


def test_weighted_value_is_rounded_to_cents(user, org, stages):
    with time_machine.travel(NOW, tick=False):
        for value in ("0.05", "0.05", "0.05"):  # 3 × 0.05 × 10 % = 0.015 → 0.02 (half up on the sum)
            LeadFactory(organization=org, stage=stages[0], value=Decimal(value), expected_close_date=date(2027, 1, 5))

    assert get(user, org, {"months": 2}).json()["forecast"]["months"][1] == month("2027-01", 3, 0.15, 0.02)


def test_pipeline_filter_keeps_its_leads_only(user, org, deals):
    partners = create_pipeline(org=org, name="Partners", stages=[{"name": "Intro", "probability": 50}])
    with time_machine.travel(NOW, tick=False):
        LeadFactory(organization=org, pipeline=partners, value=Decimal("80"), expected_close_date=date(2027, 1, 1))

    theirs = get(user, org, {"pipelineId": partners.pk}).json()["forecast"]
    everything = get(user, org).json()["forecast"]

    assert theirs["months"][:2] == [month("2026-12"), month("2027-01", 1, 80, 40)]
    assert theirs["unscheduled"] == figures()
    assert everything["months"][1] == month("2027-01", 1, 80, 40)


def test_created_filters_narrow_the_leads(user, org, deals):
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        LeadFactory(organization=org, value=Decimal("50"), expected_close_date=date(2027, 1, 20))

    forecast = get(user, org, {"createdAfter": "2026-11-01"}).json()["forecast"]

    assert forecast["months"][:2] == [month("2026-12"), month("2027-01", 1, 50, 5)]
    assert forecast["overdue"] == forecast["unscheduled"] == figures()


def test_a_member_under_assigned_visibility_sees_their_and_unassigned_leads(user, org, stages):
    owner = user
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    rep = MembershipFactory(organization=org, role=Membership.Role.MEMBER).user
    colleague = MembershipFactory(organization=org, role=Membership.Role.MEMBER).user
    close = date(2026, 12, 20)
    with time_machine.travel(NOW, tick=False):
        LeadFactory(organization=org, assigned_to=rep, value=Decimal("100"), expected_close_date=close)
        LeadFactory(organization=org, assigned_to=colleague, value=Decimal("1000"), expected_close_date=close)
        LeadFactory(organization=org, value=Decimal("10"), expected_close_date=close)

    mine = get(rep, org).json()["forecast"]["months"][0]
    owners = get(owner, org).json()["forecast"]["months"][0]

    assert mine == month("2026-12", 2, 110, 11)
    assert owners == month("2026-12", 3, 1110, 111)


# --- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"months": "0"}, "months must be greater than or equal to 1"),
        ({"months": "25"}, "months must be less than or equal to 24"),
        ({"months": "six"}, "months must be an integer"),
        ({"months": "-3"}, "months must be greater than or equal to 1"),
        ({"months": "1e9"}, "months must be an integer"),
        ({"createdAfter": "yesterday"}, "createdAfter must be an ISO 8601 date-time"),
    ],
)
def test_bad_parameters_are_a_400_envelope(user, org, params, message):
    response = get(user, org, params)

    assert response.status_code == 400
    assert response.json() == {"success": False, "statusCode": 400, "message": [message], "error": "Bad Request"}


def test_another_orgs_pipeline_is_not_found(user, org, other_org):
    response = get(user, org, {"pipelineId": other_org.pipeline_set.get().pk})

    assert response.status_code == 404
    assert response.json()["message"] == "Pipeline not found or you don't have access"


def test_non_members_and_anonymous_callers_get_nothing(org, other_org, deals):
    outsider = other_org.memberships.get().user

    assert get(outsider, org).status_code == 404
    assert get(None, org).status_code == 401


# --- cost and schema ------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 60])
def test_one_query_after_the_membership_whatever_the_leads(user, org, stages, extra, django_assert_num_queries):
    with time_machine.travel(NOW, tick=False):
        for n in range(extra // 20):
            LeadFactory.create_batch(
                20, organization=org, stage=stages[n % 3], expected_close_date=date(2027, 1 + n % 6, 1)
            )
    with time_machine.travel(NOW, tick=False):
        client = client_for(user)  # minting the token is not the route's cost
        with django_assert_num_queries(2):  # the membership, then one GROUP BY
            assert client.get(url(org), {"months": 12}).status_code == 200


def test_a_pipeline_filter_costs_one_more_query(user, org, pipeline, django_assert_num_queries):
    with time_machine.travel(NOW, tick=False):
        client = client_for(user)
        with django_assert_num_queries(3):
            assert client.get(url(org), {"pipelineId": pipeline.pk}).status_code == 200


def test_the_route_is_in_the_schema(anon):
    schema = anon.get("/api/schema", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/leads/{org_id}/analytics/forecast"]["get"]

    assert {p["name"] for p in operation["parameters"]} >= {"pipelineId", "months", "createdAfter", "createdBefore"}
    assert set(operation["responses"]) >= {"200", "400", "401", "404"}
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    forecast = schema["components"]["schemas"][ref]["properties"]["forecast"]
    assert forecast
