"""A sales rep's day in the real browser: sign in, work the board, a lead, a new lead, the dashboard.

Runs the pages in headless Chromium against the live server with the demo
data (``seed_demo``) and checks every change in the database.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from leads.management.commands.seed_demo import DEMO_EMAIL
from leads.models import Activity, Lead
from leads.services import create_lead_with_contact, move_lead_to_stage
from pipelines.models import Pipeline
from tests.browser.signing_in import sign_in
from vchata.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo():
    call_command("seed_demo", leads=24, stdout=open("/dev/null", "w"))  # noqa: SIM115 - a sink for the banner
    user = User.objects.get(email=DEMO_EMAIL)
    pipeline = Pipeline.objects.get(organization__memberships__user=user, is_default=True)
    return user, pipeline


@pytest.fixture
def csp_violations(page):
    """Content-Security-Policy violations the pages cause (there must be none)."""
    found = []
    page.on(
        "console", lambda message: found.append(message.text) if "Content Security Policy" in message.text else None
    )
    return found


def column(page, stage):
    return page.locator(f'.column[data-stage-id="{stage.pk}"]')


def first_lead_in(stage) -> Lead:
    return Lead.objects.filter(stage=stage).select_related("contact").order_by("-updated_at", "-id").first()


def test_sign_in_and_see_the_demo_board(page, demo, screenshot, csp_violations):
    user, pipeline = demo
    stages = list(pipeline.stages.order_by("order"))

    sign_in(page)

    expect(page.get_by_role("heading", name=pipeline.name, level=1)).to_be_visible()
    for stage in stages:
        heading = column(page, stage).get_by_role("heading", name=stage.name)
        expect(heading).to_be_visible()
        count = Lead.objects.filter(stage=stage).count()
        expect(column(page, stage).locator("[data-count]")).to_have_text(str(count))
    assert page.locator("[data-lead-id]").count() == Lead.objects.filter(pipeline=pipeline).count()
    screenshot(page, "board")
    assert csp_violations == []


def test_drag_a_card_to_the_next_column_saves_the_move(page, demo, csp_violations):
    user, pipeline = demo
    new, qualified = pipeline.stages.order_by("order")[:2]
    lead = first_lead_in(new)
    before = (Lead.objects.filter(stage=new).count(), Lead.objects.filter(stage=qualified).count())
    sign_in(page)

    card = page.locator(f'[data-lead-id="{lead.pk}"]')
    with page.expect_response(lambda response: "/move/" in response.url) as answer:
        card.drag_to(column(page, qualified).locator(".column__cards"))

    assert answer.value.status == 200
    lead.refresh_from_db()
    assert lead.stage == qualified
    activity = Activity.objects.filter(lead=lead, type=Activity.Type.STAGE_CHANGED).latest("created_at")
    assert activity.actor == user
    assert activity.metadata["toStageId"] == qualified.pk
    # Counts update in place, no reload.
    expect(column(page, new).locator("[data-count]")).to_have_text(str(before[0] - 1))
    expect(column(page, qualified).locator("[data-count]")).to_have_text(str(before[1] + 1))
    expect(column(page, qualified).locator(f'[data-lead-id="{lead.pk}"]')).to_be_visible()
    assert csp_violations == []


def test_a_failed_drop_puts_the_card_back_with_a_message(page, demo):
    user, pipeline = demo
    new, qualified = pipeline.stages.order_by("order")[:2]
    lead = first_lead_in(new)
    sign_in(page)
    # Someone deletes the lead while it is on this board.
    Lead.objects.filter(pk=lead.pk).delete()

    card = page.locator(f'[data-lead-id="{lead.pk}"]')
    with page.expect_response(lambda response: "/move/" in response.url):
        card.drag_to(column(page, qualified).locator(".column__cards"))

    expect(column(page, new).locator(f'[data-lead-id="{lead.pk}"]')).to_be_visible()
    expect(page.locator(".toast--error")).to_contain_text("no longer exists")


def test_move_a_card_with_the_keyboard(page, demo):
    user, pipeline = demo
    stages = list(pipeline.stages.order_by("order"))
    lead = first_lead_in(stages[0])
    sign_in(page)

    link = page.get_by_role("link", name=f"Move {lead.contact.name} to another stage")
    link.focus()
    page.keyboard.press("Enter")  # loads the plain "Move to…" form into the card, focused on its select
    select = page.get_by_label(f"Stage for {lead.contact.name}")
    expect(select).to_be_focused()
    select.select_option(label=stages[2].name)
    page.keyboard.press("Tab")  # the Move button
    expect(page.locator(f'[data-lead-id="{lead.pk}"]').get_by_role("button", name="Move", exact=True)).to_be_focused()
    with page.expect_response(lambda response: "/move/" in response.url):
        page.keyboard.press("Enter")

    lead.refresh_from_db()
    assert lead.stage == stages[2]
    expect(column(page, stages[2]).locator(f'[data-lead-id="{lead.pk}"]')).to_be_visible()
    assert Activity.objects.filter(lead=lead, type=Activity.Type.STAGE_CHANGED).exists()
    # Focus stays on the moved card, in its new column.
    expect(
        column(page, stages[2]).get_by_role("link", name=f"Move {lead.contact.name} to another stage")
    ).to_be_focused()


def test_move_to_works_without_javascript(chromium, live_server, demo):
    user, pipeline = demo
    stages = list(pipeline.stages.order_by("order"))
    lead = first_lead_in(stages[0])
    context = chromium.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    try:
        sign_in(page)
        page.get_by_role("link", name=f"Move {lead.contact.name} to another stage").click()
        page.get_by_label(f"Stage for {lead.contact.name}").select_option(label=stages[1].name)
        page.get_by_role("button", name="Move", exact=True).click()
        expect(page.locator(".toast--success")).to_contain_text(f"Moved {lead.contact.name} to {stages[1].name}")
        expect(column(page, stages[1]).locator(f'[data-lead-id="{lead.pk}"]')).to_be_visible()
    finally:
        context.close()
    lead.refresh_from_db()
    assert lead.stage == stages[1]


def test_create_a_lead_from_the_form(page, demo, screenshot):
    user, pipeline = demo
    sign_in(page)

    page.get_by_role("link", name="New lead").click()
    page.get_by_label("Contact name").fill("Margaret Hamilton")
    page.get_by_label("Email").fill("margaret@apollo.example")
    page.get_by_label("Company").fill("Apollo Guidance")
    page.get_by_label("Value").fill("7500")
    page.get_by_label("Source", exact=True).select_option(label="Referral")
    screenshot(page, "lead-new")
    page.get_by_role("button", name="Create lead").click()

    expect(page.get_by_role("heading", name="Margaret Hamilton", level=1)).to_be_visible()
    lead = Lead.objects.get(contact__email="margaret@apollo.example")
    assert (lead.pipeline, lead.value, lead.source, lead.assigned_to) == (pipeline, 7500, "referral", user)
    assert lead.contact.company == "Apollo Guidance"


def test_log_an_activity_on_the_lead_page(page, demo, screenshot):
    user, pipeline = demo
    lead = first_lead_in(pipeline.stages.order_by("order").first())
    sign_in(page)

    page.locator(f'[data-lead-id="{lead.pk}"]').get_by_role("link", name=lead.contact.name, exact=True).click()
    expect(page.get_by_role("heading", name=lead.contact.name, level=1)).to_be_visible()
    page.get_by_label("Type").select_option(label="Call")
    page.get_by_label("What happened").fill("Discussed the renewal; sending a quote")
    page.get_by_role("button", name="Log activity").click()

    timeline = page.locator(".timeline")
    expect(timeline.locator(".timeline__item").first).to_contain_text("Discussed the renewal; sending a quote")
    activity = Activity.objects.filter(lead=lead, type=Activity.Type.CALL).latest("created_at")
    assert (activity.description, activity.actor) == ("Discussed the renewal; sending a quote", user)
    screenshot(page, "lead")


def test_open_the_dashboard_and_see_the_figures(page, demo, screenshot, csp_violations):
    user, pipeline = demo
    sign_in(page)

    page.get_by_role("link", name="Analytics").click()

    expect(page.get_by_role("heading", name="Analytics", level=1)).to_be_visible()
    total = Lead.objects.filter(pipeline=pipeline).count()
    expect(page.locator('[data-stat="totalLeads"]')).to_have_text(str(total))
    converted = Lead.objects.filter(pipeline=pipeline, status="CONVERTED").count()
    expect(page.locator('[data-stat="convertedLeads"]')).to_have_text(str(converted))
    for heading in ("Sources", "Campaigns", "Funnel"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="website").first).to_be_visible()
    screenshot(page, "dashboard")
    assert csp_violations == []


def test_another_reps_move_and_new_lead_show_up_without_a_reload(page, demo):
    user, pipeline = demo
    stages = list(pipeline.stages.order_by("order"))
    lead = first_lead_in(stages[0])
    colleague = User.objects.get(email="sam@vchata.dev")
    sign_in(page)
    page.evaluate("window.__sameDocument = true")

    move_lead_to_stage(org=pipeline.organization, actor=colleague, lead_id=lead.pk, stage_id=stages[1].pk)
    fresh, _ = create_lead_with_contact(
        org=pipeline.organization, actor=colleague, contact={"name": "Katherine Johnson"}, pipeline=pipeline
    )

    expect(column(page, stages[1]).locator(f'[data-lead-id="{lead.pk}"]')).to_be_visible(timeout=12_000)
    expect(column(page, stages[0]).locator(f'[data-lead-id="{fresh.pk}"]')).to_be_visible(timeout=12_000)
    assert page.evaluate("window.__sameDocument") is True  # no reload happened


def test_board_on_a_phone_scrolls_columns_sideways(page, demo, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page)

    board = page.locator("#board")
    scroll_width, client_width = board.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert scroll_width > client_width
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # the page itself does not overflow
    screenshot(page, "board-phone")
