"""The lead page's timeline in the real browser: a value edit and Mark converted, each one entry in words."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from leads.models import Lead, LeadChange
from leads.tests.factories import LeadFactory
from pipelines.models import LeadStatus
from tests.browser.signing_in import ANY_ORG_PAGE, sign_in
from vchata.accounts.tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def rep_lead():
    user = UserFactory(name="Ana Diaz", email="ana@example.com", password=PASSWORD)
    org = OrganizationFactory(owner=user)
    contacted = org.pipeline_set.get().stages.get(name="Contacted")
    lead = LeadFactory(organization=org, stage=contacted, value=Decimal("500"), source="website")
    return org, lead


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_a_value_edit_and_mark_converted_read_in_plain_words(page, rep_lead, screenshot, device):
    org, lead = rep_lead
    sign_in(page, "ana@example.com", PASSWORD, viewport=VIEWPORTS[device], lands_on=ANY_ORG_PAGE)
    page.goto(f"/app/{org.pk}/leads/{lead.pk}/")
    expect(page.get_by_role("heading", name=lead.contact.name, level=1)).to_be_visible()

    edit = page.locator("#edit")
    expect(edit).to_have_attribute("open", "")  # open near the top of the page, no click needed
    edit.get_by_label("Value").fill("12500")
    edit.get_by_role("button", name="Save details").click()

    newest = page.locator(".timeline .timeline__item").first
    expect(newest).to_contain_text("Value $500 → $12,500")
    expect(newest).to_contain_text("just now")

    page.get_by_role("button", name="Mark converted").click()

    expect(page.locator(".lead-head__sub")).to_contain_text("Converted")
    newest = page.locator(".timeline .timeline__item").first
    expect(newest).to_contain_text("Status Contacted → Converted")
    expect(newest).to_contain_text("Stage Contacted → Converted")
    assert page.locator(".timeline .timeline__item").count() == 3  # converted, value, created
    stored = Lead.objects.select_related("stage").get(pk=lead.pk)
    assert (stored.status, stored.stage.status) == (LeadStatus.CONVERTED, LeadStatus.CONVERTED)
    assert LeadChange.objects.filter(lead=lead, created=False).count() == 2
    # Nothing on the page reaches past a phone's edge.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"lead-timeline-{device}")
