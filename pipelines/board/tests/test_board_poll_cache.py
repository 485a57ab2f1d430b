"""The board poll with a shared cache: no lead is read while nothing changed, and every change is still seen.

The tests commit (``transaction=True``), as requests do: the org's ``lead_changes``
generation moves when a write commits.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads import services as lead_services
from leads.tests.factories import LeadFactory
from pipelines.board.selectors import board_fingerprints
from pipelines.services import create_stage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def shared_cache(settings):
    from django.core.cache import cache

    settings.LEAD_COUNT_CACHE = True
    cache.clear()


def poll(browser, org, pipeline, seen: dict[str, str]):
    url = reverse("board-changes", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})
    query = "&".join(f"fp={stage_id}:{fingerprint}" for stage_id, fingerprint in seen.items())
    return browser.get(f"{url}?{query}", HTTP_HX_REQUEST="true")


def reads_leads(capture: CaptureQueriesContext) -> bool:
    return any("leads_lead" in query["sql"] for query in capture.captured_queries)


def test_an_unchanged_board_is_answered_without_reading_a_lead(browser, org, pipeline, stages):
    LeadFactory.create_batch(3, organization=org, stage=stages[0])
    seen = board_fingerprints(org=org, pipeline=pipeline)

    with CaptureQueriesContext(connection) as capture:
        response = poll(browser, org, pipeline, seen)

    assert response.status_code == 204
    assert not reads_leads(capture)


def test_a_move_by_another_rep_is_seen_on_the_next_poll(browser, org, pipeline, stages, member):
    lead = LeadFactory(organization=org, stage=stages[0])
    seen = board_fingerprints(org=org, pipeline=pipeline)
    assert poll(browser, org, pipeline, seen).status_code == 204

    lead_services.move_lead_to_stage(org=org, actor=member, lead_id=lead.pk, stage_id=stages[2].pk)
    response = poll(browser, org, pipeline, seen)

    assert response.status_code == 200
    assert {column.stage.pk for column in response.context["columns"]} == {stages[0].pk, stages[2].pk}


def test_a_logged_activity_is_a_change_though_lead_totals_stay_cached(browser, org, pipeline, stages, member):
    lead = LeadFactory(organization=org, stage=stages[1])
    seen = board_fingerprints(org=org, pipeline=pipeline)

    lead_services.add_activity(org=org, actor=member, lead_id=lead.pk, type="NOTE", description="Called back")

    assert poll(browser, org, pipeline, seen).status_code == 200


def test_a_deleted_lead_and_a_new_lead_are_seen(browser, org, pipeline, stages, member):
    doomed = LeadFactory(organization=org, stage=stages[3])
    seen = board_fingerprints(org=org, pipeline=pipeline)
    lead_services.delete_lead(org=org, actor=member, lead_id=doomed.pk)
    assert poll(browser, org, pipeline, seen).status_code == 200

    seen = board_fingerprints(org=org, pipeline=pipeline)
    LeadFactory(organization=org, stage=stages[0])
    assert poll(browser, org, pipeline, seen).status_code == 200


def test_a_new_stage_asks_for_a_reload(browser, org, pipeline, member):
    seen = board_fingerprints(org=org, pipeline=pipeline)
    create_stage(org=org, actor=member, pipeline_id=pipeline.pk, name="Negotiation")

    response = poll(browser, org, pipeline, seen)

    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"


def test_another_orgs_writes_leave_this_board_cached(browser, org, pipeline, other_org):
    seen = board_fingerprints(org=org, pipeline=pipeline)
    LeadFactory(organization=other_org, stage=other_org.pipeline_set.get().stages.first())

    with CaptureQueriesContext(connection) as capture:
        assert poll(browser, org, pipeline, seen).status_code == 204
    assert not reads_leads(capture)


def test_after_a_write_the_column_counts_come_from_the_rollup_and_agree_with_the_leads(org, pipeline, stages, user):
    from leads.models import Lead
    from pipelines.board.selectors import fingerprint_of
    from vchata.tenancy.permissions import LeadScope

    LeadFactory.create_batch(3, organization=org, stage=stages[0], assigned_to=user)
    LeadFactory.create_batch(2, organization=org, stage=stages[1])
    mine = LeadScope(assignee_id=user.pk)

    with CaptureQueriesContext(connection) as capture:
        everyone, restricted = (
            board_fingerprints(org=org, pipeline=pipeline),
            board_fingerprints(org=org, pipeline=pipeline, scope=mine),
        )

    assert not any("COUNT(" in query["sql"].upper() for query in capture.captured_queries)
    for scope, fingerprints in ((LeadScope(), everyone), (mine, restricted)):
        for stage in stages:
            leads = Lead.objects.filter(stage=stage).filter(scope.q())
            latest = leads.order_by("-updated_at").values_list("updated_at", flat=True).first()
            assert fingerprints[stage.pk] == fingerprint_of(leads.count(), latest)
