"""The board on a touch phone (390×844, has_touch): stage tabs with counts that scroll to their column, and
touch drag (press and hold a card, drag it onto a stage tab or a column, lift) sending the desktop drag's move.

Touch gestures are pointer events with ``pointerType: "touch"`` (what a finger sends), dispatched at points
on the page; every move is checked in the database. At 1440×900 there are no tabs (every column shows).
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from leads.management.commands.seed_demo import DEMO_EMAIL
from leads.models import Lead
from pipelines.models import Pipeline
from tests.browser.signing_in import sign_in
from vchata.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}

SNAPPED_AT = """b => {
  const columns = [...b.querySelectorAll('.column')];
  const step = columns[1].offsetLeft - columns[0].offsetLeft;
  return b.scrollLeft / step;
}"""

TOUCH = """([type, x, y]) => {
  const target = document.elementFromPoint(x, y) || document.body;
  target.dispatchEvent(new PointerEvent(type, {
    bubbles: true, cancelable: true, pointerType: "touch", pointerId: 7, isPrimary: true, clientX: x, clientY: y
  }));
}"""


@pytest.fixture
def demo():
    call_command("seed_demo", leads=24, stdout=open("/dev/null", "w"))  # noqa: SIM115 - a sink for the banner
    user = User.objects.get(email=DEMO_EMAIL)
    return Pipeline.objects.get(organization__memberships__user=user, is_default=True)


@pytest.fixture
def touch_page(chromium, live_server):
    context = chromium.new_context(viewport=PHONE, has_touch=True, is_mobile=True, base_url=live_server.url)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def centre(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_stage_tabs_show_counts_and_a_tap_scrolls_to_that_column_snapped(touch_page, demo, screenshot):
    page = touch_page
    stages = list(demo.stages.order_by("order"))
    sign_in(page)
    tabs = page.locator(".board-tabs__tab")
    expect(tabs).to_have_count(len(stages))
    for tab, stage in zip(tabs.all(), stages, strict=True):
        expect(tab).to_contain_text(stage.name)
        expect(tab.locator("[data-tab-count]")).to_have_text(str(Lead.objects.filter(stage=stage).count()))

    tabs.nth(2).tap()
    board = page.locator("#board")
    page.wait_for_function(
        "() => Math.abs(document.querySelector('#board').scrollLeft - "
        "(document.querySelectorAll('.column')[2].offsetLeft - document.querySelectorAll('.column')[0].offsetLeft))"
        " < 1"
    )
    page.wait_for_timeout(300)
    assert abs(board.evaluate(SNAPPED_AT) - 2) < 0.01  # resting on the third column, not between two
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "board-tabs-phone")


def test_press_and_hold_then_drag_onto_a_tab_moves_the_lead(touch_page, demo, screenshot):
    page = touch_page
    stages = list(demo.stages.order_by("order"))
    lead = Lead.objects.filter(stage=stages[0]).select_related("contact").order_by("-updated_at", "-id").first()
    before = {stage.pk: Lead.objects.filter(stage=stage).count() for stage in stages[:2]}
    sign_in(page)
    card = page.locator(f'.card[data-lead-id="{lead.pk}"]')
    x, y = centre(card)
    tab_x, tab_y = centre(page.locator(f'.board-tabs__tab[data-stage-id="{stages[1].pk}"]'))

    # A finger that moves at once is scrolling: nothing is picked up.
    page.evaluate(TOUCH, ["pointerdown", x, y])
    page.evaluate(TOUCH, ["pointermove", x + 40, y])
    page.wait_for_timeout(500)
    expect(card).not_to_have_class(re.compile(r"\bis-dragging\b"))
    page.evaluate(TOUCH, ["pointerup", x + 40, y])

    # Held still, then dragged onto the next stage's tab and lifted.
    page.evaluate(TOUCH, ["pointerdown", x, y])
    page.wait_for_timeout(500)
    expect(card).to_have_class(re.compile(r"\bis-dragging\b"))
    page.evaluate(TOUCH, ["pointermove", (x + tab_x) / 2, (y + tab_y) / 2])
    page.evaluate(TOUCH, ["pointermove", tab_x, tab_y])
    expect(page.locator(f'.board-tabs__tab[data-stage-id="{stages[1].pk}"]')).to_have_class(
        re.compile(r"\bis-drop-target\b")
    )
    with page.expect_response(lambda response: "/move/" in response.url and response.request.method == "POST"):
        page.evaluate(TOUCH, ["pointerup", tab_x, tab_y])

    expect(page.locator(f'#col-cards-{stages[1].pk} .card[data-lead-id="{lead.pk}"]')).to_be_visible()
    assert Lead.objects.get(pk=lead.pk).stage_id == stages[1].pk
    expect(page.locator(f'.board-tabs__tab[data-stage-id="{stages[1].pk}"] [data-tab-count]')).to_have_text(
        str(before[stages[1].pk] + 1)
    )
    expect(page.locator(f'.board-tabs__tab[data-stage-id="{stages[0].pk}"] [data-tab-count]')).to_have_text(
        str(before[stages[0].pk] - 1)
    )
    assert abs(page.locator("#board").evaluate(SNAPPED_AT) - round(page.locator("#board").evaluate(SNAPPED_AT))) < 0.01
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "board-touch-drag-phone")


def test_the_desktop_board_has_no_tabs(page, demo):
    page.set_viewport_size(DESKTOP)
    sign_in(page)
    expect(page.locator(".column").first).to_be_visible()
    expect(page.locator(".board-tabs")).to_be_hidden()
