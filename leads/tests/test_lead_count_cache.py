"""The lead list's cached total stays exact: every kind of write that changes a filtered count drops it.

Each test primes the cache (and checks the second request runs no COUNT),
makes one kind of committed write, and compares the list's total with a live
count. The tests commit for real (``transaction=True``): the invalidation
runs on commit, as in production.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.counting import lead_counts
from leads.importing import plan_import, run_import
from leads.models import Lead
from leads.services import (
    add_activity,
    create_custom_field,
    delete_campaign,
    delete_custom_field,
    move_lead_to_stage,
    update_lead,
)
from leads.tests.factories import CampaignFactory, LeadFactory
from pipelines.automation.idle import run_idle_rules
from pipelines.automation.models import Rule
from pipelines.automation.tests.factories import RuleFactory
from pipelines.models import LeadStatus
from tests.support.admin import logged_in, superuser
from tests.support.api import leads_url
from vchata.accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def cache_every_count(settings):
    settings.LEAD_COUNT_CACHE = True
    settings.LEAD_COUNT_CACHE_MIN = 0
    cache.clear()


def _get(api, org, query: str):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"{leads_url(org)}?{query}")
    assert response.status_code == 200, response.json()
    counted = any("COUNT(" in q["sql"] for q in queries)
    return response.json()["pagination"]["total"], counted


def primed(api, org, query: str = "") -> int:
    """The total, after making sure it is now served from the cache (no COUNT)."""
    _get(api, org, query)
    total, counted = _get(api, org, query)
    assert not counted, "the second request should be served from the cache"
    return total


def total_after_write(api, org, query: str) -> int:
    """The list's total now, checked against a live count of the same query (the cache emptied)."""
    served, _ = _get(api, org, query)
    cache.clear()
    live, counted = _get(api, org, query)
    assert counted
    assert served == live
    return served


def test_the_second_request_runs_no_count(api, org, django_assert_num_queries):
    LeadFactory.create_batch(3, organization=org)
    with CaptureQueriesContext(connection) as first:
        api.get(leads_url(org))

    # As many: the COUNT is replaced by the check for invalidations the cache missed (vchata.counts).
    with django_assert_num_queries(len(first)) as second:
        response = api.get(leads_url(org))

    assert response.json()["pagination"]["total"] == 3
    assert not any("COUNT(" in query["sql"] for query in second.captured_queries)


def test_small_totals_are_counted_live_and_not_kept(api, org, settings):
    settings.LEAD_COUNT_CACHE_MIN = 5
    LeadFactory.create_batch(3, organization=org)

    assert [_get(api, org, "") for _ in range(2)] == [(3, True), (3, True)]


def test_without_the_cache_every_request_counts(api, org, settings):
    settings.LEAD_COUNT_CACHE = False
    LeadFactory.create_batch(3, organization=org)

    assert [_get(api, org, "") for _ in range(2)] == [(3, True), (3, True)]


def test_create(api, org):
    LeadFactory(organization=org)
    assert primed(api, org) == 1

    LeadFactory(organization=org)

    assert total_after_write(api, org, "") == 2


def test_update_of_a_filtered_field(api, org):
    lead = LeadFactory(organization=org, value=100)
    LeadFactory(organization=org, value=900)
    assert primed(api, org, "minValue=500") == 1

    update_lead(org=org, actor=None, lead_id=lead.pk, changes={"value": 700})

    assert total_after_write(api, org, "minValue=500") == 2


def test_move_to_another_stage(api, org, stages):
    lead = LeadFactory(organization=org)
    assert primed(api, org, f"stageId={stages[1].pk}") == 0

    move_lead_to_stage(org=org, actor=None, lead_id=lead.pk, stage_id=stages[1].pk)

    assert total_after_write(api, org, f"stageId={stages[1].pk}") == 1


def test_delete(api, org):
    lead = LeadFactory(organization=org)
    LeadFactory(organization=org)
    assert primed(api, org, "status=NEW") == 2

    response = api.delete(leads_url(org, lead.pk))

    assert response.status_code == 200
    assert total_after_write(api, org, "status=NEW") == 1


def test_contact_rename_changes_a_search(api, org):
    lead = LeadFactory(organization=org)
    assert primed(api, org, "search=zebediah") == 0

    lead.contact.name = "Zebediah Quill"
    lead.contact.save()

    assert total_after_write(api, org, "search=zebediah") == 1


def test_campaign_delete(api, org):
    campaign = CampaignFactory(organization=org)
    LeadFactory(organization=org, campaign=campaign)
    assert primed(api, org, f"campaignId={campaign.pk}") == 1
    generation = cache.get(lead_counts.generation_key(org.pk))

    delete_campaign(org=org, actor=None, campaign_id=campaign.pk)

    assert cache.get(lead_counts.generation_key(org.pk)) != generation
    assert api.get(f"{leads_url(org)}?campaignId={campaign.pk}").status_code == 400
    assert Lead.objects.get().campaign_id is None


def test_csv_import(api, org, pipeline):
    LeadFactory(organization=org)
    assert primed(api, org, "source=fair") == 0
    text = "name,email,source\nAna Lima,ana@example.com,fair\nBen Ode,ben@example.com,fair\n"

    assert run_import(plan_import(org=org, pipeline=pipeline, text=text), actor=None) == 2

    assert total_after_write(api, org, "source=fair") == 2


def test_admin_bulk_action(api, org):
    leads = LeadFactory.create_batch(3, organization=org)
    assert primed(api, org, "status=LOST") == 0

    response = logged_in(superuser()).post(
        "/admin/leads/lead/", {"action": "mark_lost", "_selected_action": [lead.pk for lead in leads[:2]]}
    )

    assert response.status_code == 302
    assert total_after_write(api, org, "status=LOST") == 2


def test_bulk_automation_run(api, org, pipeline):
    RuleFactory(
        pipeline=pipeline,
        trigger=Rule.Trigger.IDLE_IN_STAGE,
        idle_days=1,
        action=Rule.Action.SET_STATUS,
        action_status=LeadStatus.LOST,
    )
    LeadFactory.create_batch(3, organization=org)
    assert primed(api, org, "status=LOST") == 0

    # The scheduler's run a day later (the clock left alone, so cache entries cannot expire meanwhile).
    assert run_idle_rules(now=timezone.now() + timedelta(days=1, minutes=1)).applied == 3

    assert total_after_write(api, org, "status=LOST") == 3


def test_assignee_deleted(api, org):
    member = MembershipFactory(organization=org).user
    LeadFactory(organization=org, assigned_to=member)
    assert primed(api, org) == 1
    generation = cache.get(lead_counts.generation_key(org.pk))

    member.delete()

    assert cache.get(lead_counts.generation_key(org.pk)) != generation
    assert Lead.objects.get().assigned_to_id is None


def test_custom_field_delete_bumps_after_its_bulk_update(api, org):
    create_custom_field(org=org, actor=None, key="budget_band", label="Budget band", type="TEXT")
    LeadFactory(organization=org, custom_fields={"budget_band": "high"})
    field_id = org.customfield_set.get().pk
    primed(api, org)
    generation = cache.get(lead_counts.generation_key(org.pk))

    delete_custom_field(org=org, actor=None, field_id=field_id)

    assert cache.get(lead_counts.generation_key(org.pk)) != generation


def test_a_logged_activity_keeps_the_cached_counts(api, org):
    lead = LeadFactory(organization=org)
    primed(api, org)
    generation = cache.get(lead_counts.generation_key(org.pk))

    add_activity(org=org, actor=None, lead_id=lead.pk, type="CALL", description="Left a message")

    assert cache.get(lead_counts.generation_key(org.pk)) == generation
    assert _get(api, org, "") == (1, False)


def test_a_write_in_one_org_keeps_another_orgs_counts(api, org, other_org):
    LeadFactory(organization=org)
    primed(api, org)

    LeadFactory(organization=other_org)

    assert _get(api, org, "") == (1, False)
