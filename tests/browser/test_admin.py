"""The admin in a real browser: sign in, find a lead, open it."""

import pytest

from leads.tests.factories import ContactFactory, LeadFactory
from vchata.accounts.tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ops_admin():
    return UserFactory(email="ops@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def leads():
    org = OrganizationFactory(name="Northwind")
    names = ["Ana Lima", "Ben Ode", "Cara Dee", "Dan Brook"]
    return [LeadFactory(organization=org, contact=ContactFactory(organization=org, name=name)) for name in names]


def sign_in(page, user):
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def test_admin_signs_in_and_finds_a_lead_in_two_clicks(page, ops_admin, leads, screenshot):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.location.get("url")))
    sign_in(page, ops_admin)
    assert "VChata CRM admin" in page.inner_text("#site-name")

    page.click("a[href='/admin/leads/lead/']")
    page.wait_for_selector("#result_list")
    screenshot(page, "admin-leads")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 4
    assert "Northwind" in page.inner_text("#result_list")

    page.fill("#searchbar", "Cara")
    page.press("#searchbar", "Enter")
    page.wait_for_selector("#result_list tbody tr >> nth=0")
    assert page.locator("#result_list tbody tr").count() == 1
    page.click("#result_list tbody tr th a")
    page.wait_for_selector("#lead_form")
    assert "Cara Dee" in page.inner_text("#lead_form")
    assert "Lead created" in page.inner_text("#activities-group")
    screenshot(page, "admin-lead-change")
    # The contact picker is select2 loaded from our own static files, allowed by the page's CSP.
    page.click("#lead_form .field-contact .select2-selection")
    page.fill(".select2-search__field", "Ben")
    page.wait_for_selector(".select2-results__option:has-text('Ben Ode')")
    # Nothing failed to load or was blocked (the browser's own favicon probe aside).
    assert [url for url in errors if not url.endswith("/favicon.ico")] == []
