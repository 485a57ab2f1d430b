"""Every admin change and delete view, as a staff user of each role and as a staff non-member, against one table.

The models come from the admin registry, so a new admin fails here until the
table says who may view, change and delete its rows. Viewing without the
right to change shows the page read-only (no Save button); a POST or a
delete without the right is a 403 and changes nothing; another org's row is a 404.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from integrations.models import InboundEvent
from leads.models import Activity, ContentPost, Message, StageVisit
from pipelines.automation.models import RuleRun
from tests.permissions.test_api_matrix import ADMINS, EVERYONE, MANAGERS, snapshot
from tests.support.admin import logged_in
from tests.support.teams import CALLERS, OUTSIDER, Team, build_team
from vchata.tenancy.admin import OrgScopedAdmin

pytestmark = pytest.mark.django_db

NOBODY = frozenset()


@dataclass(frozen=True)
class Rights:
    row: Callable[[Team], object]
    view: frozenset[str]
    change: frozenset[str]
    delete: frozenset[str]


def blacklisted(team: Team):
    token = RefreshToken.for_user(team.users["OWNER"])
    token.blacklist()
    return BlacklistedToken.objects.get(token__jti=token["jti"])


# The one table of the admin: model -> the row tried, and who may view, change and delete it.
TABLE: dict[str, Rights] = {
    "accounts.User": Rights(lambda t: t.colleague.user, EVERYONE, NOBODY, NOBODY),
    "accounts.Organization": Rights(lambda t: t.org, EVERYONE, ADMINS, NOBODY),
    "accounts.Membership": Rights(lambda t: t.colleague, EVERYONE, ADMINS, ADMINS),
    "accounts.Invitation": Rights(lambda t: t.invitation, ADMINS, NOBODY, NOBODY),
    "leads.Lead": Rights(lambda t: t.lead, EVERYONE, EVERYONE, MANAGERS),
    "leads.Contact": Rights(lambda t: t.lead.contact, EVERYONE, EVERYONE, MANAGERS),
    "leads.Activity": Rights(lambda t: Activity.objects.filter(lead=t.lead).first(), EVERYONE, NOBODY, NOBODY),
    "leads.StageVisit": Rights(lambda t: StageVisit.objects.filter(lead=t.lead).first(), EVERYONE, NOBODY, NOBODY),
    "leads.Campaign": Rights(lambda t: t.campaign, EVERYONE, ADMINS, ADMINS),
    "leads.CustomField": Rights(lambda t: t.custom_field, EVERYONE, ADMINS, ADMINS),
    "leads.SocialAccount": Rights(lambda t: t.conversation.social_account, EVERYONE, EVERYONE, MANAGERS),
    "leads.ContentPost": Rights(lambda t: ContentPost.objects.get(organization=t.org), EVERYONE, EVERYONE, MANAGERS),
    "leads.Conversation": Rights(lambda t: t.conversation, EVERYONE, EVERYONE, MANAGERS),
    "leads.Task": Rights(lambda t: t.task, EVERYONE, EVERYONE, EVERYONE),
    "leads.LostReason": Rights(lambda t: t.lost_reason, EVERYONE, ADMINS, ADMINS),
    "leads.Message": Rights(lambda t: Message.objects.get(conversation=t.conversation), EVERYONE, EVERYONE, MANAGERS),
    "pipelines.Pipeline": Rights(lambda t: t.spare_pipeline, EVERYONE, ADMINS, ADMINS),
    "pipelines.Stage": Rights(lambda t: t.empty_stage, EVERYONE, ADMINS, ADMINS),
    "automation.Rule": Rights(lambda t: t.rule, EVERYONE, ADMINS, ADMINS),
    "automation.RuleRun": Rights(lambda t: RuleRun.objects.get(rule=t.rule), EVERYONE, NOBODY, NOBODY),
    "integrations.WebhookEndpoint": Rights(lambda t: t.webhook, ADMINS, ADMINS, ADMINS),
    "integrations.WebhookDelivery": Rights(lambda t: t.delivery, ADMINS, NOBODY, NOBODY),
    "integrations.OutboxEvent": Rights(lambda t: t.delivery.event, ADMINS, NOBODY, NOBODY),
    "integrations.LeadForm": Rights(lambda t: t.lead_form, ADMINS, ADMINS, ADMINS),
    "integrations.ApiKey": Rights(lambda t: t.api_key, ADMINS, ADMINS, ADMINS),
    "integrations.InboundEvent": Rights(
        lambda t: InboundEvent.objects.create(body="{}", body_sha256="0" * 64), NOBODY, NOBODY, NOBODY
    ),
    # Django's own: model permissions, which no org role grants.
    "auth.Group": Rights(lambda t: Group.objects.create(name="Sales"), NOBODY, NOBODY, NOBODY),
    "token_blacklist.OutstandingToken": Rights(
        lambda t: OutstandingToken.objects.get(pk=blacklisted(t).token_id), NOBODY, NOBODY, NOBODY
    ),
    "token_blacklist.BlacklistedToken": Rights(blacklisted, NOBODY, NOBODY, NOBODY),
}


def registered() -> dict[str, admin.ModelAdmin]:
    return {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}


def admin_url(row, view: str) -> str:
    opts = row._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[quote(row.pk)])


def refused_status(label: str, caller: str) -> int:
    # Another org's row doesn't exist for the org-scoped admins; Django's own admins refuse all the same.
    return 404 if caller == OUTSIDER and isinstance(registered()[label], OrgScopedAdmin) else 403


def case(label: str, caller: str):
    """A fresh staff team, the table's rights for ``label``, its row, and the caller's signed-in client."""
    team = build_team(staff=True)
    rights = TABLE[label]
    return rights, rights.row(team), logged_in(team.users[caller])


def test_the_table_names_every_registered_admin():
    assert set(TABLE) == set(registered())


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("label", sorted(TABLE))
def test_every_admin_change_view_answers_each_role_as_the_table_says(label, caller):
    rights, row, client = case(label, caller)

    page = client.get(admin_url(row, "change"))

    if caller in rights.view:
        assert page.status_code == 200
        assert ('name="_save"' in page.content.decode()) == (caller in rights.change)
    else:
        assert page.status_code == refused_status(label, caller)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("label", sorted(TABLE))
def test_a_change_posted_without_the_right_is_refused_and_changes_nothing(label, caller):
    rights, row, client = case(label, caller)
    before = snapshot()

    response = client.post(admin_url(row, "change"), {})

    if caller in rights.change:
        assert response.status_code in (200, 302)  # the form with its errors, or saved
        return
    expected = refused_status(label, caller) if caller not in rights.view or caller == OUTSIDER else 403
    assert response.status_code == expected
    assert snapshot() == before


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("label", sorted(TABLE))
def test_every_admin_delete_view_answers_each_role_as_the_table_says(label, caller):
    rights, row, client = case(label, caller)
    before = snapshot()

    page = client.get(admin_url(row, "delete"))
    refused = client.post(admin_url(row, "delete"), {"post": "yes"}) if caller not in rights.delete else None

    if caller in rights.delete:
        assert page.status_code == 200
        return
    assert page.status_code == refused.status_code == refused_status(label, caller)
    assert snapshot() == before
