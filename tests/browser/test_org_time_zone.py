"""The organization's time zone in the real browser, at 1440×900 and 390×844: set in its settings, My work's
today follows it (a task just before midnight there is today, one just after is upcoming, whatever UTC says)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leads.selectors import org_day
from leads.tests.factories import LeadFactory, TaskFactory
from tests.browser.signing_in import ANY_ORG_PAGE, sign_in
from vchata.accounts.models import Organization
from vchata.accounts.tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
ZONE = "Asia/Karachi"  # UTC+5 all year: its midnight is 19:00 UTC


@pytest.mark.parametrize("size", list(SIZES))
def test_the_org_time_zone_is_set_in_settings_and_my_work_follows_it(page, screenshot, size):
    user = UserFactory(name="Ana Diaz", email="ana@example.com", password=PASSWORD)
    org = OrganizationFactory(owner=user)
    _, midnight_there = org_day(timezone.now(), ZONE)
    lead = LeadFactory(organization=org, assigned_to=user)
    TaskFactory(
        lead=lead, assigned_to=user, title="Before midnight there", due_at=midnight_there - timedelta(minutes=3)
    )
    TaskFactory(lead=lead, assigned_to=user, title="After midnight there", due_at=midnight_there + timedelta(minutes=3))
    sign_in(page, "ana@example.com", PASSWORD, viewport=SIZES[size], lands_on=ANY_ORG_PAGE)

    page.goto(f"/app/{org.pk}/settings/")
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value("UTC")
    assert page.locator('#id_time_zone option[value="Mars/Olympus"]').count() == 0
    zone.select_option(ZONE)
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.locator(".toast, .alert").first).to_contain_text("Settings saved.")
    assert Organization.objects.get(pk=org.pk).time_zone == ZONE
    expect(page.get_by_label("Time zone")).to_have_value(ZONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(f"/app/{org.pk}/my-work/")
    expect(page.locator("#work-today")).to_contain_text("Before midnight there")
    expect(page.locator("#work-upcoming")).to_contain_text("After midnight there")
    expect(page.locator("#work-today")).not_to_contain_text("After midnight there")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"my-work-time-zone-{size}")
