"""The Content-Security-Policy does not break what people use: a real Chromium renders the pages
and Swagger UI without a single CSP violation."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from leads.tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db(transaction=True)


def csp_violations(tab) -> list[str]:
    messages: list[str] = []
    tab.on("console", lambda message: messages.append(message.text))
    tab.on("pageerror", lambda error: messages.append(str(error)))
    return messages


def test_swagger_ui_renders_its_operations_under_its_policy(page):
    messages = csp_violations(page)
    page.goto("/api/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 5
    assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m], messages


def test_the_login_page_loads_without_csp_violations(page):
    messages = csp_violations(page)
    page.goto("/login")
    page.wait_for_load_state("networkidle")
    assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m], messages


def test_the_sales_pages_run_no_injected_script_and_break_no_policy(page, live_server, user, org, pipeline):
    contact = ContactFactory(
        organization=org, name="<script>alert('name')</script>", company="<img src=x onerror=alert(2)>"
    )
    lead = LeadFactory(organization=org, contact=contact, notes="<svg onload=alert(3)>", source="<b>bold</b>")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    messages = csp_violations(page)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    for url in (
        f"/app/{org.pk}/pipelines/{pipeline.pk}/",
        f"/app/{org.pk}/analytics/",
        f"/app/{org.pk}/leads/?search=script",
        f"/app/{org.pk}/contacts/{contact.pk}/",
        f"/app/{org.pk}/leads/{lead.pk}/",
    ):
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        assert "script-src 'self'" in response.headers["content-security-policy"]

    # On the lead page (the last one) the injected markup is plain text a person can read.
    expect(page.get_by_text("<script>alert('name')</script>").first).to_be_visible()
    assert dialogs == []  # no injected script ran
    assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m], messages
