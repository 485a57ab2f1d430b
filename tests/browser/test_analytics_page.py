"""The analytics page in a real Chromium at 1440×900 and 390×844: bars drawn to scale, numbers that fit
their tiles and cells (with a 12,345,678.90 lead), money in the org's currency, no sideways scrolling
on a phone, and a forecast panel with its months. Screenshots: artifacts/analytics-desktop.png and
artifacts/analytics-phone.png.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from playwright.sync_api import expect

from leads.models import Lead, LostReason
from leads.services import move_lead_to_stage
from leads.tests.factories import LeadFactory
from vchata.accounts.models import Membership
from vchata.accounts.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
BIG = Decimal("12345678.90")


def month_keys(today: date, count: int) -> list[str]:
    keys, year, month = [], today.year, today.month
    for _ in range(count):
        keys.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


@pytest.fixture
def sales(org, stages):
    """This week 5 leads created, last week 3, the week before 1; two converted, three lost; one huge deal."""
    by_name = {stage.name: stage for stage in stages}
    today = datetime.now(UTC).date()
    rep = MembershipFactory(
        organization=org,
        user=UserFactory(name="Maximiliana Bartholomew-Featherstonehaugh"),
        role=Membership.Role.MEMBER,
    ).user
    price = LostReason.objects.create(organization=org, name="Price too high for this quarter's budget", order=0)
    timing = LostReason.objects.create(organization=org, name="Timing", order=1)

    leads = [
        LeadFactory(
            organization=org,
            assigned_to=rep if n % 2 else None,
            value=BIG if n == 0 else Decimal(1000 * (n + 1)),
            source=("website", "referral", "cold_outreach")[n % 3],
            expected_close_date=today + timedelta(days=35 * (n % 4)),
            stage=by_name["Qualified"] if n % 3 else by_name["New"],
        )
        for n in range(9)
    ]
    monday = datetime.combine(today - timedelta(days=today.weekday()), datetime.min.time(), tzinfo=UTC)
    for n, lead in enumerate(leads[5:8]):
        Lead.objects.filter(pk=lead.pk).update(created_at=monday - timedelta(days=6 - n))  # last week
    Lead.objects.filter(pk=leads[8].pk).update(created_at=monday - timedelta(days=10))  # the week before
    for lead in leads[1:3]:
        move_lead_to_stage(org=org, actor=None, lead_id=lead.pk, stage_id=by_name["Converted"].pk)
    for lead, reason in ((leads[3], price), (leads[4], price), (leads[5], timing)):
        move_lead_to_stage(org=org, actor=None, lead_id=lead.pk, stage_id=by_name["Lost"].pk, lost_reason=reason)
    return today


def open_dashboard(page, live_server, user, org, viewport: str):
    client = Client()
    client.force_login(user)
    page.set_viewport_size(VIEWPORTS[viewport])
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    response = page.goto(f"/app/{org.pk}/analytics/")
    assert response.status == 200
    expect(page.get_by_role("heading", name="Analytics", level=1)).to_be_visible()


WIDER_THAN_THE_VIEWPORT = """selector => [...document.querySelectorAll(selector)]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map(e => `${e.tagName}.${e.className}: ${Math.round(e.getBoundingClientRect().right)}px`)"""


def overflowing(page, selector: str) -> list[str]:
    """Elements matching ``selector`` whose content is wider than their box (by more than rounding)."""
    return page.eval_on_selector_all(
        selector,
        """els => els.filter(e => e.scrollWidth > e.clientWidth + 1)
                     .map(e => `${e.className || e.tagName}: ${e.textContent.trim().slice(0, 40)} `
                             + `(${e.scrollWidth} > ${e.clientWidth})`)""",
    )


def bars_and_counts(page, bar_selector: str, count_selector: str) -> list[tuple[float, int]]:
    """(drawn width, shown count) of each bar of a chart, read from the page."""
    rows = page.locator(bar_selector)
    counts = page.locator(count_selector)
    assert rows.count() == counts.count() > 0
    return [
        (rows.nth(i).bounding_box()["width"], int(counts.nth(i).inner_text().replace(",", "")))
        for i in range(rows.count())
    ]


def assert_proportional(pairs: list[tuple[float, int]]) -> None:
    """Width ratio equals count ratio within a pixel: each width is count ÷ largest count × largest width."""
    widest, most = max(width for width, _ in pairs), max(count for _, count in pairs)
    assert most > 0 and widest > 0
    for width, count in pairs:
        assert abs(width - count / most * widest) <= 1, (pairs, width, count)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_analytics_page_holds_at_any_size(page, live_server, user, org, sales, viewport, screenshot):
    today = sales
    open_dashboard(page, live_server, user, org, viewport)

    # No sideways scrolling: nothing reaches past the viewport's right edge, header included.
    assert page.evaluate(WIDER_THAN_THE_VIEWPORT, "main *") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth")

    # Numbers fit: no tile, table cell or outcome box is wider inside than out, with a 12,345,678.90 lead.
    assert overflowing(page, ".tile, .tile__value, .tile__note") == []
    assert overflowing(page, ".panel th, .panel td, .outcome, .funnel__step > *") == []
    assert overflowing(page, ".panel") == []

    # Money in the org's currency: compact where space is short, the exact amount on hover.
    total = page.locator('[data-stat="totalValue"]')
    expect(total).to_have_text("$12.4M")
    expect(total).to_have_attribute("title", "$12,389,678.90")

    # The forecast panel lists the six months from this one; this month the huge deal and a 9,000 one.
    forecast = page.locator('[data-panel="forecast"]')
    expect(forecast.get_by_role("heading", name="Forecast")).to_be_visible()
    months = forecast.locator("tbody tr")
    expect(months).to_have_count(6)
    assert [months.nth(i).get_attribute("data-month") for i in range(6)] == month_keys(today, 6)
    this_month = forecast.locator(f'tr[data-month="{today:%Y-%m}"]')
    expect(this_month.locator("th")).to_have_text(today.strftime("%b %Y"))
    expect(this_month.locator('[data-figure="totalValue"] span')).to_have_attribute("title", "$12,354,678.90")

    # Leads over time: this week 5 created and 2 converted, last week 3, the week before 1.
    weeks = page.locator('[data-panel="weeks"] tbody tr')
    expect(weeks).to_have_count(12)
    counts = [
        (
            int(weeks.nth(i).locator('[data-count="created"]').inner_text()),
            int(weeks.nth(i).locator('[data-count="converted"]').inner_text()),
        )
        for i in range(12)
    ]
    assert counts[-3:] == [(1, 0), (3, 0), (5, 2)]
    both = bars_and_counts(
        page, '[data-panel="weeks"] [data-bar]', '[data-panel="weeks"] [data-count]'
    )  # created and converted share one scale
    assert_proportional(both)

    # Win/loss: 2 won, 3 lost, two for the price; bars to scale.
    winloss = page.locator('[data-panel="win-loss"]')
    expect(winloss.locator('[data-outcome="wonCount"]')).to_have_text("2")
    expect(winloss.locator('[data-outcome="lostCount"]')).to_have_text("3")
    assert_proportional(
        bars_and_counts(page, '[data-panel="win-loss"] [data-bar]', '[data-panel="win-loss"] .bar-cell__num')
    )

    # Per rep: the rep and the unassigned leads, the long name whole.
    reps = page.locator('[data-panel="reps"] tbody tr')
    expect(reps).to_have_count(2)
    expect(reps.first.locator("th")).to_have_text("Maximiliana Bartholomew-Featherstonehaugh")

    # The older charts keep their proportions too.
    sources = page.locator('section[aria-labelledby="sources-title"]')
    assert_proportional(
        bars_and_counts(
            page,
            'section[aria-labelledby="sources-title"] [data-bar]',
            'section[aria-labelledby="sources-title"] .bar-cell__num',
        )
    )
    expect(sources.get_by_role("row").filter(has_text="website")).to_be_visible()

    screenshot(page, f"analytics-{viewport}")
