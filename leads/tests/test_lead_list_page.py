"""The lead list page ``/app/<org>/leads/``: the API's filters, search, orderings and visibility; bulk actions; CSV."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from leads.models import Activity, Lead, LostReason
from leads.tests.factories import CampaignFactory, ContactFactory, LeadFactory
from pipelines.models import LeadStatus
from pipelines.services import create_pipeline
from tests.support.api import leads_url
from vchata.accounts.models import Membership, Organization
from vchata.accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def list_url(org, query: str = "") -> str:
    url = reverse("lead-list", kwargs={"org_id": org.pk})
    return f"{url}?{query}" if query else url


def listed(browser, org, query: str = "", **headers) -> list[str]:
    """The lead ids of the page's table, in order."""
    response = browser.get(list_url(org, query), headers=headers)
    assert response.status_code == 200, response.content[:500]
    return [lead.pk for lead in response.context["result"].leads]


def api_ids(org, user, query: str = "") -> list[str]:
    response = client_for(user).get(leads_url(org) + "?limit=100" + (f"&{query}" if query else ""))
    assert response.status_code == 200, response.json()
    return [lead["id"] for lead in response.json()["leads"]]


def bulk(browser, org, leads, **data):
    url = reverse("lead-bulk", kwargs={"org_id": org.pk})
    return browser.post(url, {"lead": [lead.pk for lead in leads], **data})


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the table ---------------------------------------------------------------------


def test_the_table_shows_each_lead_with_money_in_the_org_currency_and_readable_status(browser, org, user, stages):
    Organization.objects.filter(pk=org.pk).update(currency="EUR")
    contact = ContactFactory(organization=org, name="Ada Lovelace", company="Analytical Engines")
    LeadFactory(
        organization=org,
        contact=contact,
        stage=stages[3],
        value=Decimal("33750"),
        title="Engine retrofit",
        assigned_to=user,
        expected_close_date=date(2031, 3, 14),
    )

    response = browser.get(list_url(org))

    html = response.content.decode()
    for text in ("Ada Lovelace", "Analytical Engines", "Engine retrofit", stages[3].name, "€33,750", "Mar 14, 2031"):
        assert text in html, text
    assert ">Converted<" in html and ">CONVERTED<" not in html
    assert str(user) in html
    assert 'aria-current="page">Leads</a>' in html


def test_only_the_org_leads_are_listed_newest_first(browser, org, other_org):
    older = LeadFactory(organization=org)
    newer = LeadFactory(organization=org)
    LeadFactory(organization=other_org)

    assert listed(browser, org) == [newer.pk, older.pk]


def test_another_orgs_list_is_a_404(browser, other_org):
    assert browser.get(list_url(other_org)).status_code == 404


def test_a_member_under_assigned_visibility_sees_what_the_api_shows_them(org, user):
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    rep = MembershipFactory(organization=org, role=Membership.Role.MEMBER).user
    mine = LeadFactory(organization=org, assigned_to=rep)
    nobodys = LeadFactory(organization=org)
    LeadFactory(organization=org, assigned_to=user)
    page = Client()
    page.force_login(rep)

    response = page.get(list_url(org))

    assert [lead.pk for lead in response.context["result"].leads] == [nobodys.pk, mine.pk]
    assert response.context["result"].total == 2
    assert api_ids(org, rep) == [nobodys.pk, mine.pk]


@pytest.mark.parametrize(
    "query",
    [
        "status=QUALIFIED",
        "source=referral",
        "minValue=500&maxValue=5000",
        "search=blue%20labs",
        "ordering=value",
        "ordering=-value",
        "ordering=createdAt",
        "search=labs&ordering=relevance",
        "createdAfter=2000-01-01&createdBefore=2999-01-01",
        "ordering=expectedCloseDate",
        "ordering=-expectedCloseDate",
        "expectedCloseAfter=2030-02-01&expectedCloseBefore=2030-12-31",
    ],
)
def test_filters_search_and_orderings_list_what_the_api_lists(browser, org, user, stages, query):
    LeadFactory(organization=org, stage=stages[1], value=800, source="referral", expected_close_date=date(2030, 5, 1))
    LeadFactory(
        organization=org,
        value=6000,
        contact=ContactFactory(organization=org, company="Blue Labs"),
        expected_close_date=date(2030, 1, 1),
    )
    LeadFactory(organization=org, value=None, source="referral", notes="met at labs day")
    LeadFactory(organization=org, stage=stages[1], value=2500)

    assert listed(browser, org, query) == api_ids(org, user, query)


def test_id_filters_narrow_to_a_pipeline_stage_assignee_and_campaign(browser, org, user, stages):
    other = create_pipeline(org=org, name="Partners")
    campaign = CampaignFactory(organization=org)
    in_other = LeadFactory(organization=org, pipeline=other)
    assigned = LeadFactory(organization=org, assigned_to=user, stage=stages[2])
    from_campaign = LeadFactory(organization=org, campaign=campaign)

    assert listed(browser, org, f"pipelineId={other.pk}") == [in_other.pk]
    assert listed(browser, org, f"stageId={stages[2].pk}") == [assigned.pk]
    assert listed(browser, org, f"assignedToId={user.pk}") == [assigned.pk]
    assert listed(browser, org, f"campaignId={campaign.pk}") == [from_campaign.pk]


def test_empty_parameters_are_no_filter(browser, org):
    lead = LeadFactory(organization=org)

    assert listed(browser, org, "status=&pipelineId=&search=&minValue=") == [lead.pk]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=WON", "status must be one of"),
        ("minValue=lots", "minValue must be a number"),
        ("createdAfter=yesterday", "createdAfter must be an ISO 8601"),
        ("ordering=name", "ordering must be one of"),
        ("ordering=relevance", "send search too"),
    ],
)
def test_a_bad_filter_is_a_400_page_naming_it(browser, org, query, message):
    LeadFactory(organization=org)

    response = browser.get(list_url(org, query))

    assert response.status_code == 400
    assert message in response.content.decode()


def test_another_orgs_stage_is_refused_like_an_unknown_one(browser, org, other_org):
    stage = other_org.pipeline_set.get().stages.first()

    response = browser.get(list_url(org, f"stageId={stage.pk}"))

    assert response.status_code == 400
    assert "stageId does not match any stage in this organization" in response.content.decode()


def test_sort_links_toggle_the_direction_and_say_how_the_column_sorts(browser, org):
    LeadFactory(organization=org)

    sort = browser.get(list_url(org, "ordering=-value&status=NEW")).context["sort"]

    assert sort["value"] == {"query": "status=NEW&ordering=value", "state": "descending"}
    assert sort["createdAt"] == {"query": "status=NEW&ordering=-createdAt", "state": "none"}
    assert sort["expectedCloseDate"] == {"query": "status=NEW&ordering=expectedCloseDate", "state": "none"}


def test_an_htmx_request_gets_the_results_only_and_the_clean_url_to_push(browser, org):
    lead = LeadFactory(organization=org, source="referral")
    LeadFactory(organization=org, source="website")

    response = browser.get(list_url(org, "search=&source=referral&status="), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="lead-results"')
    assert lead.pk in html
    assert response["HX-Push-Url"] == list_url(org, "source=referral")
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(browser, org):
    response = browser.get(list_url(org), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert "<html" in response.content.decode()


def test_pages_of_fifty(browser, org):
    leads = [LeadFactory(organization=org) for _ in range(52)]
    newest_first = [lead.pk for lead in reversed(leads)]

    first = browser.get(list_url(org))
    second = browser.get(list_url(org, "page=2"))

    assert [lead.pk for lead in first.context["result"].leads] == newest_first[:50]
    assert [lead.pk for lead in second.context["result"].leads] == newest_first[50:]
    assert first.context["next_query"] == "page=2"
    assert second.context["result"].total == 52
    assert browser.get(list_url(org, "page=99")).context["result"].page == 2
    assert browser.get(list_url(org, "page=x")).context["result"].page == 1


def page_queries(browser, org, query: str = "", **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(list_url(org, query), headers=headers)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", ["", "status=NEW&search=a&ordering=value"])
def test_the_page_costs_the_same_queries_for_two_leads_or_fifty(browser, org, user, query):
    for _ in range(2):
        LeadFactory(organization=org, assigned_to=user, contact=ContactFactory(organization=org, name="Ann"))
    page_queries(browser, org, query)  # the session's first visit writes it
    few, few_partial = page_queries(browser, org, query), page_queries(browser, org, query, HX_Request="true")
    for _ in range(48):
        LeadFactory(organization=org, assigned_to=user, contact=ContactFactory(organization=org, name="Ann"))

    many, many_partial = page_queries(browser, org, query), page_queries(browser, org, query, HX_Request="true")

    assert (few, few_partial) == (many, many_partial)
    # Session, user, membership, the org switcher, saved views, page, total; pipelines and stages, members,
    # sources, campaigns for the filter bar and bulk form. The htmx swap: the first four, then the page and total.
    assert (many, many_partial) == (13, 5)


# --- bulk actions ----------------------------------------------------------------------


def test_bulk_assign_changes_the_selected_leads_through_the_service(browser, org, user):
    rep = MembershipFactory(organization=org).user
    chosen = [LeadFactory(organization=org) for _ in range(2)]
    untouched = LeadFactory(organization=org)

    response = bulk(browser, org, chosen, action="assign", assigned_to=rep.pk, next="status=NEW")

    assert response.status_code == 302
    assert response["Location"] == list_url(org, "status=NEW")
    assert set(Lead.objects.filter(assigned_to=rep).values_list("pk", flat=True)) == {lead.pk for lead in chosen}
    assert Lead.objects.get(pk=untouched.pk).assigned_to is None
    assert Activity.objects.filter(lead__in=chosen, type=Activity.Type.ASSIGNED, actor=user).count() == 2
    assert flashed(response) == [f"Assigned 2 leads to {rep.name or rep.email}."]


def test_bulk_unassign(browser, org, user):
    lead = LeadFactory(organization=org, assigned_to=user)

    response = bulk(browser, org, [lead], action="assign", assigned_to="unassigned")

    assert Lead.objects.get(pk=lead.pk).assigned_to is None
    assert flashed(response) == ["Unassigned 1 lead."]


def test_bulk_move_to_stage_writes_each_leads_history(browser, org, stages):
    chosen = [LeadFactory(organization=org) for _ in range(3)]

    response = bulk(browser, org, chosen, action="stage", stage=stages[2].pk)

    assert set(Lead.objects.filter(pk__in=[lead.pk for lead in chosen]).values_list("stage", flat=True)) == {
        stages[2].pk
    }
    assert Activity.objects.filter(lead__in=chosen, type=Activity.Type.STAGE_CHANGED).count() == 3
    assert flashed(response) == [f"Moved 3 leads to {stages[2].name}."]


def test_bulk_move_refuses_leads_of_another_pipeline_and_changes_none(browser, org, user, stages):
    other = create_pipeline(org=org, name="Partners")
    here, there = LeadFactory(organization=org), LeadFactory(organization=org, pipeline=other)

    response = bulk(browser, org, [here, there], action="stage", stage=stages[2].pk)

    assert response.status_code == 302
    assert Lead.objects.get(pk=here.pk).stage == stages[0]
    assert flashed(response) == [
        f"Nothing was changed: 1 of the selected leads are not in the pipeline of {stages[2].name}"
    ]


def test_bulk_status(browser, org):
    chosen = [LeadFactory(organization=org) for _ in range(2)]

    response = bulk(browser, org, chosen, action="status", status="CONTACTED")

    assert set(Lead.objects.values_list("status", flat=True)) == {LeadStatus.CONTACTED}
    assert flashed(response) == ["Set 2 leads to Contacted."]


def test_bulk_lost_without_the_required_reason_is_a_message_and_changes_nothing(browser, org):
    LostReason.objects.create(organization=org, name="Budget")
    chosen = [LeadFactory(organization=org) for _ in range(2)]

    response = bulk(browser, org, chosen, action="status", status="LOST")

    assert response.status_code == 302
    assert set(Lead.objects.values_list("status", flat=True)) == {LeadStatus.NEW}
    assert not Activity.objects.filter(type=Activity.Type.STATUS_CHANGED).exists()
    (message,) = flashed(response)
    assert message.startswith("Nothing was changed: ") and "lost" in message.lower()


def test_bulk_lost_with_a_reason(browser, org):
    reason = LostReason.objects.create(organization=org, name="Budget")
    lead = LeadFactory(organization=org)

    bulk(browser, org, [lead], action="status", status="LOST", lost_reason=reason.pk)

    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason) == (LeadStatus.LOST, reason)


def test_bulk_delete(browser, org):
    chosen = [LeadFactory(organization=org) for _ in range(2)]
    kept = LeadFactory(organization=org)

    response = bulk(browser, org, chosen, action="delete")

    assert list(Lead.objects.values_list("pk", flat=True)) == [kept.pk]
    assert flashed(response) == ["Deleted 2 leads."]


def test_bulk_ignores_leads_of_another_org(browser, org, other_org):
    mine, theirs = LeadFactory(organization=org), LeadFactory(organization=other_org)

    response = bulk(browser, org, [mine, theirs], action="status", status="CONTACTED")

    assert Lead.objects.get(pk=theirs.pk).status == LeadStatus.NEW
    assert Lead.objects.get(pk=mine.pk).status == LeadStatus.CONTACTED
    assert flashed(response) == ["Set 1 lead to Contacted. (1 of the selected no longer exists)"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "assign"}, "Choose the assignee for the selected leads."),
        ({"action": "stage"}, "Choose the stage for the selected leads."),
        ({"action": "status", "status": "WON"}, "Select a valid choice. WON is not one of the available choices."),
        ({"action": "explode"}, "Select a valid choice. explode is not one of the available choices."),
    ],
)
def test_a_bad_bulk_request_is_a_message_and_changes_nothing(browser, org, data, message):
    lead = LeadFactory(organization=org)
    before = Lead.objects.values().get(pk=lead.pk)

    response = bulk(browser, org, [lead], **data)

    assert response.status_code == 302
    assert message in flashed(response)
    assert Lead.objects.values().get(pk=lead.pk) == before


def test_bulk_with_nothing_selected_says_so(browser, org):
    response = bulk(browser, org, [], action="delete")

    assert flashed(response) == ["Select at least one lead."]


def test_bulk_next_is_only_ever_the_list_query(browser, org):
    lead = LeadFactory(organization=org)

    response = bulk(browser, org, [lead], action="status", status="NEW", next="https://evil.example/&status=NEW")

    assert response["Location"].startswith(list_url(org))


def test_a_member_may_not_run_bulk_actions_and_sees_no_bulk_bar(org):
    lead = LeadFactory(organization=org)
    rep = Client()
    rep.force_login(MembershipFactory(organization=org, role=Membership.Role.MEMBER).user)

    response = rep.post(reverse("lead-bulk", kwargs={"org_id": org.pk}), {"lead": [lead.pk], "action": "delete"})

    assert response.status_code == 403
    assert Lead.objects.filter(pk=lead.pk).exists()
    page = rep.get(list_url(org))
    assert "bulk_form" not in page.context and 'id="lead-bulk"' not in page.content.decode()


def test_a_manager_under_assigned_visibility_reaches_every_lead_in_bulk(org):
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    manager = MembershipFactory(organization=org, role=Membership.Role.MANAGER).user
    lead = LeadFactory(organization=org, assigned_to=MembershipFactory(organization=org).user)
    client = Client()
    client.force_login(manager)

    bulk(client, org, [lead], action="status", status="CONTACTED")

    # A MANAGER sees every lead: visibility only restricts MEMBERs.
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.CONTACTED


# --- CSV export ----------------------------------------------------------------------------


def exported(browser, org, query: str = ""):
    url = reverse("lead-export", kwargs={"org_id": org.pk}) + (f"?{query}" if query else "")
    response = browser.get(url)
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    return response, list(csv.reader(io.StringIO(body)))


def test_export_is_the_current_view_of_the_org_in_order(browser, org, other_org):
    cheap = LeadFactory(organization=org, value=100, source="referral")
    dear = LeadFactory(organization=org, value=900, source="referral", title="Big one")
    LeadFactory(organization=org, value=500, source="website")
    LeadFactory(organization=other_org, source="referral")

    response, rows = exported(browser, org, "source=referral&ordering=-value")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="leads-{timezone.now():%Y-%m-%d}.csv"'
    header, *leads = rows
    assert header[:3] == ["Lead id", "Contact", "Email"]
    assert [row[0] for row in leads] == [dear.pk, cheap.pk]
    assert leads[0][header.index("Deal")] == "Big one"
    assert leads[0][header.index("Value")] == "900.00"
    assert leads[0][header.index("Status")] == "New"


def test_export_neutralises_formulas(browser, org):
    LeadFactory(organization=org, contact=ContactFactory(organization=org, name="=HYPERLINK(1)"))

    _, rows = exported(browser, org)

    assert rows[1][1] == "'=HYPERLINK(1)"


def test_export_follows_visibility(org, user):
    Organization.objects.filter(pk=org.pk).update(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    rep = MembershipFactory(organization=org, role=Membership.Role.MEMBER).user
    mine = LeadFactory(organization=org, assigned_to=rep)
    LeadFactory(organization=org, assigned_to=user)
    client = Client()
    client.force_login(rep)

    _, rows = exported(client, org)

    assert [row[0] for row in rows[1:]] == [mine.pk]


def test_export_with_a_bad_filter_is_a_400(browser, org):
    response, _ = exported(browser, org, "status=WON")

    assert response.status_code == 400


def test_created_range_uses_utc_days(browser, org):
    lead = LeadFactory(organization=org)
    today = timezone.now().date()

    assert listed(browser, org, f"createdAfter={today}") == [lead.pk]
    assert listed(browser, org, f"createdBefore={today}") == []
    assert listed(browser, org, f"createdBefore={today + timedelta(days=1)}") == [lead.pk]


def test_search_finds_by_any_part_of_the_contact(browser, org):
    ada = LeadFactory(organization=org, contact=ContactFactory(organization=org, name="Ada", email="ada@blue.io"))
    LeadFactory(organization=org, contact=ContactFactory(organization=org, name="Bob", email="bob@red.io"))

    assert listed(browser, org, "search=BLUE.io") == [ada.pk]
