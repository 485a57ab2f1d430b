"""The dashboard's sales panels: forecast, win/loss by reason, leads per week and per rep, with exact figures.

The clock is Tuesday 2026-12-15 (UTC), in ISO week 2026-W51. Default pipeline stages.

    lead  created     assignee  value  what happened                      close date
    L1    Mon 11-30   Ana       1000   open (New, 10 %)                   2026-12-20
    L2    Tue 12-01   Ana       2000   converted Tue 12-08
    L3    Wed 12-02   Bo         500   lost "Price" Wed 12-09
    L4    Tue 12-08   Bo         300   lost "Price" Thu 12-10
    L5    Wed 12-09   nobody     700   lost "Timing" Mon 12-14
    L6    Mon 12-14   nobody     none  open (Qualified, 30 %)             2027-01-05
    L7    Mon 06-01   Bo        4000   converted Tue 12-15 08:00
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from analytics.trends import monday_of, window
from leads.models import LostReason
from leads.services import move_lead_to_stage
from leads.tests.factories import LeadFactory
from pipelines.services import create_pipeline
from vchata.accounts.models import Membership, Organization
from vchata.accounts.tests.factories import MembershipFactory, UserFactory
from vchata.tenancy.pages import CURRENT_ORG_SESSION_KEY

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def on(day: int, month: int = 12, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def sales(org, stages):
    by_name = {stage.name: stage for stage in stages}
    ana = MembershipFactory(organization=org, user=UserFactory(name="Ana Rep"), role=Membership.Role.MEMBER).user
    bo = MembershipFactory(organization=org, user=UserFactory(name="Bo Rep"), role=Membership.Role.MEMBER).user
    price = LostReason.objects.create(organization=org, name="Price", order=0)
    timing = LostReason.objects.create(organization=org, name="Timing", order=1)
    LostReason.objects.create(organization=org, name="Competitor", order=2)

    def lead(created: datetime, assignee, value, stage="New", close=None):
        with at(created):
            return LeadFactory(
                organization=org,
                assigned_to=assignee,
                value=value,
                stage=by_name[stage],
                expected_close_date=close,
            )

    def close(lead, when: datetime, stage: str, reason=None):
        with at(when):
            move_lead_to_stage(org=org, actor=None, lead_id=lead.pk, stage_id=by_name[stage].pk, lost_reason=reason)

    leads = {
        "L1": lead(on(30, 11), ana, Decimal(1000), close=date(2026, 12, 20)),
        "L2": lead(on(1), ana, Decimal(2000)),
        "L3": lead(on(2), bo, Decimal(500)),
        "L4": lead(on(8), bo, Decimal(300)),
        "L5": lead(on(9), None, Decimal(700)),
        "L6": lead(on(14), None, None, stage="Qualified", close=date(2027, 1, 5)),
        "L7": lead(on(1, 6), bo, Decimal(4000)),
    }
    close(leads["L2"], on(8), "Converted")
    close(leads["L3"], on(9), "Lost", price)
    close(leads["L4"], on(10), "Lost", price)
    close(leads["L5"], on(14), "Lost", timing)
    close(leads["L7"], on(15, hour=8), "Converted")
    return {"ana": ana, "bo": bo, "price": price, "timing": timing, "leads": leads}


def dashboard(user, org, params=None):
    with at(NOW):
        client = Client()
        client.force_login(user)
        session = client.session
        session[CURRENT_ORG_SESSION_KEY] = org.pk
        session.save()
        return client.get(reverse("analytics-dashboard", kwargs={"org_id": org.pk}), params or {})


def reps_of(response) -> list[tuple]:
    return [
        (rep.name, rep.open_count, rep.won_count, rep.lost_count, rep.open_value, rep.won_value)
        for rep in response.context["reps"]
    ]


def weeks_of(response) -> list[tuple]:
    return [
        (item["row"].label, item["row"].created, item["row"].converted, item["created_bar"], item["converted_bar"])
        for item in response.context["week_rows"]
    ]


def test_win_loss_by_reason(user, org, sales):
    response = dashboard(user, org)

    outcome = response.context["win_loss"]
    assert (outcome.won_count, outcome.won_value, outcome.lost_count, outcome.lost_value, outcome.win_rate) == (
        2,
        Decimal("6000.00"),
        3,
        Decimal("1500.00"),
        40.0,
    )
    lost = response.context["lost_rows"]
    assert [(item["row"].name, item["row"].count, item["row"].value, item["bar"]) for item in lost] == [
        ("Price", 2, Decimal("800.00"), 100.0),
        ("Timing", 1, Decimal("700.00"), 50.0),
    ]
    html = response.content.decode()
    assert "Win/loss by reason" in html
    assert 'data-outcome="winRate">40.0%<' in html
    assert "Competitor" not in html  # a reason no lead was lost for


def test_leads_lost_without_a_reason_are_a_row_of_their_own(user, org, stages):
    with at(on(1)):
        LeadFactory(organization=org, stage=stages[4], value=Decimal(50))  # made lost, before any reason existed

    rows = dashboard(user, org).context["lost_rows"]

    assert [(item["row"].name, item["row"].count, item["row"].value) for item in rows] == [(None, 1, Decimal("50.00"))]


def test_reps_open_won_lost_and_value(user, org, sales):
    response = dashboard(user, org)

    assert reps_of(response) == [
        ("Bo Rep", 0, 1, 2, Decimal("0.00"), Decimal("4000.00")),
        ("Ana Rep", 1, 1, 0, Decimal("1000.00"), Decimal("2000.00")),
        ("Unassigned", 1, 0, 1, Decimal("0.00"), Decimal("0.00")),
    ]
    assert 'data-rep="unassigned"' in response.content.decode()


def test_leads_per_week_over_the_last_twelve_weeks(user, org, sales):
    rows = weeks_of(dashboard(user, org))

    assert len(rows) == 12
    assert rows[0][0] == "2026-W40"
    assert rows[:9] == [(f"2026-W{week}", 0, 0, 0.0, 0.0) for week in range(40, 49)]
    assert rows[9:] == [
        ("2026-W49", 3, 0, 100.0, 0.0),
        ("2026-W50", 2, 1, 66.7, 33.3),
        ("2026-W51", 1, 1, 33.3, 33.3),  # L7 was created in June, converted this week
    ]


def test_forecast_panel_shows_the_next_six_months(user, org, sales):
    response = dashboard(user, org)

    rows = [
        (month.key, month.figures.count, month.figures.total_value, month.figures.weighted_value)
        for month in (item["row"] for item in response.context["forecast_rows"])
    ]
    assert rows == [
        ("2026-12", 1, Decimal("1000.00"), Decimal("100.00")),
        ("2027-01", 1, Decimal("0.00"), Decimal("0.00")),
        *[(month, 0, Decimal("0.00"), Decimal("0.00")) for month in ("2027-02", "2027-03", "2027-04", "2027-05")],
    ]
    html = response.content.decode()
    assert "Forecast" in html and "Dec 2026" in html and "May 2027" in html
    assert 'data-month="2026-12"' in html


def test_the_date_range_narrows_every_panel(user, org, sales):
    response = dashboard(user, org, {"start": "2026-12-08", "end": "2026-12-14"})

    outcome = response.context["win_loss"]
    assert (outcome.won_count, outcome.lost_count) == (0, 2)  # L4 and L5 were created in range
    assert [(item["row"].name, item["row"].count) for item in response.context["lost_rows"]] == [
        ("Price", 1),
        ("Timing", 1),
    ]
    # Weeks of the range only, cut at its ends: L2 (created before) converted in range; L7 converted after it.
    assert weeks_of(response) == [("2026-W50", 2, 1, 100.0, 50.0), ("2026-W51", 1, 0, 50.0, 0.0)]
    assert reps_of(response) == [
        ("Bo Rep", 0, 0, 1, Decimal("0.00"), Decimal("0.00")),
        ("Unassigned", 1, 0, 1, Decimal("0.00"), Decimal("0.00")),
    ]
    assert [item["row"].figures.count for item in response.context["forecast_rows"]][:2] == [0, 1]


def test_the_pipeline_filter_narrows_every_panel(user, org, sales):
    partners = create_pipeline(org=org, name="Partners", stages=[{"name": "Intro", "probability": 50}])
    with at(on(14)):
        LeadFactory(organization=org, pipeline=partners, value=Decimal(80), expected_close_date=date(2026, 12, 31))

    response = dashboard(user, org, {"pipeline": partners.pk})

    assert reps_of(response) == [("Unassigned", 1, 0, 0, Decimal("80.00"), Decimal("0.00"))]
    assert response.context["forecast_rows"][0]["row"].figures.weighted_value == Decimal("40.00")
    assert response.context["win_loss"].reasons == []
    assert weeks_of(response)[-1][:3] == ("2026-W51", 1, 0)


def test_a_member_under_assigned_visibility_sees_their_and_unassigned_leads(org, sales):
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ASSIGNED)

    response = dashboard(sales["ana"], org)

    assert reps_of(response) == [
        ("Ana Rep", 1, 1, 0, Decimal("1000.00"), Decimal("2000.00")),
        ("Unassigned", 1, 0, 1, Decimal("0.00"), Decimal("0.00")),
    ]
    outcome = response.context["win_loss"]
    assert (outcome.won_count, outcome.lost_count) == (1, 1)
    assert [row[1:3] for row in weeks_of(response)[-3:]] == [(2, 0), (1, 1), (1, 0)]  # L1 L2 | L5, L2 won | L6


def test_money_is_shown_in_the_org_currency(user, org, sales):
    Organization.objects.filter(pk=org.pk).update(currency="EUR")

    html = dashboard(user, org).content.decode()

    assert 'title="€4,000">€4K<' in html  # Bo's won value


# The session, its user and membership, the org menu's memberships; then the page's reads: pipelines,
# stats, sources, campaigns, the stage figures (3), the funnel (3) and the board's weighted value; then
# the sales panels' six (forecast, win/loss, created and converted per week, reps from two rollups).
# None grows with the leads.
DASHBOARD_QUERIES = 21


@pytest.mark.parametrize("extra", [0, 40])
def test_the_dashboard_query_count_is_pinned(user, org, stages, sales, extra, django_assert_num_queries):
    with at(on(10)):
        for n in range(extra):
            LeadFactory(organization=org, stage=stages[n % 5], value=Decimal(n), expected_close_date=date(2027, 1, 1))
    with at(NOW):
        client = Client()
        client.force_login(user)
        session = client.session
        session[CURRENT_ORG_SESSION_KEY] = org.pk
        session.save()
        with django_assert_num_queries(DASHBOARD_QUERIES):
            assert client.get(reverse("analytics-dashboard", kwargs={"org_id": org.pk})).status_code == 200


# --- the chart's weeks ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "first", "weeks"),
    [
        (None, None, date(2026, 9, 28), 12),  # all time: the last 12 weeks, this one last
        (date(2026, 12, 9), None, date(2026, 12, 7), 2),  # from a Wednesday: its whole week on
        (date(2026, 11, 2), date(2026, 11, 8), date(2026, 11, 2), 1),  # one Monday-to-Sunday week
        (date(2024, 1, 1), date(2026, 12, 15), date(2025, 12, 15), 53),  # two years: the last 53 weeks
    ],
)
def test_the_chart_window(start, end, first, weeks):
    chart = window(start, end, date(2026, 12, 15))

    assert (chart.first, chart.weeks) == (first, weeks)
    assert chart.mondays[-1] == monday_of(end or date(2026, 12, 15))
