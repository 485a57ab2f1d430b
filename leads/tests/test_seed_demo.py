"""The demo data (``make run``): a history that reads as it happened, each action once on the timeline."""

import pytest
from django.core.management import call_command

from leads import selectors
from leads.models import Activity, Lead, LeadChange
from leads.timeline import lead_timeline


@pytest.fixture
def demo(db):
    call_command("seed_demo", leads=12, stdout=open("/dev/null", "w"))  # noqa: SIM115 - a sink for the banner
    return list(Lead.objects.select_related("organization").prefetch_related("stage_visits"))


def test_a_demo_timeline_shows_each_move_once(demo):
    for lead in demo:
        shown = selectors.timeline_activities(lead=lead)

        assert not shown.filter(type__in=Activity.SYSTEM_TYPES).exists(), lead.pk
        moves = lead.stage_visits.count() - 1
        assert LeadChange.objects.filter(lead=lead, created=False, changes__has_key="stageId").count() == moves


def test_demo_changes_happen_when_their_stages_were_entered(demo):
    moved = [lead for lead in demo if lead.stage_visits.count() > 1]
    assert moved
    for lead in moved:
        entered = sorted(visit.entered_at for visit in lead.stage_visits.all())
        changes = LeadChange.objects.filter(lead=lead).order_by("created_at", "id")
        assert changes[0].created and changes[0].created_at == lead.created_at == entered[0]
        moves = [change.created_at for change in changes if "stageId" in change.changes and not change.created]
        assert moves == entered[1:]


def test_the_demo_timeline_has_one_entry_per_action(demo):
    for lead in demo:
        entries, older = lead_timeline(org=lead.organization, lead=lead, page=1, per_page=100, custom_fields=[])

        logged = lead.activities.exclude(type__in=Activity.SYSTEM_TYPES).count()
        assert (len(entries), older) == (LeadChange.objects.filter(lead=lead).count() + logged, False)
