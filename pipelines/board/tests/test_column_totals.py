"""The board's column counts and value totals from the lead rollup equal the live aggregate (PostgreSQL)."""

import random
from decimal import Decimal

import pytest

from leads.models import Lead
from leads.services import delete_lead, move_lead_to_stage
from leads.tests.factories import LeadFactory
from pipelines.board import selectors
from pipelines.board.selectors import ASSIGNEE_MINE, ASSIGNEE_NOBODY, BoardFilters
from vchata.tenancy.permissions import LeadScope

pytestmark = pytest.mark.postgres


def columns(**kwargs):
    return [
        (c.stage.pk, c.lead_count, c.total_value, c.weighted_value, c.fingerprint)
        for c in selectors.board_columns(**kwargs)
    ]


def test_rolled_columns_equal_the_live_ones_for_every_filter_and_scope(
    org, pipeline, stages, user, member, monkeypatch
):
    rng = random.Random(7)
    leads = [
        LeadFactory(
            organization=org,
            source=rng.choice(["website", "ads", None]),
            value=rng.choice([None, Decimal("0.01"), Decimal("19.99"), 250]),
            assigned_to=rng.choice([None, user, member]),
        )
        for _ in range(60)
    ]
    # Some leads carry their own probability (it overrides the stage's in the weighted value).
    for lead in rng.sample(leads, 20):
        Lead.objects.filter(pk=lead.pk).update(probability=rng.choice([0, 35, 100]))
    for lead in rng.sample(leads, 40):
        move_lead_to_stage(org=org, actor=None, lead_id=lead.pk, stage_id=rng.choice(stages).pk)
    for lead in rng.sample(leads, 5):
        delete_lead(org=org, actor=None, lead_id=lead.pk)
    Lead.objects.filter(organization=org, source="ads").update(value=Decimal("7.77"), assigned_to=None)

    choices = [
        BoardFilters(),
        BoardFilters(assignee=ASSIGNEE_MINE),
        BoardFilters(assignee=ASSIGNEE_NOBODY),
        BoardFilters(assignee=member.pk),
        BoardFilters(source="ads"),
        BoardFilters(assignee=ASSIGNEE_MINE, source="website"),
    ]
    for filters in choices:
        for scope in (LeadScope(), LeadScope(assignee_id=member.pk)):
            kwargs = {"org": org, "pipeline": pipeline, "viewer": member, "filters": filters, "scope": scope}
            rolled = columns(**kwargs)
            with monkeypatch.context() as patch:
                patch.setattr(selectors, "_column_figures", selectors._live_column_figures)
                patch.setattr(selectors, "_weighted_figures", selectors._live_weighted_figures)
                assert rolled == columns(**kwargs), (filters, scope)
    # Not vacuous: the board has leads and money in it.
    assert sum(count for _, count, *_ in columns(org=org, pipeline=pipeline, viewer=user, filters=BoardFilters())) == 55
