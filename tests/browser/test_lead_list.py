"""The lead list, the header search and the contact page in the real browser, at 1440×900 and 390×844.

Runs against the live server with the demo data (``seed_demo``): sorting,
filtering and searching as you type swap the table in place (and the URL
follows), bulk actions change the selected leads in the database, the CSV is
the view on screen, saved views come back, and a phone never scrolls sideways.
"""

import csv
import io
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.db.models import F
from playwright.sync_api import expect

from leads.management.commands.seed_demo import DEMO_EMAIL
from leads.models import Activity, Lead
from pipelines.models import LeadStatus
from tests.browser.signing_in import sign_in
from vchata.accounts.models import Membership, SavedView, User

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo():
    call_command("seed_demo", leads=30, stdout=open("/dev/null", "w"))  # noqa: SIM115 - a sink for the banner
    user = User.objects.get(email=DEMO_EMAIL)
    org = Membership.objects.select_related("organization").get(user=user).organization
    return user, org


@pytest.fixture
def csp_violations(page):
    found = []
    page.on(
        "console", lambda message: found.append(message.text) if "Content Security Policy" in message.text else None
    )
    return found


def open_list(page, org, query: str = ""):
    page.goto(f"/app/{org.pk}/leads/" + (f"?{query}" if query else ""))
    expect(page.get_by_role("heading", name="Leads", level=1)).to_be_visible()


def shown_ids(page) -> list[str]:
    return page.locator("#lead-results tbody tr").evaluate_all("rows => rows.map(r => r.dataset.leadId)")


def no_sideways_scroll(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"


def filters(page):
    return page.get_by_role("search", name="Filter leads")


def org_leads(org):
    return Lead.objects.filter(organization=org)


def test_the_nav_opens_the_list_and_a_column_sorts_both_ways(page, demo, screenshot, csp_violations):
    user, org = demo
    sign_in(page, viewport=DESKTOP)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leads").click()
    expect(page.get_by_role("heading", name="Leads", level=1)).to_be_visible()
    newest = list(org_leads(org).order_by("-created_at", "-id").values_list("pk", flat=True))
    assert shown_ids(page) == newest
    expect(page.locator("[data-total]")).to_have_text(str(len(newest)))
    screenshot(page, "leads-list-desktop")

    page.locator("#lead-results thead").get_by_role("link", name="Value").click()
    expect(page).to_have_url(re.compile(r"ordering=-value"))
    by_value = org_leads(org).order_by(F("value").desc(nulls_last=True), "-id")
    expect(page.locator("#lead-results tbody tr").first).to_have_attribute("data-lead-id", by_value[0].pk)
    assert shown_ids(page) == [lead.pk for lead in by_value]
    expect(page.locator('th[aria-sort="descending"]')).to_have_text(re.compile("Value"))

    page.locator("#lead-results thead").get_by_role("link", name="Value").click()
    expect(page).to_have_url(re.compile(r"ordering=value"))
    ascending = org_leads(org).order_by(F("value").asc(nulls_first=True), "id")
    expect(page.locator("#lead-results tbody tr").first).to_have_attribute("data-lead-id", ascending[0].pk)
    assert shown_ids(page) == [lead.pk for lead in ascending]
    assert csp_violations == []


def test_a_filter_narrows_the_rows_and_back_and_refresh_keep_it(page, demo):
    user, org = demo
    sign_in(page, viewport=DESKTOP)
    open_list(page, org)
    everyone = len(shown_ids(page))

    page.get_by_text("Filters", exact=True).click()
    filters(page).get_by_label("Status").select_option(label="Qualified")

    expect(page).to_have_url(re.compile(r"status=QUALIFIED"))
    qualified = list(org_leads(org).filter(status=LeadStatus.QUALIFIED).order_by("-created_at", "-id"))
    assert 0 < len(qualified) < everyone
    expect(page.locator("#lead-results tbody tr")).to_have_count(len(qualified))
    assert shown_ids(page) == [lead.pk for lead in qualified]

    page.reload()
    expect(page.locator("#lead-results tbody tr")).to_have_count(len(qualified))
    expect(filters(page).get_by_label("Status")).to_have_value("QUALIFIED")
    page.go_back()
    expect(page.locator("#lead-results tbody tr")).to_have_count(everyone)


def test_search_narrows_as_you_type_without_pressing_anything(page, demo):
    user, org = demo
    lead = org_leads(org).select_related("contact").order_by("created_at").first()
    word = lead.contact.email.split("@")[0]  # unique: the seed numbers every email
    sign_in(page, viewport=DESKTOP)
    open_list(page, org)

    page.get_by_role("searchbox", name="Search", exact=True).press_sequentially(word, delay=30)

    expect(page.locator("#lead-results tbody tr")).to_have_count(1)
    assert shown_ids(page) == [lead.pk]
    assert parse_qs(urlparse(page.url).query)["search"] == [word]  # the URL follows, so back and refresh keep it


def test_bulk_status_and_assign_change_the_selected_leads(page, demo, csp_violations):
    user, org = demo
    rep = User.objects.get(email="kim@vchata.dev")
    sign_in(page, viewport=DESKTOP)
    open_list(page, org, "status=NEW")
    first, second, *rest = shown_ids(page)
    untouched = Lead.objects.get(pk=rest[0]) if rest else None

    for lead_id in (first, second):
        page.locator(f'tr[data-lead-id="{lead_id}"] input[type="checkbox"]').check()
    expect(page.locator("[data-selected-count]")).to_have_text("2 leads selected")
    bulk = page.get_by_role("form", name="Bulk actions on the selected leads")
    bulk.get_by_label("Action").select_option(label="Set status…")
    bulk.get_by_label("Status").select_option(label="Contacted")
    bulk.get_by_role("button", name="Apply to selected").click()

    expect(page.locator(".toast--success")).to_have_text("Set 2 leads to Contacted.")
    assert set(Lead.objects.filter(pk__in=[first, second]).values_list("status", flat=True)) == {"CONTACTED"}
    if untouched is not None:
        assert Lead.objects.get(pk=untouched.pk).status == untouched.status
    expect(page).to_have_url(re.compile(r"status=NEW"))  # back on the same view, without them now
    expect(page.locator(f'tr[data-lead-id="{first}"]')).to_have_count(0)

    target = shown_ids(page)[0]
    page.locator(f'tr[data-lead-id="{target}"] input[type="checkbox"]').check()
    bulk.get_by_label("Action").select_option(label="Assign to…")
    bulk.get_by_label("Assignee").select_option(label=rep.name)
    bulk.get_by_role("button", name="Apply to selected").click()

    expect(page.locator(".toast--success")).to_have_text(f"Assigned 1 lead to {rep.name}.")
    assert Lead.objects.get(pk=target).assigned_to == rep
    assert Activity.objects.filter(lead_id=target, type=Activity.Type.ASSIGNED, actor=user).exists()
    assert csp_violations == []


def test_csv_export_downloads_the_current_view(page, demo):
    user, org = demo
    sign_in(page, viewport=DESKTOP)
    open_list(page, org)
    page.get_by_text("Filters", exact=True).click()
    filters(page).get_by_label("Status").select_option(label="Qualified")
    expect(page).to_have_url(re.compile(r"status=QUALIFIED"))
    page.locator("#lead-results thead").get_by_role("link", name="Value").click()
    expect(page).to_have_url(re.compile(r"ordering=-value"))

    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()

    assert re.fullmatch(r"leads-\d{4}-\d{2}-\d{2}\.csv", download.value.suggested_filename)
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))  # noqa: SIM115
    expected = org_leads(org).filter(status=LeadStatus.QUALIFIED).order_by(F("value").desc(nulls_last=True), "-id")
    assert [row[0] for row in rows[1:]] == [lead.pk for lead in expected]


def test_a_saved_view_comes_back_and_can_be_deleted(page, demo):
    user, org = demo
    sign_in(page, viewport=DESKTOP)
    open_list(page, org, "status=QUALIFIED&ordering=-value")
    expected = shown_ids(page)

    page.locator("summary", has_text="Save view").click()
    page.get_by_label("Save these filters as").fill("Qualified by value")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".toast--success")).to_have_text("Saved the view “Qualified by value”.")
    assert SavedView.objects.get(user=user).query == "status=QUALIFIED&ordering=-value"
    page.get_by_role("link", name="All leads").click()
    expect(page.locator("[data-total]")).to_have_text(str(org_leads(org).count()))

    page.get_by_role("navigation", name="Saved views").get_by_role("link", name="Qualified by value").click()
    expect(page).to_have_url(re.compile(r"status=QUALIFIED&ordering=-value"))
    assert shown_ids(page) == expected
    expect(page.get_by_role("link", name="Qualified by value")).to_have_class(re.compile("is-active"))

    page.get_by_role("button", name="Delete the saved view Qualified by value").click()
    expect(page.locator(".toast--success")).to_have_text("Deleted the saved view.")
    assert not SavedView.objects.exists()


def test_the_header_search_finds_a_contact_and_opens_their_page(page, demo, screenshot, csp_violations):
    user, org = demo
    lead = org_leads(org).select_related("contact").order_by("created_at").first()
    word = lead.contact.email.split("@")[0]
    sign_in(page, viewport=DESKTOP)

    page.get_by_role("searchbox", name="Search leads and contacts").press_sequentially(word, delay=30)
    results = page.locator("#global-search-results")
    expect(results.locator(f'[data-search-lead="{lead.pk}"]')).to_contain_text(lead.stage.name)
    results.locator(f'[data-search-contact="{lead.contact_id}"]').click()

    expect(page.get_by_role("heading", name=lead.contact.name, level=1)).to_be_visible()
    expect(page.locator(f'tr[data-lead-id="{lead.pk}"]')).to_be_visible()
    page.get_by_label("Phone").fill("+1 555 0100")
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator(".toast--success")).to_have_text("Contact saved.")
    lead.contact.refresh_from_db()
    assert lead.contact.phone == "+1 555 0100"
    screenshot(page, "contact-desktop")
    assert csp_violations == []


def test_on_a_phone_the_list_and_contact_page_never_scroll_sideways(page, demo, screenshot):
    user, org = demo
    long_name = org_leads(org).select_related("contact").first().contact
    long_name.name = "Maximiliana Bartholomew-Featherstonehaugh Vandersteen"
    long_name.save()
    sign_in(page, viewport=PHONE)

    open_list(page, org)
    no_sideways_scroll(page)
    expect(page.locator("#lead-results tbody tr").first).to_be_visible()
    screenshot(page, "leads-list-phone")

    page.get_by_text("Filters", exact=True).click()
    no_sideways_scroll(page)
    page.get_by_role("searchbox", name="Search leads and contacts").click()
    no_sideways_scroll(page)

    page.goto(f"/app/{org.pk}/contacts/{long_name.pk}/")
    expect(page.get_by_role("heading", name=long_name.name, level=1)).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "contact-phone")


def test_on_a_phone_a_bulk_action_and_sorting_work(page, demo):
    user, org = demo
    sign_in(page, viewport=PHONE)
    open_list(page, org, "status=NEW")
    target = shown_ids(page)[0]

    page.locator(f'tr[data-lead-id="{target}"] input[type="checkbox"]').check()
    bulk = page.get_by_role("form", name="Bulk actions on the selected leads")
    bulk.get_by_label("Action").select_option(label="Set status…")
    bulk.get_by_label("Status").select_option(label="Qualified")
    bulk.get_by_role("button", name="Apply to selected").click()

    expect(page.locator(".toast--success")).to_have_text("Set 1 lead to Qualified.")
    assert Lead.objects.get(pk=target).status == LeadStatus.QUALIFIED
    no_sideways_scroll(page)
    page.locator("#lead-results thead").get_by_role("link", name="Value").click()
    expect(page).to_have_url(re.compile(r"ordering=-value"))
    no_sideways_scroll(page)


def test_a_filter_the_list_refuses_shows_why_in_place(page, demo):
    user, org = demo
    sign_in(page, viewport=DESKTOP)
    open_list(page, org)

    page.get_by_text("Filters", exact=True).click()
    filters(page).get_by_label("Value from").fill("10.555")
    filters(page).get_by_label("Value from").dispatch_event("change")

    expect(page.locator("#lead-results [role=alert]")).to_have_text("minValue must have at most 2 decimal places")
    expect(page.locator("#lead-results tbody tr")).to_have_count(0)
