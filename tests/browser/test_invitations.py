"""An invitation end to end in the real browser: the owner invites from the members page, the email
lands in the outbox, the invitee opens its link, creates an account, and is on the organization's board."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.signing_in import sign_in
from vchata.accounts.models import Membership, User
from vchata.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"https?://\S+/invite/[A-Za-z0-9_-]+")


def policy_problems(tab) -> list[str]:
    found: list[str] = []
    tab.on("console", lambda message: found.append(message.text))
    tab.on("pageerror", lambda error: found.append(str(error)))
    return found


def refused(messages: list[str]) -> list[str]:
    return [m for m in messages if "Content Security Policy" in m or "Refused" in m]


def test_invite_email_accept_page_lands_on_the_board(page, chromium, live_server, user, org, screenshot):
    owner_messages = policy_problems(page)
    sign_in(page, user.email, PASSWORD)

    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Organization name")).to_have_value(org.name)
    page.get_by_role("link", name="Members and invitations").click()
    page.get_by_label("Email").fill("new.rep@example.com")
    page.locator("#id_role").select_option("MANAGER")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to new.rep@example.com.")).to_be_visible()
    expect(page.locator('[data-invitation="new.rep@example.com"]')).to_be_visible()
    screenshot(page, "members-page")

    assert [message.to for message in mail.outbox] == [["new.rep@example.com"]]
    link = LINK.search(mail.outbox[0].body).group(0)
    assert link.startswith(live_server.url)

    invitee = chromium.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url).new_page()
    invitee.set_default_timeout(10_000)
    invitee_messages = policy_problems(invitee)
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name=f"Join {org.name}")).to_be_visible()
    expect(invitee.locator("[data-invite-email]")).to_have_text("new.rep@example.com")
    invitee.get_by_label("Your name").fill("New Rep")
    invitee.get_by_label("Choose a password").fill("a-Long-passphrase-42")
    invitee.get_by_role("button", name="Create account and join").click()

    invitee.wait_for_url(re.compile(rf"/app/{org.pk}/pipelines/pipeline_\w+/"))
    expect(invitee.get_by_text(f"Welcome to {org.name}!")).to_be_visible()
    screenshot(invitee, "invitee-board")
    rep = User.objects.get(email="new.rep@example.com")
    assert Membership.objects.get(organization=org, user=rep).role == "MANAGER"

    invitee.goto(link)  # the link worked once
    expect(invitee.get_by_text("This invitation has already been used")).to_be_visible()
    invitee.context.close()
    assert not refused(owner_messages), owner_messages
    assert not refused(invitee_messages), invitee_messages
