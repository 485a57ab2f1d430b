"""The rollups equal the live aggregates after random writes of every kind (PostgreSQL: triggers keep them).

The property: after imports, service writes, bulk and raw updates, moves (within and across
pipelines), deletes and campaign changes, every report under every filter and visibility
reads the same from the rollups as from the leads, to the cent.
"""

import contextlib
import random
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from analytics import forecast, reps, rollup_sql, rollups, selectors, trends, win_loss
from analytics.filters import LeadFilter
from analytics.rollup_sql import CAMPAIGN_TOTALS, LEAD_TOTALS, SOURCE_TOTALS, VISIT_TOTALS
from leads.models import Campaign, Contact, Lead, LostReason, StageVisit
from leads.services import delete_lead, move_lead_to_stage
from leads.tests.factories import CampaignFactory, LeadFactory
from pipelines.services import create_pipeline
from vchata.exceptions import Conflict
from vchata.tenancy.permissions import LeadScope

pytestmark = pytest.mark.postgres

SOURCES = ("website", "referral", "ads", None)
DAY0 = datetime(2024, 3, 1, tzinfo=UTC)
NOW = datetime(2024, 4, 1, 12, 30, tzinfo=UTC)


def live(report, lead_filter, monkeypatch, **kwargs):
    """The report read from the leads themselves (the rollup path switched off)."""
    with monkeypatch.context() as patch:
        for module in (selectors, forecast, win_loss, reps):
            patch.setattr(module, "rolled", lambda *args, **kw: None)
        patch.setattr(trends, "counted_by_day", lambda *args, **kw: None)
        return report(lead_filter, **kwargs)


RANGES = (
    (None, None),
    (DAY0 + timedelta(days=2), None),  # whole days only
    (DAY0 + timedelta(days=1), DAY0 + timedelta(days=5)),
    (DAY0 + timedelta(days=1, hours=7), DAY0 + timedelta(days=4, hours=13, minutes=5)),  # edges inside days
    (None, DAY0 + timedelta(days=3, hours=2)),
    (DAY0 + timedelta(days=2, hours=1), DAY0 + timedelta(days=2, hours=20)),  # inside one day
    (DAY0 + timedelta(days=2, hours=20), DAY0 + timedelta(days=3, hours=3)),  # across one midnight, no whole day
    (DAY0 + timedelta(days=3), DAY0 + timedelta(days=3)),  # empty
)


def filters(org, pipelines, member):
    for scope in (LeadScope(), LeadScope(assignee_id=member.pk)):
        for after, before in RANGES:
            for chosen in (None, *pipelines):
                yield LeadFilter(org=org, pipeline=chosen, created_after=after, created_before=before, scope=scope)


def status_fields(status):
    return {"status": status, "converted_at": DAY0 + timedelta(hours=5) if status == "CONVERTED" else None}


CLOSE_DATES = (None, date(2024, 1, 20), date(2024, 3, 31), date(2024, 4, 1), date(2024, 6, 30), date(2025, 2, 1))


def deal_fields(rng, reasons):
    """Expected close (overdue, this month, later, past the forecast, none), own probability, lost reason."""
    return {
        "expected_close_date": rng.choice(CLOSE_DATES),
        "probability": rng.choice([None, None, 0, 35, 100]),
        "lost_reason": rng.choice([None, *reasons]),
    }


def random_value(rng):
    return rng.choice([None, Decimal("0.01"), Decimal("1234.56"), Decimal(rng.randint(1, 99999)) / 100])


def random_writes(org, stages, users, campaigns, rng, count):  # noqa: C901 - one branch per kind
    # Retired reasons: leads carry them, but marking a lead LOST does not ask for one.
    reasons = [LostReason.objects.create(organization=org, name=f"Reason {n}", is_active=False) for n in range(3)]
    keys = [campaign.utm_campaign for campaign in campaigns] + ["untracked", None]
    contacts = Contact.objects.bulk_create(Contact(organization=org, name=f"R{i}") for i in range(count))
    pipeline = stages[0].pipeline
    in_pipeline = [stage for stage in stages if stage.pipeline_id == pipeline.pk]
    # An import: many rows in one statement, with created_at spread over days.
    Lead.objects.bulk_create(
        Lead(
            organization=org,
            contact=contact,
            pipeline=pipeline,
            stage=rng.choice(in_pipeline),
            **status_fields(rng.choice(["NEW", "QUALIFIED", "CONTACTED", "CONVERTED", "LOST"])),
            source=rng.choice(SOURCES),
            value=random_value(rng),
            assigned_to=rng.choice(users),
            campaign=rng.choice([None, None, *campaigns]),
            utm_campaign=rng.choice(keys),
            created_at=DAY0 + timedelta(minutes=rng.randint(0, 60 * 24 * 7)),
            **deal_fields(rng, reasons),
        )
        for contact in contacts[: count // 2]
    )
    # Service-made leads, with their first stage visit.
    for _ in range(count // 20):
        LeadFactory(organization=org, source=rng.choice(SOURCES), value=rng.choice([None, 5, 77]))
    ids = list(Lead.objects.filter(organization=org).values_list("pk", flat=True))
    for _ in range(count):
        lead_id = rng.choice(ids)
        kind = rng.randrange(12)
        leads = Lead.objects.filter(pk=lead_id)
        if kind <= 1:
            current = leads.values_list("pipeline_id", flat=True).get()
            own = [stage for stage in stages if stage.pipeline_id == current]
            move_lead_to_stage(org=org, actor=None, lead_id=lead_id, stage_id=rng.choice(own).pk)
        elif kind == 2:
            with contextlib.suppress(Conflict):  # across pipelines: the lead's visits move to the other's groups
                move_lead_to_stage(
                    org=org, actor=None, lead_id=lead_id, stage_id=rng.choice(stages).pk, across_pipelines=True
                )
        elif kind == 3:
            leads.update(value=random_value(rng), **deal_fields(rng, reasons))
        elif kind == 4:
            leads.update(source=rng.choice(SOURCES), assigned_to=rng.choice(users))
        elif kind == 5:
            leads.update(**status_fields(rng.choice(["NEW", "CONVERTED", "LOST"])))
        elif kind == 6:
            lead = leads.first()
            lead.created_at = DAY0 + timedelta(minutes=rng.randint(0, 60 * 24 * 7))
            lead.save()
        elif kind == 7:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE leads_lead SET value = coalesce(value, 0) + 1 WHERE id = %s", [lead_id])
        elif kind == 8:
            leads.update(campaign=rng.choice([None, *campaigns]), utm_campaign=rng.choice(keys))
        elif kind == 9:
            # A visit's times edited (the history's dwell moves with it).
            StageVisit.objects.filter(lead_id=lead_id).update(entered_at=DAY0 + timedelta(hours=rng.randint(0, 200)))
        elif kind == 10:
            # The history edited: a closed visit deleted, or re-filed under another stage (the funnel's
            # set of visited stages shrinks or changes), or all of a lead's visits gone in one statement.
            closed = StageVisit.objects.filter(organization=org, left_at__isnull=False).order_by("pk")
            if visit := closed[rng.randrange(closed.count())] if closed.exists() else None:
                choice = rng.random()
                if choice < 0.4:
                    visit.delete()
                elif choice < 0.8:
                    StageVisit.objects.filter(pk=visit.pk).update(stage=rng.choice(stages))
                else:
                    StageVisit.objects.filter(lead_id=visit.lead_id).delete()
        elif rng.random() < 0.5:
            delete_lead(org=org, actor=None, lead_id=lead_id)
            ids.remove(lead_id)
    # A bulk action over many rows in one statement.
    Lead.objects.filter(organization=org, source="ads").update(**status_fields("QUALIFIED"))
    # A campaign's key changes (its leads follow it), another campaign is deleted (its leads fall back
    # to their own utm key), and a new campaign claims leads that carried its key untracked.
    # Stages reordered and one turned into an exit: the funnel's progress is read, not stored.
    first, second = stages[1], stages[2]
    rows = type(first).objects
    rows.filter(pk=first.pk).update(order=1000)
    rows.filter(pk=second.pk).update(order=first.order)
    rows.filter(pk=first.pk).update(order=second.order)
    rows.filter(pk=stages[-1].pk).update(status="LOST")
    campaigns[0].utm_campaign = "renamed"
    campaigns[0].save()
    campaigns[1].delete()
    CampaignFactory(organization=org, name="Late", utm_campaign="untracked")


REPORTS = (selectors.lead_stats, selectors.source_breakdown, selectors.campaign_breakdown, win_loss.win_loss,
           reps.rep_breakdown)  # fmt: skip
PIPELINE_REPORTS = (selectors.pipeline_performance, selectors.pipeline_funnel)


def test_reports_from_rollups_equal_the_live_reports(org, pipeline, stages, member, user, monkeypatch):
    rng = random.Random(18)
    other = create_pipeline(org=org, name="Renewals")
    campaigns = [CampaignFactory(organization=org, name=f"C{n}", utm_campaign=f"key{n}") for n in range(4)]
    random_writes(org, [*stages, *other.stages.all()], [None, member, user], campaigns, rng, 700)
    for lead_filter in filters(org, (pipeline, other), member):
        for report in REPORTS:
            assert report(lead_filter) == live(report, lead_filter, monkeypatch), (report.__name__, lead_filter)
        weeks = trends.window(None, None, NOW.date())
        per_week = trends.weekly_leads(lead_filter, weeks)
        assert per_week == live(trends.weekly_leads, lead_filter, monkeypatch, weeks=weeks), lead_filter
        sales = forecast.lead_forecast(lead_filter, now=NOW, months=4)
        assert sales == live(forecast.lead_forecast, lead_filter, monkeypatch, now=NOW, months=4), lead_filter
        if lead_filter.pipeline is not None:
            performance = selectors.pipeline_performance(lead_filter, now=NOW)
            assert performance == live(selectors.pipeline_performance, lead_filter, monkeypatch, now=NOW), lead_filter
            funnel = selectors.pipeline_funnel(lead_filter)
            assert funnel == live(selectors.pipeline_funnel, lead_filter, monkeypatch), lead_filter
            weighted = selectors.weighted_pipeline(lead_filter)
            assert weighted == live(selectors.weighted_pipeline, lead_filter, monkeypatch), lead_filter
    call_command("check_rollups", org=org.pk)


def test_the_figures_are_not_all_zero(org, pipeline, stages, member):
    """The property test is only worth something if the reports it compares have figures in them."""
    LeadFactory(organization=org, value=Decimal("10.50"), source="ads", assigned_to=member)
    lead = LeadFactory(organization=org, value=Decimal("0.25"), source=None)
    move_lead_to_stage(org=org, actor=None, lead_id=lead.pk, stage_id=stages[3].pk)
    stats = selectors.lead_stats(LeadFilter(org=org, scope=LeadScope(assignee_id=member.pk)))
    assert (stats.total_leads, stats.total_value) == (2, Decimal("10.75"))
    stages_rows = selectors.pipeline_performance(LeadFilter(org=org, pipeline=pipeline)).stages
    assert [row.lead_count for row in stages_rows] == [1, 0, 0, 1, 0]


@pytest.mark.parametrize(
    ("after", "before", "whole", "edges"),
    [
        (None, None, (None, None), 0),
        (DAY0, DAY0 + timedelta(days=2), (DAY0.date(), (DAY0 + timedelta(days=2)).date()), 0),
        (DAY0 + timedelta(hours=1), None, ((DAY0 + timedelta(days=1)).date(), None), 1),
        (DAY0 + timedelta(hours=1), DAY0 + timedelta(hours=3), None, 1),
        (DAY0 + timedelta(hours=1), DAY0 + timedelta(days=3, hours=3), (date(2024, 3, 2), date(2024, 3, 4)), 2),
    ],
)  # fmt: skip
def test_a_range_splits_into_whole_days_and_edges(after, before, whole, edges):
    span = rollups.split(after, before)
    assert span.whole_days == whole
    assert len(span.edges) == edges


def test_each_report_reads_the_narrowest_rollup_that_answers_it():
    narrowest = rollups._narrowest
    stats = ("lead_count", "new_count", "value_total")
    assert narrowest(LEAD_TOTALS, {"organization_id", "assignee_id"}, stats) is SOURCE_TOTALS
    assert narrowest(LEAD_TOTALS, {"organization_id", "source"}, stats) is rollup_sql.ORG_SOURCE_TOTALS
    assert narrowest(LEAD_TOTALS, {"organization_id", "stage_id"}, stats) is rollup_sql.STAGE_TOTALS
    assert narrowest(LEAD_TOTALS, {"organization_id", "stage_id", "assignee_id"}, stats) is LEAD_TOTALS
    campaign = {"organization_id", "campaign_key"}
    assert narrowest(CAMPAIGN_TOTALS, campaign, ("lead_count",)) is rollup_sql.ORG_CAMPAIGN_TOTALS
    assert narrowest(CAMPAIGN_TOTALS, campaign | {"pipeline_id"}, ("lead_count",)) is CAMPAIGN_TOTALS
    visits = ("open_count",)
    assert narrowest(VISIT_TOTALS, {"organization_id", "stage_id"}, visits) is rollup_sql.VISIT_STAGE_TOTALS
    by_day = rollup_sql.ROLLUPS["lead_totals_day"]
    owners = {"organization_id", "pipeline_id", "assignee_id"}
    assert narrowest(by_day, owners, stats, daily=True) is rollup_sql.OWNER_TOTALS_DAY
    assert narrowest(by_day, owners | {"source"}, stats, daily=True) is by_day


def test_check_fails_on_a_drifted_rollup_and_rebuild_repairs_it(org, pipeline):
    LeadFactory(organization=org, value=100)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE analytics_visit_totals SET open_count = 5 WHERE organization_id = %s", [org.pk])
    with pytest.raises(CommandError):
        call_command("check_rollups", org=org.pk)
    call_command("rebuild_rollups", org=org.pk)
    call_command("check_rollups", org=org.pk)


def test_a_campaign_key_change_moves_its_leads(org):
    campaign = CampaignFactory(organization=org, name="Summer", utm_campaign="summer")
    LeadFactory(organization=org, campaign=campaign, value=10)
    Campaign.objects.filter(pk=campaign.pk).update(utm_campaign="winter")
    (row,) = selectors.campaign_breakdown(LeadFilter(org=org))
    assert (row.campaign_id, row.figures.count) == (campaign.pk, 1)
    call_command("check_rollups", org=org.pk)


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_on_real_connections_lose_no_update_and_never_deadlock(org, stages):
    leads = [LeadFactory(organization=org, value=10) for _ in range(6)]
    errors = []

    def mover(seed):
        rng = random.Random(seed)
        try:
            # No deadlock either: rollup writers of one org take its advisory lock first.
            for _ in range(30):
                lead = rng.choice(leads)
                move_lead_to_stage(org=org, actor=None, lead_id=lead.pk, stage_id=rng.choice(stages).pk)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=mover, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    call_command("check_rollups", org=org.pk)
