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


def test_searched_columns_count_and_sum_the_matches_of_each_column_in_one_grouped_query(
    org, pipeline, stages, user, member, django_assert_num_queries
):
    from leads.tests.factories import ContactFactory

    rng = random.Random(11)
    for n in range(40):
        company = "Zebra Foods" if n % 3 == 0 else "Acme"
        LeadFactory(
            organization=org,
            stage=rng.choice(stages),
            contact=ContactFactory(organization=org, company=company),
            value=rng.choice([None, Decimal("19.99"), 250]),
            probability=rng.choice([None, 0, 35]),
            assigned_to=rng.choice([None, user, member]),
        )
    for scope in (LeadScope(), LeadScope(assignee_id=member.pk)):
        with django_assert_num_queries(2):  # the matches grouped by column, and the columns
            shown = columns(
                org=org, pipeline=pipeline, viewer=member, filters=BoardFilters(search="zebra"), scope=scope
            )
        for stage_id, count, total, weighted, _ in shown:
            found = Lead.objects.filter(stage_id=stage_id, contact__company="Zebra Foods").filter(scope.q())
            stage = next(s for s in stages if s.pk == stage_id)
            assert count == found.count()
            assert total == sum((lead.value or 0 for lead in found), Decimal("0"))
            assert weighted == selectors.weighted_value(
                own_chance_value=sum(
                    (lead.value or 0) * lead.probability for lead in found if lead.probability is not None
                ),
                stage_chance_value=sum(lead.value or 0 for lead in found if lead.probability is None),
                stage_probability=stage.probability,
            )
        assert (
            sum(count for _, count, *_ in shown)
            == Lead.objects.filter(contact__company="Zebra Foods").filter(scope.q()).count()
            > 0
        )
