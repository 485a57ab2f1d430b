"""The lead rollup equals the live aggregate after random writes of every kind (PostgreSQL: triggers keep it)."""

import random
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from analytics import selectors
from analytics.filters import LeadFilter
from analytics.models import LeadRollup
from leads.models import Contact, Lead
from leads.services import move_lead_to_stage
from leads.tests.factories import LeadFactory
from vchata.tenancy.permissions import LeadScope

pytestmark = pytest.mark.postgres

SOURCES = ("website", "referral", "ads", None)
DAY0 = datetime(2024, 3, 1, tzinfo=UTC)


def live(report, lead_filter, monkeypatch):
    """The report read from the leads themselves (the rollup path switched off)."""
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "rollup_groups", lambda _filter: None)
        return report(lead_filter)


def filters(org, pipeline, member):
    scopes = (LeadScope(), LeadScope(assignee_id=member.pk))
    ranges = ((None, None), (DAY0 + timedelta(days=2), None), (DAY0 + timedelta(days=1), DAY0 + timedelta(days=5)))
    for scope in scopes:
        for after, before in ranges:
            for chosen in (None, pipeline):
                yield LeadFilter(org=org, pipeline=chosen, created_after=after, created_before=before, scope=scope)


def status_fields(status):
    return {"status": status, "converted_at": DAY0 if status == "CONVERTED" else None}


def random_writes(  # noqa: C901 - one branch per kind of write, on purpose
    org, stages, users, rng, count
):
    contacts = Contact.objects.bulk_create(Contact(organization=org, name=f"R{i}") for i in range(count))
    # An import: many rows in one statement, with created_at spread over days.
    Lead.objects.bulk_create(
        Lead(
            organization=org,
            contact=contact,
            pipeline=stages[0].pipeline,
            stage=rng.choice(stages),
            **status_fields(rng.choice(["NEW", "QUALIFIED", "CONTACTED", "CONVERTED", "LOST"])),
            source=rng.choice(SOURCES),
            value=rng.choice([None, Decimal("0.01"), Decimal("1234.56"), Decimal(rng.randint(1, 99999)) / 100]),
            assigned_to=rng.choice(users),
            created_at=DAY0 + timedelta(hours=rng.randint(0, 24 * 7)),
        )
        for contact in contacts[: count // 2]
    )
    for _ in range(count // 10):
        LeadFactory(organization=org, source=rng.choice(SOURCES), value=rng.choice([None, 5, 77]))
    ids = list(Lead.objects.filter(organization=org).values_list("pk", flat=True))
    for _ in range(count):
        lead_id = rng.choice(ids)
        kind = rng.randrange(7)
        leads = Lead.objects.filter(pk=lead_id)
        if kind == 0:
            move_lead_to_stage(org=org, actor=None, lead_id=lead_id, stage_id=rng.choice(stages).pk)
        elif kind == 1:
            leads.update(value=rng.choice([None, Decimal("10.10"), Decimal("0.99")]))
        elif kind == 2:
            leads.update(source=rng.choice(SOURCES), assigned_to=rng.choice(users))
        elif kind == 3:
            leads.update(**status_fields(rng.choice(["NEW", "CONVERTED", "LOST"])))
        elif kind == 4:
            lead = leads.first()
            if lead:
                lead.created_at = DAY0 + timedelta(hours=rng.randint(0, 24 * 7))
                lead.save()
        elif kind == 5:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE leads_lead SET value = coalesce(value, 0) + 1 WHERE id = %s", [lead_id])
        elif rng.random() < 0.3:
            leads.delete()
            ids.remove(lead_id)
    # A bulk action over many rows in one statement.
    Lead.objects.filter(organization=org, source="ads").update(**status_fields("QUALIFIED"))


def test_reports_from_rollups_equal_the_live_reports(org, pipeline, stages, member, user, monkeypatch):
    rng = random.Random(18)
    random_writes(org, stages, [None, member, user], rng, 1500)
    for lead_filter in filters(org, pipeline, member):
        assert selectors.rollup_groups(lead_filter) is not None
        for report in (selectors.lead_stats, selectors.source_breakdown):
            assert report(lead_filter) == live(report, lead_filter, monkeypatch), (report.__name__, lead_filter)
    call_command("check_rollups", org=org.pk)


def test_a_bound_inside_a_day_reads_the_live_table(org):
    lead_filter = LeadFilter(org=org, created_after=DAY0 + timedelta(hours=3))
    assert selectors.rollup_groups(lead_filter) is None


def test_check_fails_on_a_drifted_rollup_and_rebuild_repairs_it(org, pipeline):
    LeadFactory(organization=org, value=100)
    LeadRollup.objects.filter(organization_id=org.pk).update(lead_count=5)
    with pytest.raises(CommandError):
        call_command("check_rollups", org=org.pk)
    call_command("rebuild_rollups", org=org.pk)
    call_command("check_rollups", org=org.pk)


@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_on_real_connections_lose_no_update_and_never_deadlock(org, stages):
    leads = [LeadFactory(organization=org, value=10) for _ in range(6)]
    errors = []

    def mover(seed):
        rng = random.Random(seed)
        try:
            # No deadlock either: the trigger locks the two groups of a move in one global order.
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
