"""Signing in through the login page, as a person would, for the browser tests.

A plain module (not conftest) so tests can import it; it waits for the page the sign-in lands on, so the
next step never races the redirect.
"""

import re

from leads.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD

BOARD = re.compile(r"/app/org_\w+/pipelines/pipeline_\w+/")  # where a sign-in without ``next`` lands
ANY_ORG_PAGE = re.compile(r"/app/org_\w+/")


def submit_sign_in(page, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> None:
    """Fill in and send the login form already on the page."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in(
    page, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD, *, viewport: dict | None = None, lands_on=BOARD
) -> None:
    """Open /login (at ``viewport`` if given), sign in and wait for a URL matching ``lands_on``."""
    if viewport is not None:
        page.set_viewport_size(viewport)
    page.goto("/login")
    submit_sign_in(page, email, password)
    page.wait_for_url(lands_on)
