"""The report figures against hand-computed values (see conftest.py for the history)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from analytics import selectors
from analytics.filters import LeadFilter
from leads.services import update_lead
from leads.tests.factories import LeadFactory
from pipelines.models import LeadStatus, Pipeline
from pipelines.services import create_pipeline

from .conftest import NOW, at, day, move

pytestmark = pytest.mark.django_db


def stage_rows(performance):
    return [(row.name, row.lead_count, row.average_time_in_stage) for row in performance.stages]


def funnel_rows(funnel):
    return [(step.name, step.reached, step.conversion_rate, step.is_exit) for step in funnel.stages]


# --- rounding helpers ---------------------------------------------------------


def test_rate_rounds_half_up_to_one_decimal():
    assert selectors.rate(1, 16) == 6.3  # 6.25
    assert selectors.rate(2, 3) == 66.7
    assert selectors.rate(1, 3) == 33.3


def test_rate_is_zero_when_there_is_nothing_to_divide_by():
    assert selectors.rate(0, 0) == 0.0


def test_money_rounds_half_up_to_cents():
    assert selectors.average_money(Decimal("0.03"), 2) == Decimal("0.02")  # 0.015
    assert selectors.money(0.1 + 0.2) == Decimal("0.30")  # a float sum, as SQLite returns it


def test_days_round_half_up_to_one_decimal():
    assert selectors.days(timedelta(days=6, hours=18)) == 6.8  # 6.75
    assert selectors.days(None) == 0.0


# --- stats --------------------------------------------------------------------


def test_stats_of_an_empty_org_are_zero(org):
    stats = selectors.lead_stats(LeadFilter(org=org))
    assert stats == selectors.LeadStats(0, 0, 0, 0, 0, 0, 0.0, Decimal("0.00"), Decimal("0.00"))


def test_stats_of_a_single_lead(org):
    LeadFactory(organization=org, value=Decimal("1234.50"))
    stats = selectors.lead_stats(LeadFilter(org=org))
    assert stats == selectors.LeadStats(1, 1, 0, 0, 0, 0, 0.0, Decimal("1234.50"), Decimal("1234.50"))


def test_stats_count_current_statuses_and_average_only_known_values(history, org):
    stats = selectors.lead_stats(LeadFilter(org=org))
    # A converted, B qualified, C lost (converted, then lost), D new; values 1000 + 2000 + 500, D has none.
    assert stats == selectors.LeadStats(
        total_leads=4,
        new_leads=1,
        qualified_leads=1,
        contacted_leads=0,
        converted_leads=1,
        lost_leads=1,
        conversion_rate=25.0,
        average_value=Decimal("1166.67"),
        total_value=Decimal("3500.00"),
    )


def test_stats_of_leads_without_value_have_zero_money(org):
    LeadFactory(organization=org, value=None)
    LeadFactory(organization=org, value=None)
    stats = selectors.lead_stats(LeadFilter(org=org))
    assert (stats.total_leads, stats.average_value, stats.total_value) == (2, Decimal("0.00"), Decimal("0.00"))


def test_a_lead_converted_then_unconverted_is_not_counted_as_converted(org):
    lead = LeadFactory(organization=org)
    update_lead(org=org, actor=None, lead_id=lead.pk, changes={"status": LeadStatus.CONVERTED})
    update_lead(org=org, actor=None, lead_id=lead.pk, changes={"status": LeadStatus.QUALIFIED})
    stats = selectors.lead_stats(LeadFilter(org=org))
    assert (stats.converted_leads, stats.qualified_leads, stats.conversion_rate) == (0, 1, 0.0)


def test_stats_filtered_by_creation_date_include_after_and_exclude_before(history, org):
    # createdAfter day 1 (inclusive) drops A; createdBefore day 15 (exclusive) drops D.
    stats = selectors.lead_stats(LeadFilter(org=org, created_after=day(1), created_before=day(15)))
    assert stats == selectors.LeadStats(2, 0, 1, 0, 0, 1, 0.0, Decimal("1250.00"), Decimal("2500.00"))


def test_stats_filtered_by_pipeline_see_only_its_leads(history, org):
    partners = create_pipeline(org=org, name="Partners", stages=[{"name": "Intro"}, {"name": "Deal"}])
    LeadFactory(organization=org, pipeline=partners, value=100)
    only_partners = selectors.lead_stats(LeadFilter(org=org, pipeline=partners))
    only_default = selectors.lead_stats(LeadFilter(org=org, pipeline=history.pipeline))
    everything = selectors.lead_stats(LeadFilter(org=org))
    assert (only_partners.total_leads, only_partners.new_leads, only_partners.total_value) == (1, 1, Decimal("100"))
    assert (only_default.total_leads, only_default.total_value) == (4, Decimal("3500"))
    assert (everything.total_leads, everything.new_leads, everything.total_value) == (5, 2, Decimal("3600"))


# --- sources ------------------------------------------------------------------


def test_sources_are_ordered_by_count_with_leads_without_source_as_null(history, org):
    rows = selectors.source_breakdown(LeadFilter(org=org))
    assert [(row.source, row.figures) for row in rows] == [
        ("website", selectors.LeadFigures(2, 50.0, Decimal("1500.00"), Decimal("3000.00"))),
        ("referral", selectors.LeadFigures(1, 0.0, Decimal("500.00"), Decimal("500.00"))),
        (None, selectors.LeadFigures(1, 0.0, Decimal("0.00"), Decimal("0.00"))),
    ]


def test_sources_of_an_empty_org_are_an_empty_list(org):
    assert selectors.source_breakdown(LeadFilter(org=org)) == []


def test_sources_follow_the_date_filter(history, org):
    rows = selectors.source_breakdown(LeadFilter(org=org, created_after=day(1)))
    assert [(row.source, row.figures.count) for row in rows] == [("referral", 1), ("website", 1), (None, 1)]


# --- campaigns ----------------------------------------------------------------


def test_campaigns_match_leads_by_id_or_else_by_utm_key(history, org):
    rows = selectors.campaign_breakdown(LeadFilter(org=org))
    summer, winter = history.campaigns["summer"], history.campaigns["winter"]
    # Summer: A by id, B by utm key. Winter: C by id (its utm key "summer" does not count twice).
    # D's utm key matches no campaign; "Spring" has no lead; the other org's "summer" is not ours.
    assert rows == [
        selectors.CampaignFigures(
            summer.pk, "Summer Sale", selectors.LeadFigures(2, 50.0, Decimal("1500.00"), Decimal("3000.00"))
        ),
        selectors.CampaignFigures(
            winter.pk, "Winter Deals", selectors.LeadFigures(1, 0.0, Decimal("500.00"), Decimal("500.00"))
        ),
    ]


def test_campaigns_of_an_org_without_campaigns_are_an_empty_list(org):
    LeadFactory(organization=org, utm_campaign="summer")
    assert selectors.campaign_breakdown(LeadFilter(org=org)) == []


def test_campaigns_follow_the_date_filter(history, org):
    rows = selectors.campaign_breakdown(LeadFilter(org=org, created_after=day(1), created_before=day(2)))
    assert [(row.campaign_name, row.figures.count, row.figures.total_value) for row in rows] == [
        ("Summer Sale", 1, Decimal("2000.00"))
    ]


# --- pipeline -----------------------------------------------------------------


def test_pipeline_stage_occupancy_and_time_in_stage(history, org):
    performance = selectors.pipeline_performance(LeadFilter(org=org, pipeline=history.pipeline), now=NOW)
    assert (performance.id, performance.name) == (history.pipeline.pk, "Sales Pipeline")
    assert stage_rows(performance) == [
        # New: A 2, B 2 + 2 (a revisit), C 2, D 5 (ongoing to day 20) → 13 / 5
        ("New", 1, 2.6),
        # Qualified: A 3, B 1 + 14 (ongoing) → 18 / 3
        ("Qualified", 1, 6.0),
        ("Contacted", 0, 5.5),
        # Converted: A 9.5 (ongoing), C 4 → 6.75, rounded half up
        ("Converted", 1, 6.8),
        ("Lost", 1, 12.0),
    ]
    # A converted (10.5 days after creation); C's conversion was undone.
    assert (performance.overall_conversion_rate, performance.average_time_to_convert) == (25.0, 10.5)


def test_ongoing_visits_are_measured_to_now(history, org):
    later = selectors.pipeline_performance(LeadFilter(org=org, pipeline=history.pipeline), now=NOW + timedelta(days=10))
    # D's ongoing New visit grows by 10 days: (13 + 10) / 5; Lost: C 12 + 10.
    assert stage_rows(later)[0] == ("New", 1, 4.6)
    assert stage_rows(later)[4] == ("Lost", 1, 22.0)


def test_pipeline_of_an_empty_pipeline_is_all_zero(org, pipeline):
    performance = selectors.pipeline_performance(LeadFilter(org=org, pipeline=pipeline), now=NOW)
    assert [row[1:] for row in stage_rows(performance)] == [(0, 0.0)] * 5
    assert (performance.overall_conversion_rate, performance.average_time_to_convert) == (0.0, 0.0)


def test_pipeline_date_filter_applies_to_leads_and_their_visits(history, org):
    lead_filter = LeadFilter(org=org, pipeline=history.pipeline, created_after=day(1), created_before=day(15))
    performance = selectors.pipeline_performance(lead_filter, now=NOW)
    # Only B and C: New visits B 2 + 2, C 2; Qualified B 1 + 14; Converted C 4; Lost C 12.
    assert stage_rows(performance) == [
        ("New", 0, 2.0),
        ("Qualified", 1, 7.5),
        ("Contacted", 0, 0.0),
        ("Converted", 0, 4.0),
        ("Lost", 1, 12.0),
    ]
    assert (performance.overall_conversion_rate, performance.average_time_to_convert) == (0.0, 0.0)


def test_pipeline_report_ignores_other_pipelines(history, org):
    partners = create_pipeline(org=org, name="Partners", stages=[{"name": "Intro"}, {"name": "Deal"}])
    with at(3):
        lead = LeadFactory(organization=org, pipeline=partners)
    move(lead, partners.stages.get(name="Deal"), 7)
    performance = selectors.pipeline_performance(LeadFilter(org=org, pipeline=partners), now=NOW)
    assert stage_rows(performance) == [("Intro", 0, 4.0), ("Deal", 1, 13.0)]
    assert (
        selectors.pipeline_performance(LeadFilter(org=org, pipeline=history.pipeline), now=NOW).stages[0].lead_count
        == 1
    )


# --- funnel -------------------------------------------------------------------


def test_funnel_counts_leads_that_reached_each_step_or_beyond(history, org):
    funnel = selectors.pipeline_funnel(LeadFilter(org=org, pipeline=history.pipeline))
    # Progress (furthest non-exit stage): A Converted, B Qualified, C Converted (it skipped two
    # steps, and later left through Lost), D New.
    assert funnel_rows(funnel) == [
        ("New", 4, 75.0, False),
        ("Qualified", 3, 66.7, False),
        ("Contacted", 2, 100.0, False),
        ("Converted", 2, None, False),
        ("Lost", 1, None, True),
    ]
    assert funnel.total_leads == 4


def test_funnel_weighted_value_counts_open_leads_by_stage_probability(history, org):
    funnel = selectors.pipeline_funnel(LeadFilter(org=org, pipeline=history.pipeline))
    # Open: B 2000 in Qualified (30 %), D without value in New. A is converted, C lost.
    assert (funnel.open_leads, funnel.open_value, funnel.weighted_value) == (2, Decimal("2000.00"), Decimal("600.00"))


def test_funnel_revisits_and_moves_back_count_a_lead_once(org, pipeline, stages):
    with at(0):
        lead = LeadFactory(organization=org, value=Decimal("10.50"))
    move(lead, stages[2], 1)  # Contacted
    move(lead, stages[0], 2)  # back to New
    move(lead, stages[2], 3)  # Contacted again
    move(lead, stages[1], 4)  # back to Qualified: the furthest stage reached stays Contacted
    funnel = selectors.pipeline_funnel(LeadFilter(org=org, pipeline=pipeline))
    assert [step.reached for step in funnel.stages] == [1, 1, 1, 0, 0]
    assert [step.conversion_rate for step in funnel.stages] == [100.0, 100.0, 0.0, None, None]
    # 10.50 × 30 % (Qualified) = 3.15
    assert funnel.weighted_value == Decimal("3.15")


def test_funnel_of_a_pipeline_without_exit_stages(org):
    partners = create_pipeline(
        org=org, name="Partners", stages=[{"name": "Intro", "probability": 20}, {"name": "Deal", "probability": 80}]
    )
    LeadFactory(organization=org, pipeline=partners, value=100)
    LeadFactory(organization=org, pipeline=partners, value=None)
    funnel = selectors.pipeline_funnel(LeadFilter(org=org, pipeline=partners))
    assert funnel_rows(funnel) == [("Intro", 2, 0.0, False), ("Deal", 0, None, False)]
    assert (funnel.open_leads, funnel.open_value, funnel.weighted_value) == (2, Decimal("100.00"), Decimal("20.00"))


def test_funnel_of_an_empty_pipeline_is_zero(org, pipeline):
    funnel = selectors.pipeline_funnel(LeadFilter(org=org, pipeline=pipeline))
    assert funnel_rows(funnel) == [
        ("New", 0, 0.0, False),
        ("Qualified", 0, 0.0, False),
        ("Contacted", 0, 0.0, False),
        ("Converted", 0, None, False),
        ("Lost", 0, None, True),
    ]
    assert (funnel.total_leads, funnel.open_leads, funnel.weighted_value) == (0, 0, Decimal("0.00"))


def test_funnel_of_a_pipeline_without_stages_is_empty(org):
    bare = Pipeline.objects.create(organization=org, name="Bare")
    funnel = selectors.pipeline_funnel(LeadFilter(org=org, pipeline=bare))
    assert (funnel.stages, funnel.total_leads, funnel.weighted_value) == ([], 0, Decimal("0.00"))


def test_funnel_follows_the_date_filter(history, org):
    funnel = selectors.pipeline_funnel(LeadFilter(org=org, pipeline=history.pipeline, created_after=day(1)))
    # B, C and D only.
    assert [step.reached for step in funnel.stages] == [3, 2, 1, 1, 1]
    assert funnel.total_leads == 3
