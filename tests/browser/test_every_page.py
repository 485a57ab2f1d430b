"""Every page of the app at 1440×900 and 390×844 on the demo data: nothing wider than the window, a screenshot each.

Saves artifacts/<page>-desktop.png and artifacts/<page>-phone.png from the test run.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from leads.models import Lead
from tests.browser.signing_in import sign_in
from tests.browser.test_rep_day import SIZES, demo, overflowing  # noqa: F401 - demo is a fixture

pytestmark = pytest.mark.django_db(transaction=True)


def urls(user, pipeline) -> dict:
    org = pipeline.organization_id
    lead = Lead.objects.filter(pipeline=pipeline).order_by("created_at", "id").first()
    return {
        "board": reverse("board", kwargs={"org_id": org, "pipeline_id": pipeline.pk}),
        "lead": reverse("lead-detail", kwargs={"org_id": org, "lead_id": lead.pk}),
        "lead-new": reverse("lead-new", kwargs={"org_id": org}),
        "my-work": reverse("my-work", kwargs={"org_id": org}),
        "analytics": reverse("analytics-dashboard", kwargs={"org_id": org}),
        "settings": reverse("org-settings", kwargs={"org_id": org}),
        "members": reverse("org-members", kwargs={"org_id": org}),
        "leads": reverse("lead-list", kwargs={"org_id": org}),
        "contact": reverse("contact-detail", kwargs={"org_id": org, "contact_id": lead.contact_id}),
        "login": reverse("login"),
    }


PAGES = ("board", "lead", "lead-new", "my-work", "analytics", "settings", "members", "leads", "contact", "login")


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("name", PAGES)
def test_every_page_fits_the_window(page, demo, screenshot, name, size):  # noqa: F811 - the demo fixture
    user, pipeline = demo
    page.set_viewport_size(SIZES[size])
    if name != "login":
        sign_in(page)

    response = page.goto(urls(user, pipeline)[name])

    assert response.status == 200
    expect(page.locator("h1").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"{name}-{size}")
    assert fits, overflowing(page)
