"""Lead visibility ASSIGNED: a MEMBER sees only the leads assigned to them and unassigned ones, everywhere.

Lists, totals (cached or not), search, board columns and cards, the board poll,
analytics and the admin's CSV export cover the same leads; and the query
counts are those of an unrestricted viewer.
"""

import csv
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import client_for
from leads.models import Lead
from leads.services import update_lead
from leads.tests.factories import ContactFactory, LeadFactory
from pipelines.board.selectors import board_fingerprints
from tests.support.admin import logged_in
from tests.support.api import leads_url
from vchata.accounts.models import Membership, Organization
from vchata.accounts.tests.factories import MembershipFactory, UserFactory
from vchata.tenancy.permissions import lead_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted(org):
    """``org`` under ASSIGNED: leads of the rep (2), of a colleague (3) and of nobody (1); the rep's client."""
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    org.refresh_from_db()
    rep = MembershipFactory(organization=org, user=UserFactory(is_staff=True), role=Membership.Role.MEMBER).user
    colleague = MembershipFactory(organization=org, role=Membership.Role.MEMBER).user
    leads = {
        "mine": [LeadFactory(organization=org, assigned_to=rep, value=100) for _ in range(2)],
        "theirs": [
            LeadFactory(organization=org, assigned_to=colleague, value=1000, contact=ContactFactory(organization=org))
            for _ in range(3)
        ],
        "nobodys": [LeadFactory(organization=org, value=10)],
    }
    return rep, colleague, leads


def ids(leads) -> set[str]:
    return {lead.pk for lead in leads}


def test_the_list_shows_a_member_their_leads_and_unassigned_ones(restricted, org):
    rep, _, leads = restricted

    body = client_for(rep).get(leads_url(org)).json()

    assert {lead["id"] for lead in body["leads"]} == ids(leads["mine"] + leads["nobodys"])
    assert body["pagination"]["total"] == 3


def test_the_owner_and_a_manager_still_see_every_lead(restricted, org, api):
    manager = MembershipFactory(organization=org, role=Membership.Role.MANAGER).user

    assert api.get(leads_url(org)).json()["pagination"]["total"] == 6
    assert client_for(manager).get(leads_url(org)).json()["pagination"]["total"] == 6


def test_under_all_a_member_sees_every_lead(restricted, org):
    rep, _, _ = restricted
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ALL)

    assert client_for(rep).get(leads_url(org)).json()["pagination"]["total"] == 6


def test_search_finds_no_lead_the_member_cannot_see(restricted, org):
    rep, _, leads = restricted
    hidden = leads["theirs"][0].contact

    found = client_for(rep).get(leads_url(org), {"search": hidden.email}).json()

    assert found["leads"] == [] and found["pagination"]["total"] == 0


def test_filtering_by_a_colleague_shows_nothing_of_theirs(restricted, org):
    rep, colleague, _ = restricted

    body = client_for(rep).get(leads_url(org), {"assignedToId": colleague.pk}).json()

    assert body["pagination"]["total"] == 0


def test_the_list_costs_a_member_the_same_queries_as_the_owner(restricted, org, api, django_assert_num_queries):
    rep, _, _ = restricted
    rep_client = client_for(rep)

    # membership (+org, user), COUNT, the page
    with django_assert_num_queries(3):
        rep_client.get(leads_url(org))
    with django_assert_num_queries(3):
        api.get(leads_url(org))


def test_a_members_cached_total_is_their_own_not_the_orgs(restricted, org, api, settings):
    rep, colleague, leads = restricted
    settings.LEAD_COUNT_CACHE, settings.LEAD_COUNT_CACHE_MIN = True, 0
    cache.clear()
    rep_client = client_for(rep)

    assert api.get(leads_url(org)).json()["pagination"]["total"] == 6  # the org's total, now cached
    assert rep_client.get(leads_url(org)).json()["pagination"]["total"] == 3
    assert client_for(colleague).get(leads_url(org)).json()["pagination"]["total"] == 4
    with CaptureQueriesContext(connection) as queries:
        assert rep_client.get(leads_url(org)).json()["pagination"]["total"] == 3
    assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)  # the rep's own entry


@pytest.mark.django_db(transaction=True)  # the totals are dropped on commit, as in production
def test_handing_a_lead_to_the_rep_is_in_their_cached_total(
    restricted, org, user, settings, django_capture_on_commit_callbacks
):
    rep, _, leads = restricted
    settings.LEAD_COUNT_CACHE, settings.LEAD_COUNT_CACHE_MIN = True, 0
    cache.clear()
    rep_client = client_for(rep)
    assert rep_client.get(leads_url(org)).json()["pagination"]["total"] == 3

    update_lead(org=org, actor=user, lead_id=leads["theirs"][0].pk, changes={"assigned_to": rep})

    assert rep_client.get(leads_url(org)).json()["pagination"]["total"] == 4


def test_analytics_cover_only_the_members_leads(restricted, org, api):
    rep, _, _ = restricted

    mine = client_for(rep).get(f"/leads/{org.pk}/stats").json()["stats"]
    everything = api.get(f"/leads/{org.pk}/stats").json()["stats"]
    sources = client_for(rep).get(f"/leads/{org.pk}/analytics/sources").json()["sources"]
    stages = client_for(rep).get(f"/leads/{org.pk}/analytics/pipeline").json()["pipeline"]["stages"]

    assert (mine["totalLeads"], mine["totalValue"]) == (3, 210)
    assert (everything["totalLeads"], everything["totalValue"]) == (6, 3210)
    assert sum(row["count"] for row in sources) == 3
    assert sum(stage["leadCount"] for stage in stages) == 3


def test_the_dashboard_page_shows_the_members_totals(restricted, org):
    rep, _, _ = restricted
    browser = Client()
    browser.force_login(rep)

    page = browser.get(f"/app/{org.pk}/analytics/").content.decode()

    assert '<p class="tile__value" title="$210" data-stat="totalValue">$210</p>' in page


# --- the board ----------------------------------------------------------------------------------


def board_page(client, org, pipeline):
    return client.get(reverse("board", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk}))


def test_the_board_shows_a_member_only_their_cards_and_totals(restricted, org, pipeline):
    rep, _, leads = restricted
    browser = Client()
    browser.force_login(rep)

    response = board_page(browser, org, pipeline)

    cards = {card.pk for column in response.context["columns"] for card in column.cards}
    assert cards == ids(leads["mine"] + leads["nobodys"])
    assert response.context["total_leads"] == 3
    assert sum(column.total_value for column in response.context["columns"]) == 210


def test_the_board_costs_a_member_the_same_queries_as_the_owner(restricted, org, pipeline, browser):
    rep, _, _ = restricted
    rep_browser = Client()
    rep_browser.force_login(rep)
    board_page(rep_browser, org, pipeline)  # the session's first visit remembers the org

    with CaptureQueriesContext(connection) as owners:
        board_page(browser, org, pipeline)
    with CaptureQueriesContext(connection) as reps:
        board_page(rep_browser, org, pipeline)

    assert len(reps.captured_queries) == len(owners.captured_queries)


def test_a_members_poll_fingerprint_ignores_leads_they_cannot_see(restricted, org, pipeline, user):
    rep, _, leads = restricted
    scope = lead_scope(org.memberships.select_related("organization").get(user=rep))
    seen = board_fingerprints(org=org, pipeline=pipeline, scope=scope)

    update_lead(org=org, actor=user, lead_id=leads["theirs"][0].pk, changes={"notes": "private"})
    after_hidden_change = board_fingerprints(org=org, pipeline=pipeline, scope=scope)
    update_lead(org=org, actor=user, lead_id=leads["mine"][0].pk, changes={"notes": "visible"})
    after_visible_change = board_fingerprints(org=org, pipeline=pipeline, scope=scope)

    assert after_hidden_change == seen
    assert after_visible_change != seen
    assert board_fingerprints(org=org, pipeline=pipeline) != seen  # the org's own counts every lead


def test_a_member_cannot_open_or_move_a_card_they_cannot_see(restricted, org, pipeline, stages):
    rep, _, leads = restricted
    hidden = leads["theirs"][0]
    browser = Client()
    browser.force_login(rep)
    move = reverse("board-move", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk, "lead_id": hidden.pk})

    assert browser.get(move).status_code == 404
    assert browser.post(move, {"stage": stages[1].pk}, HTTP_HX_REQUEST="true").status_code == 404
    assert browser.get(reverse("lead-detail", kwargs={"org_id": org.pk, "lead_id": hidden.pk})).status_code == 404
    assert Lead.objects.get(pk=hidden.pk).stage == stages[0]


# --- the admin ------------------------------------------------------------------------------------


def test_a_staff_members_admin_list_and_csv_export_hold_only_their_leads(restricted, org):
    rep, _, leads = restricted
    client = logged_in(rep)
    visible = ids(leads["mine"] + leads["nobodys"])

    listing = client.get("/admin/leads/lead/").content.decode()
    export = client.post(
        "/admin/leads/lead/", {"action": "export_csv", "select_across": "1", "_selected_action": list(visible)}
    )
    forced = client.post("/admin/leads/lead/", {"action": "export_csv", "_selected_action": [leads["theirs"][0].pk]})

    assert all(pk in listing for pk in visible) and not any(lead.pk in listing for lead in leads["theirs"])
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert {row["id"] for row in rows} == visible
    assert leads["theirs"][0].pk not in b"".join(forced.streaming_content).decode()
    assert client.get(f"/admin/leads/lead/{leads['theirs'][0].pk}/change/").status_code == 404
