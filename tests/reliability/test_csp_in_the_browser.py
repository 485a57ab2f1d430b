"""The Content-Security-Policy does not break what people use: a real Chromium renders the pages
and Swagger UI without a single CSP violation."""

import os

import pytest

from tests.browser.conftest import CHROMIUM, chromium, page  # noqa: F401  (Playwright fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install chromium)"),
]


def csp_violations(tab) -> list[str]:
    messages: list[str] = []
    tab.on("console", lambda message: messages.append(message.text))
    tab.on("pageerror", lambda error: messages.append(str(error)))
    return messages


def test_swagger_ui_renders_its_operations_under_its_policy(page):  # noqa: F811
    messages = csp_violations(page)
    page.goto("/api/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 5
    assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m], messages


def test_the_login_page_loads_without_csp_violations(page):  # noqa: F811
    messages = csp_violations(page)
    page.goto("/login")
    page.wait_for_load_state("networkidle")
    assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m], messages
