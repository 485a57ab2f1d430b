"""A rep's day in the real browser, at 1440×900 and 390×844: tasks on cards, the lead page and My work.

Headless Debian Chromium against the live server with the demo data; every
change is checked in the database, and each step leaves screenshots in artifacts/.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from leads.management.commands.seed_demo import DEMO_EMAIL
from leads.models import Activity, Lead, Task
from leads.tests.factories import TaskFactory
from pipelines.models import Pipeline
from tests.browser.signing_in import sign_in, submit_sign_in
from vchata.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
DANGER = "rgb(185, 28, 28)"  # --danger


@pytest.fixture
def demo():
    call_command("seed_demo", leads=24, stdout=open("/dev/null", "w"))  # noqa: SIM115 - a sink for the banner
    user = User.objects.get(email=DEMO_EMAIL)
    pipeline = Pipeline.objects.get(organization__memberships__user=user, is_default=True)
    return user, pipeline


def card(page, lead):
    return page.locator(f'.card[data-lead-id="{lead.pk}"]')


def first_lead_in(stage) -> Lead:
    return Lead.objects.filter(stage=stage).select_related("contact").order_by("-updated_at", "-id").first()


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('.board'))
  .slice(0, 8).map(e => `${e.tagName}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`)"""


def overflowing(page) -> list[str]:
    """What sticks out past the right edge of the window (the board's own scroller aside), for failure messages."""
    return page.evaluate(WIDEST)


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_task_made_on_a_cards_lead_shows_on_the_card_and_is_ticked_off_in_my_work(page, demo, screenshot, size):
    user, pipeline = demo
    page.set_viewport_size(SIZES[size])
    lead = first_lead_in(pipeline.stages.order_by("order").first())
    Task.objects.filter(lead=lead).delete()
    tomorrow = (timezone.now() + timedelta(days=1)).astimezone(UTC).date()
    sign_in(page)

    card(page, lead).get_by_role("link", name=lead.contact.name, exact=True).click()
    expect(page.get_by_role("heading", name=lead.contact.name, level=1)).to_be_visible()
    tasks = page.locator("#tasks")
    tasks.get_by_label("Task", exact=True).select_option(label="Call")
    tasks.get_by_label("Next step").fill("Call about the renewal")
    tasks.get_by_label("Due").fill(f"{tomorrow.isoformat()}T10:00")
    tasks.get_by_role("button", name="Add task").click()

    expect(tasks.locator(".task").filter(has_text="Call about the renewal")).to_be_visible()
    task = Task.objects.get(lead=lead, title="Call about the renewal")
    assert (task.type, task.assigned_to, task.completed_at) == ("CALL", lead.assigned_to or user, None)
    assert task.due_at == datetime.combine(tomorrow, datetime.min.time(), tzinfo=UTC).replace(hour=10)
    assert no_horizontal_overflow(page), overflowing(page)
    screenshot(page, f"lead-tasks-{size}")

    page.get_by_role("link", name=re.compile(rf"← {re.escape(pipeline.name)}")).click()
    expect(card(page, lead).locator(".card__task")).to_have_text("Call · tomorrow 10:00")
    screenshot(page, f"board-tasks-{size}")

    if task.assigned_to != user:  # My work is the signed-in rep's: make it theirs
        Task.objects.filter(pk=task.pk).update(assigned_to=user)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()
    row = page.locator("#work-upcoming .task").filter(has_text="Call about the renewal")
    expect(row).to_contain_text(lead.contact.name)
    row.get_by_role("checkbox").check()

    expect(page.locator(f"#task-{task.pk}.is-done")).to_be_visible()
    expect(page.locator(".toast--success").last).to_contain_text("Done: Call about the renewal")
    task.refresh_from_db()
    assert task.completed_at is not None
    assert Activity.objects.filter(lead=lead, type=Activity.Type.TASK, metadata__taskId=task.pk).count() == 1
    assert no_horizontal_overflow(page), overflowing(page)
    screenshot(page, f"my-work-ticked-{size}")

    page.goto(f"/app/{pipeline.organization_id}/pipelines/{pipeline.pk}/")
    expect(card(page, lead).locator(".card__task")).to_have_count(0)


def test_an_overdue_task_is_red_on_its_card(page, demo):
    user, pipeline = demo
    page.set_viewport_size(DESKTOP)
    lead = first_lead_in(pipeline.stages.order_by("order").first())
    Task.objects.filter(lead=lead).delete()
    TaskFactory(lead=lead, type=Task.Type.EMAIL, title="Send the quote", due_at=timezone.now() - timedelta(days=1))
    sign_in(page)

    flag = card(page, lead).locator(".card__task")
    expect(flag).to_contain_text("Overdue")
    expect(flag).to_contain_text("Email · yesterday")
    assert flag.evaluate("e => getComputedStyle(e).color") == DANGER


@pytest.mark.parametrize("size", sorted(SIZES))
def test_board_header_shows_total_and_weighted_value_and_long_names_end_in_an_ellipsis(page, demo, screenshot, size):
    user, pipeline = demo
    page.set_viewport_size(SIZES[size])
    lead = first_lead_in(pipeline.stages.order_by("order").first())
    long_name = "Maximiliana Alexandrovna Featherstonehaugh-Wolfeschlegelsteinhausen"
    type(lead.contact).objects.filter(pk=lead.contact_id).update(name=long_name)
    sign_in(page)

    header = page.locator("#board-total")
    expect(header.locator("[data-board-total]")).to_contain_text(re.compile(r"Total\s+\$[\d.,]+K?"))
    expect(header.locator("[data-board-weighted]")).to_contain_text(re.compile(r"Weighted\s+\$[\d.,]+K?"))
    first_column = page.locator(".column").first
    expect(first_column.locator("[data-weighted]")).to_contain_text(re.compile(r"Weighted \$"))
    name = card(page, lead).locator(".card__title a")
    expect(name).to_have_attribute("title", long_name)
    cut, overflow, inside = name.evaluate(
        """a => [a.scrollWidth > a.clientWidth, getComputedStyle(a).textOverflow,
                 a.getBoundingClientRect().right <= a.closest('.card').getBoundingClientRect().right]"""
    )
    assert (cut, overflow, inside) == (True, "ellipsis", True)
    assert no_horizontal_overflow(page), overflowing(page)
    screenshot(page, f"board-values-{size}")


def test_a_session_that_ends_under_an_open_board_says_so_and_signing_in_returns_to_the_same_view(page, demo):
    user, pipeline = demo
    page.set_viewport_size(DESKTOP)
    new, qualified = pipeline.stages.order_by("order")[:2]
    lead = Lead.objects.filter(stage=new, source="referral").select_related("contact").first()
    sign_in(page)
    filtered = f"/app/{pipeline.organization_id}/pipelines/{pipeline.pk}/?source=referral"
    page.goto(filtered)
    expect(card(page, lead)).to_be_visible()

    page.context.clear_cookies()  # as if signed out in another tab
    with page.expect_response(lambda response: "/move/" in response.url) as answer:
        card(page, lead).drag_to(page.locator(f'.column[data-stage-id="{qualified.pk}"] .column__cards'))

    assert answer.value.status == 401
    banner = page.locator("#session-ended")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Your session ended — sign in again")
    # The drag is not silently lost: the card is back where it was, and the page says why.
    expect(page.locator(f'.column[data-stage-id="{new.pk}"] .card[data-lead-id="{lead.pk}"]')).to_be_visible()
    expect(page.locator(".toast--error").last).to_contain_text("was not moved: your session ended")
    lead.refresh_from_db()
    assert lead.stage == new
    assert page.url.endswith(filtered)  # still on the board, not silently on /login

    banner.get_by_role("link", name="Sign in again").click()
    submit_sign_in(page)

    page.wait_for_url(re.compile(re.escape(filtered) + "$"))
    expect(page.get_by_label("Source")).to_have_value("referral")
    expect(page.locator("#session-ended")).to_be_hidden()


def test_the_boards_poll_after_the_session_ended_shows_the_message_and_stops(page, demo):
    user, pipeline = demo
    page.set_viewport_size(PHONE)
    sign_in(page)
    board = page.url

    page.context.clear_cookies()
    with page.expect_response(lambda response: "/changes/" in response.url, timeout=8_000) as poll:
        pass

    assert poll.value.status == 401
    expect(page.locator("#session-ended")).to_be_visible()
    link = page.locator("#session-ended").get_by_role("link", name="Sign in again")
    expect(link).to_have_attribute("href", re.compile(r"^/login\?next=/app/"))
    polls = []
    page.on("request", lambda request: polls.append(request.url) if "/changes/" in request.url else None)
    page.wait_for_timeout(9_000)  # two poll intervals
    assert polls == []
    assert page.url == board
    assert no_horizontal_overflow(page), overflowing(page)


PLACEHOLDER_FITS = """i => {
  const style = getComputedStyle(i);
  const pen = document.createElement('canvas').getContext('2d');
  pen.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = i.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return pen.measureText(i.placeholder).width <= room;
}"""


@pytest.mark.parametrize("size", sorted(SIZES))
def test_board_search_filters_as_you_type_and_its_placeholder_fits(page, demo, screenshot, size):
    user, pipeline = demo
    page.set_viewport_size(SIZES[size])
    lead = first_lead_in(pipeline.stages.order_by("order").first())
    word = lead.contact.name.split()[-1]
    matching = Lead.objects.filter(pipeline=pipeline, contact__name__icontains=word).count()
    sign_in(page)
    page.evaluate("window.__sameDocument = true")

    search = page.locator("#board-filters").get_by_role("searchbox", name="Search")
    expect(search).to_have_attribute("placeholder", "Search name, email, company")
    assert search.evaluate(PLACEHOLDER_FITS)
    expect(page.get_by_role("button", name="Apply")).to_be_hidden()
    with page.expect_response(lambda response: f"q={word}" in response.url):
        search.press_sequentially(word, delay=40)

    expect(page.locator(".card[data-lead-id]")).to_have_count(matching)
    expect(card(page, lead)).to_be_visible()
    expect(page.locator("#board-total .pill")).to_contain_text("match")
    assert f"q={word}" in page.url  # the filtered view has its own address
    assert page.evaluate("window.__sameDocument") is True  # no page load
    assert no_horizontal_overflow(page), overflowing(page)
    screenshot(page, f"board-search-{size}")

    page.get_by_label("Source").select_option("website")
    expected = Lead.objects.filter(pipeline=pipeline, contact__name__icontains=word, source="website").count()
    expect(page.locator(".card[data-lead-id]")).to_have_count(expected)


@pytest.mark.parametrize("size", sorted(SIZES))
def test_new_lead_form_errors_leave_their_rows_inputs_alone_and_source_is_a_labelled_dropdown(
    page, demo, screenshot, size
):
    user, pipeline = demo
    page.set_viewport_size(SIZES[size])
    sign_in(page)
    page.get_by_role("link", name="New lead").click()
    email = page.get_by_label("Email")
    before = email.bounding_box()["height"]

    page.get_by_role("button", name="Create lead").click()

    expect(page.locator(".field--error").first).to_contain_text("This field is required")
    heights = {label: page.get_by_label(label, exact=True).bounding_box()["height"] for label in ("Email", "Phone")}
    assert heights == {"Email": before, "Phone": before}
    name_box = page.get_by_label("Contact name").bounding_box()
    assert name_box["height"] == before  # the error sits below its input, the input keeps its size
    source = page.get_by_label("Source", exact=True)
    assert source.evaluate("e => e.tagName") == "SELECT"
    expect(source.locator("option", has_text="Cold outreach")).to_have_attribute("value", "cold_outreach")
    assert no_horizontal_overflow(page), overflowing(page)
    screenshot(page, f"lead-new-errors-{size}")

    page.get_by_label("Contact name").fill("Grace Hopper")
    source.select_option(label="Cold outreach")
    page.get_by_role("button", name="Create lead").click()
    expect(page.get_by_role("heading", name="Grace Hopper", level=1)).to_be_visible()
    assert Lead.objects.get(contact__name="Grace Hopper").source == "cold_outreach"
    expect(page.locator(".facts dd", has_text="Cold outreach")).to_be_visible()


SNAPPED = """b => {
  const columns = [...b.querySelectorAll('.column')];
  const step = columns[1].offsetLeft - columns[0].offsetLeft;
  return [b.scrollLeft, step, b.scrollLeft % step < 1 || step - (b.scrollLeft % step) < 1];
}"""


def test_move_to_on_a_phone_offers_the_next_stage_without_jumping_and_the_board_stays_on_a_column(
    page, demo, screenshot
):
    user, pipeline = demo
    page.set_viewport_size(PHONE)
    stages = list(pipeline.stages.order_by("order"))
    lead = first_lead_in(stages[0])
    sign_in(page)
    board = page.locator("#board")
    before = board.evaluate("b => b.scrollLeft")

    card(page, lead).get_by_role("link", name=f"Move {lead.contact.name} to another stage").click()
    select = page.get_by_label(f"Stage for {lead.contact.name}")
    expect(select).to_have_value(stages[1].pk)
    assert board.evaluate("b => b.scrollLeft") == before  # the board did not jump sideways
    screenshot(page, "board-move-phone")
    with page.expect_response(lambda response: "/move/" in response.url):
        card(page, lead).get_by_role("button", name="Move", exact=True).click()

    lead.refresh_from_db()
    assert lead.stage == stages[1]
    page.wait_for_timeout(600)
    assert board.evaluate(SNAPPED)[2]
    board.evaluate("b => b.scrollBy({left: 130, behavior: 'instant'})")  # a short swipe
    page.wait_for_timeout(800)
    assert board.evaluate(SNAPPED)[2], board.evaluate(SNAPPED)
    assert no_horizontal_overflow(page), overflowing(page)
