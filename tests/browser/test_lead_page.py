"""The lead page in the real browser, at 1440×900 and 390×844: its contact edited in place, one form for the
stage and the owner, a ticked task's entry without a reload, old entries in words, and the phone's order.

Every change is checked in the database; each test leaves a screenshot in artifacts/.
"""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from leads.models import Activity, Contact, Lead, LeadChange, Task
from leads.tests.factories import ContactFactory, LeadFactory, TaskFactory
from pipelines.models import LeadStatus
from tests.browser.signing_in import ANY_ORG_PAGE, sign_in
from vchata.accounts.tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def rep_lead():
    user = UserFactory(name="Ana Diaz", email="ana@example.com", password=PASSWORD)
    org = OrganizationFactory(owner=user)
    contacted = org.pipeline_set.get().stages.get(name="Contacted")
    contact = ContactFactory(organization=org, name="Grace Hopper", email="grace@example.com", phone="")
    lead = LeadFactory(organization=org, stage=contacted, contact=contact, value=Decimal("500"), assigned_to=None)
    return org, lead


def open_lead(page, org, lead, size):
    sign_in(page, "ana@example.com", PASSWORD, viewport=SIZES[size], lands_on=ANY_ORG_PAGE)
    page.goto(f"/app/{org.pk}/leads/{lead.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(lead.contact.name)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", list(SIZES))
def test_the_contact_is_edited_on_the_lead_page_and_the_edit_is_on_the_timeline(page, rep_lead, screenshot, size):
    org, lead = rep_lead
    ContactFactory(organization=org, email="taken@example.com")
    open_lead(page, org, lead, size)
    contact = page.locator("#contact")

    contact.get_by_label("Email").fill("taken@example.com")
    contact.get_by_role("button", name="Save contact").click()
    expect(page.locator("#contact_email_error")).to_have_text("A contact with this email already exists")
    assert Contact.objects.get(pk=lead.contact_id).email == "grace@example.com"
    assert not LeadChange.objects.filter(lead=lead, created=False).exists()

    contact = page.locator("#contact")
    contact.get_by_label("Name").fill("Grace B. Hopper")
    contact.get_by_label("Email").fill("grace.hopper@example.com")
    contact.get_by_label("Phone").fill("+1 555 0100")
    contact.get_by_role("button", name="Save contact").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Grace B. Hopper")
    newest = page.locator(".timeline .timeline__item").first
    expect(newest).to_contain_text("Contact edited")
    expect(newest).to_contain_text("Contact name Grace Hopper → Grace B. Hopper")
    expect(newest).to_contain_text("Email grace@example.com → grace.hopper@example.com")
    expect(newest).to_contain_text("Phone none → +1 555 0100")
    stored = Contact.objects.get(pk=lead.contact_id)
    assert (stored.name, stored.email, stored.phone) == ("Grace B. Hopper", "grace.hopper@example.com", "+1 555 0100")
    assert fits(page)
    screenshot(page, f"lead-contact-edit-{size}")

    page.locator("#contact").get_by_role("link", name="Contact page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace B. Hopper")
    assert page.url.endswith(f"/app/{org.pk}/contacts/{lead.contact_id}/")


@pytest.mark.parametrize("size", list(SIZES))
def test_old_demo_entries_read_in_words_not_codes(page, screenshot, size):
    call_command("seed_demo", leads=12, stdout=open("/dev/null", "w"))  # noqa: SIM115 - a sink for the banner
    old = Activity.objects.filter(type="STATUS_CHANGED", description__contains=" to ").select_related("lead")
    activity = old.order_by("created_at", "id").first()
    assert re.search(r"from [A-Z]+ to [A-Z]+", activity.description)  # what the demo stores
    # Only entries from before the lead's change records are the old ones: make this lead's history all old.
    LeadChange.objects.filter(lead=activity.lead).delete()
    sign_in(page, viewport=SIZES[size], lands_on=ANY_ORG_PAGE)
    page.goto(f"/app/{activity.organization_id}/leads/{activity.lead_id}/")

    timeline = page.locator("#timeline")
    expect(timeline.locator(".timeline__item").first).to_be_visible()
    text = timeline.inner_text()
    assert not re.search(r"\b(NEW|CONTACTED|QUALIFIED|PROPOSAL|CONVERTED|LOST)\b", text), text
    assert "Status changed from" not in text and "Moved from" not in text
    before, after = (LeadStatus(code).label for code in (activity.metadata["from"], activity.metadata["to"]))
    expect(timeline).to_contain_text(f"Status {before} → {after}")
    expect(timeline).to_contain_text("Lead created")
    assert fits(page)
    screenshot(page, f"lead-old-entries-{size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_one_form_moves_and_reassigns_with_an_entry_for_each(page, rep_lead, screenshot, size):
    org, lead = rep_lead
    bo = UserFactory(name="Bo Rep")
    MembershipFactory(organization=org, user=bo)
    open_lead(page, org, lead, size)
    work = page.locator("#work")

    work.get_by_label("Note with the move (optional)").fill("Booked a demo")
    work.get_by_role("button", name="Save stage and owner").click()  # a note with no move: refused, nothing saved
    expect(page.locator("#work_notes_error")).to_contain_text("A note goes with a move")
    assert LeadChange.objects.filter(lead=lead, created=False).count() == 0

    work = page.locator("#work")
    assert work.locator("form").count() == 1 and work.get_by_role("button").count() == 1
    work.get_by_label("Stage").select_option(label="Qualified")
    work.get_by_label("Assignee").select_option(label="Bo Rep")
    work.get_by_role("button", name="Save stage and owner").click()

    expect(page.locator(".lead-head__sub")).to_contain_text("in Qualified")
    items = page.locator(".timeline .timeline__item")
    expect(items.nth(0)).to_contain_text("Assigned to Bo Rep")
    expect(items.nth(1)).to_contain_text("Stage Contacted → Qualified")
    expect(items.nth(1)).to_contain_text("Booked a demo")
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.stage.name, stored.assigned_to_id) == ("Qualified", bo.pk)
    assert LeadChange.objects.filter(lead=lead, created=False).count() == 2
    assert fits(page)
    screenshot(page, f"lead-stage-owner-{size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_ticking_a_task_puts_its_entry_on_the_timeline_without_a_reload(page, rep_lead, screenshot, size):
    org, lead = rep_lead
    task = TaskFactory(lead=lead, title="Send the proposal", assigned_to=None)
    open_lead(page, org, lead, size)
    page.evaluate("window.notReloaded = true")
    expect(page.locator(".timeline .timeline__item").first).to_contain_text("Lead created")

    page.locator(f"#task-{task.pk}").get_by_role("checkbox").check()

    newest = page.locator(".timeline .timeline__item").first
    expect(newest).to_contain_text("Send the proposal")
    expect(page.locator(f"#task-{task.pk}")).to_have_class(re.compile(r"\bis-done\b"))
    assert page.evaluate("window.notReloaded === true")  # the same page, not a reload
    assert Task.objects.get(pk=task.pk).completed_at is not None
    assert fits(page)
    screenshot(page, f"lead-task-ticked-{size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_on_a_phone_edit_details_comes_before_the_timeline(page, rep_lead, screenshot, size):
    org, lead = rep_lead
    open_lead(page, org, lead, size)
    box = {name: page.locator(name).bounding_box() for name in ("#edit", "#contact", "#work", "#timeline", "#tasks")}

    if size == "phone":  # one column: the forms, then the timeline, then the facts
        assert box["#tasks"]["y"] < box["#edit"]["y"] < box["#contact"]["y"] < box["#work"]["y"] < box["#timeline"]["y"]
        history = page.locator("#history-title").bounding_box()
        assert history["y"] > box["#timeline"]["y"]
    else:  # two columns: the timeline in the main one, the edit form beside it at the top of the side
        assert box["#edit"]["x"] > box["#timeline"]["x"] + box["#timeline"]["width"]
        assert box["#edit"]["y"] <= box["#tasks"]["y"] + 1
    assert fits(page)
    screenshot(page, f"lead-order-{size}")


@pytest.mark.parametrize("size", list(SIZES))
def test_mark_lost_asks_why_and_the_deal_is_edited_on_the_page(page, rep_lead, screenshot, size):
    from leads.services import create_lost_reason

    org, lead = rep_lead
    create_lost_reason(org=org, actor=None, name="Too expensive")
    chosen = create_lost_reason(org=org, actor=None, name="Went with a competitor")
    open_lead(page, org, lead, size)

    form = page.locator("#edit form")  # "Edit details" is open
    form.get_by_label("Deal").fill("Website redesign")
    form.get_by_label("Expected close").fill("2027-03-31")
    form.get_by_label("Probability (%)").fill("40")
    form.get_by_role("button", name="Save details").click()
    expect(page.locator(".facts").first).to_contain_text("Website redesign")
    lead.refresh_from_db()
    assert (lead.title, str(lead.expected_close_date), lead.probability) == ("Website redesign", "2027-03-31", 40)

    page.locator(".mark-lost > summary").click()
    page.get_by_label("Why was it lost?").select_option(label="Went with a competitor")
    assert fits(page), "the reason form makes the page wider than the window"
    screenshot(page, f"lead-mark-lost-{size}")
    page.locator(".mark-lost__form").get_by_role("button", name="Mark lost").click()

    expect(page.locator(".lead-head__sub")).to_contain_text("Lost")
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason_id) == (LeadStatus.LOST, chosen.pk)
