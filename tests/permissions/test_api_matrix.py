"""Every operation of the OpenAPI schema, as each role and as a non-member, against one table (API.md, "Roles").

The operations come from the schema the API serves, so a new route fails
here until the table says who may call it. Each case gets a fresh team
(``tests.support.teams``): an allowed call answers the success status its
schema documents; a forbidden one a 403 envelope, a non-member's a 404
envelope, and neither changes a single row.
"""

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from drf_spectacular.generators import SchemaGenerator
from rest_framework_simplejwt.tokens import RefreshToken

from conftest import client_for
from leads.services import update_lead
from leads.tests.factories import ContactFactory
from tests.support.api import error
from tests.support.teams import CALLERS, OUTSIDER, Team, build_team
from vchata.accounts.invitations import token_hash
from vchata.accounts.models import Invitation, Organization
from vchata.accounts.tests.factories import PASSWORD, OrganizationFactory
from vchata.tenancy import ORG_NOT_FOUND

pytestmark = pytest.mark.django_db

EVERYONE = frozenset({"OWNER", "ADMIN", "MANAGER", "MEMBER"})
MANAGERS = frozenset({"OWNER", "ADMIN", "MANAGER"})
ADMINS = frozenset({"OWNER", "ADMIN"})
OWNERS = frozenset({"OWNER"})
# Routes of no organization (sign-up, tokens, /auth/me, POST /organizations, accepting an invitation).
ANY_USER = frozenset(CALLERS)


@dataclass(frozen=True)
class Allowed:
    """Who may call an operation, and what a good call sends (built on the case's team, for the caller).

    ``send`` replaces the JSON call for routes whose callers are machines (a signed Meta delivery, a handshake).
    """

    roles: frozenset[str]
    body: Callable[[Team, str], dict] | None = None
    params: Callable[[Team], dict] = field(default=lambda team: {})
    send: Callable | None = None

    @property
    def org_scoped(self) -> bool:
        return self.roles is not ANY_USER


def refresh_of(team: Team, caller: str) -> dict:
    return {"refresh": str(RefreshToken.for_user(team.users[caller]))}


def invitation_for(team: Team, caller: str) -> dict:
    user = team.users[caller]
    org = OrganizationFactory()
    token = f"accept-{caller}-{org.pk}"
    Invitation.objects.create(
        organization=org,
        email=user.email,
        role="MEMBER",
        token_hash=token_hash(token),
        expires_at=team.invitation.expires_at,
    )
    return {"token": token}


def new_contact_lead(team: Team, caller: str) -> dict:
    return {"contactId": ContactFactory(organization=team.org).pk, "pipelineId": team.pipeline.pk}


META_TOKEN, META_SECRET = "matrix-verify-token", "matrix-app-secret"


@pytest.fixture(autouse=True)
def meta_app(settings):
    settings.META_VERIFY_TOKEN, settings.META_APP_SECRET = META_TOKEN, META_SECRET


def meta_handshake(client, url):
    return client.get(url, {"hub.mode": "subscribe", "hub.verify_token": META_TOKEN, "hub.challenge": "42"})


def meta_delivery(client, url):
    raw = json.dumps({"object": "page", "entry": []}).encode()
    signature = "sha256=" + hmac.new(META_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return client.generic("POST", url, raw, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature)


HOOK_URL = "https://93.184.215.14/new-hook"
RULE_BODY = {"name": "R", "trigger": {"type": "LEAD_CREATED"}, "action": {"type": "SET_STATUS", "status": "NEW"}}

# The one table: API.md's roles, operation by operation.
TABLE: dict[str, Allowed] = {
    # --- no organization ------------------------------------------------------------------
    "auth_signup_create": Allowed(
        ANY_USER,
        lambda t, c: {
            "email": f"new-{c.lower()}@example.com",
            "password": "a-Long-passphrase-42",
            "name": "New",
            "organizationName": "New Co",
        },
    ),
    "auth_token_create": Allowed(ANY_USER, lambda t, c: {"email": t.users[c].email, "password": PASSWORD}),
    "auth_token_refresh_create": Allowed(ANY_USER, refresh_of),
    "auth_logout_create": Allowed(ANY_USER, refresh_of),
    "auth_me_retrieve": Allowed(ANY_USER),
    "organizations_create": Allowed(ANY_USER, lambda t, c: {"name": "Another org"}),
    "invitations_accept": Allowed(ANY_USER, invitation_for),
    # Public: a site's form and Meta's servers, signed or keyed, whoever else is signed in.
    "forms_submit": Allowed(ANY_USER, lambda t, c: {"name": "Visitor", "email": "visitor@example.com"}),
    "meta_webhook_verify": Allowed(ANY_USER, send=meta_handshake),
    "meta_webhook_receive": Allowed(ANY_USER, send=meta_delivery),
    # --- read and work leads: everyone ---------------------------------------------------------
    "leads_list": Allowed(EVERYONE),
    "leads_create": Allowed(EVERYONE, new_contact_lead),
    "leads_create_with_contact": Allowed(
        EVERYONE, lambda t, c: {"contact": {"name": "Neo"}, "pipelineId": t.pipeline.pk}
    ),
    "leads_retrieve": Allowed(EVERYONE),
    "leads_update": Allowed(EVERYONE, lambda t, c: {"notes": "Worked on"}),
    "leads_activities_list": Allowed(EVERYONE),
    "leads_activities_create": Allowed(EVERYONE, lambda t, c: {"type": "CALL", "description": "Called"}),
    "leads_history": Allowed(EVERYONE),
    "leads_changes_list": Allowed(EVERYONE),
    "leads_move_stage": Allowed(EVERYONE, lambda t, c: {"stageId": t.stages[2].pk}),
    "leads_convert_conversation": Allowed(
        EVERYONE, lambda t, c: {"conversationId": t.conversation.pk, "pipelineId": t.pipeline.pk}
    ),
    "leads_stats_retrieve": Allowed(EVERYONE),
    "leads_analytics_sources_retrieve": Allowed(EVERYONE),
    "leads_analytics_campaigns_retrieve": Allowed(EVERYONE),
    "leads_analytics_pipeline_retrieve": Allowed(EVERYONE),
    "leads_analytics_funnel_retrieve": Allowed(EVERYONE),
    "leads_analytics_forecast_retrieve": Allowed(EVERYONE),
    "leads_analytics_win_loss_retrieve": Allowed(EVERYONE),
    "leads_tasks_list": Allowed(EVERYONE),
    "leads_tasks_create": Allowed(
        EVERYONE, lambda t, c: {"title": "Call back", "type": "CALL", "dueAt": "2030-01-15T10:00:00Z"}
    ),
    "tasks_list": Allowed(EVERYONE),
    "tasks_update": Allowed(EVERYONE, lambda t, c: {"done": True}),
    "tasks_destroy": Allowed(EVERYONE),
    "lost_reasons_list": Allowed(EVERYONE),
    "contacts_list": Allowed(EVERYONE),
    "contacts_retrieve": Allowed(EVERYONE),
    "contacts_update": Allowed(EVERYONE, lambda t, c: {"company": "Renamed Co"}),
    "campaigns_list": Allowed(EVERYONE),
    "campaigns_retrieve": Allowed(EVERYONE),
    "custom_fields_list": Allowed(EVERYONE),
    "pipelines_list": Allowed(EVERYONE),
    "pipelines_retrieve": Allowed(EVERYONE),
    "pipeline_rules_list": Allowed(EVERYONE),
    "pipeline_rule_retrieve": Allowed(EVERYONE),
    "pipeline_rule_preview": Allowed(EVERYONE),
    "conversations_list": Allowed(EVERYONE),
    "conversations_create": Allowed(
        EVERYONE, lambda t, c: {"socialAccountId": t.conversation.social_account_id, "participant": {"name": "Pat"}}
    ),
    "conversations_retrieve": Allowed(EVERYONE),
    "posts_list": Allowed(EVERYONE),
    "posts_create": Allowed(
        EVERYONE,
        lambda t, c: {
            "socialAccountId": t.conversation.social_account_id,
            "platformPostId": "new-post",
            "content": "Hello",
            "url": "https://example.com/p/new",
        },
    ),
    "social_accounts_list": Allowed(EVERYONE),
    "social_accounts_create": Allowed(
        EVERYONE, lambda t, c: {"platform": "FACEBOOK", "platformId": "fb-new", "name": "On Facebook"}
    ),
    "organization_retrieve": Allowed(EVERYONE),
    "organizations_members_retrieve": Allowed(EVERYONE),
    # --- delete leads, bulk, import: managers and up -------------------------------------------
    "leads_destroy": Allowed(MANAGERS),
    # A contact without leads (one with leads is a 409 for everyone).
    "contacts_destroy": Allowed(MANAGERS, params=lambda t: {"contact_id": ContactFactory(organization=t.org).pk}),
    # --- configuration: owners and admins ---------------------------------------------------------
    "pipelines_create": Allowed(ADMINS, lambda t, c: {"name": "New pipeline"}),
    "pipelines_update": Allowed(ADMINS, lambda t, c: {"name": "Renamed"}),
    "pipelines_destroy": Allowed(ADMINS, params=lambda t: {"pipeline_id": t.spare_pipeline.pk}),
    "stages_create": Allowed(ADMINS, lambda t, c: {"name": "Extra"}),
    "stages_update": Allowed(ADMINS, lambda t, c: {"name": "Renamed"}),
    "stages_destroy": Allowed(ADMINS, params=lambda t: {"stage_id": t.empty_stage.pk}),
    "stages_reorder": Allowed(ADMINS, lambda t, c: {"stageIds": [s.pk for s in reversed(t.stages)]}),
    "pipeline_rules_create": Allowed(ADMINS, lambda t, c: RULE_BODY),
    "pipeline_rule_update": Allowed(ADMINS, lambda t, c: {"name": "Renamed"}),
    "pipeline_rule_delete": Allowed(ADMINS),
    "lost_reasons_create": Allowed(ADMINS, lambda t, c: {"name": "No budget"}),
    "lost_reasons_update": Allowed(ADMINS, lambda t, c: {"name": "Renamed"}),
    "lost_reasons_destroy": Allowed(ADMINS),
    "campaigns_create": Allowed(ADMINS, lambda t, c: {"name": "Spring", "utmCampaign": "spring_new"}),
    "campaigns_update": Allowed(ADMINS, lambda t, c: {"name": "Renamed"}),
    "campaigns_destroy": Allowed(ADMINS),
    "custom_fields_create": Allowed(ADMINS, lambda t, c: {"key": "new_key", "label": "New", "type": "TEXT"}),
    "custom_fields_update": Allowed(ADMINS, lambda t, c: {"label": "Relabelled"}),
    "custom_fields_destroy": Allowed(ADMINS),
    "organization_update": Allowed(ADMINS, lambda t, c: {"name": "Renamed org", "currency": "EUR"}),
    "webhooks_list": Allowed(ADMINS),
    "webhooks_create": Allowed(ADMINS, lambda t, c: {"url": HOOK_URL, "events": ["lead.created"]}),
    "webhooks_retrieve": Allowed(ADMINS),
    "webhooks_update": Allowed(ADMINS, lambda t, c: {"description": "Renamed"}),
    "webhooks_destroy": Allowed(ADMINS),
    "webhook_deliveries_list": Allowed(ADMINS),
    "webhook_deliveries_redeliver": Allowed(ADMINS),
    "lead_forms_list": Allowed(ADMINS),
    "lead_forms_create": Allowed(ADMINS, lambda t, c: {"name": "Newsletter"}),
    "lead_forms_retrieve": Allowed(ADMINS),
    "lead_forms_update": Allowed(ADMINS, lambda t, c: {"name": "Renamed"}),
    "lead_forms_destroy": Allowed(ADMINS),
    "lead_forms_rotate_key": Allowed(ADMINS),
    "api_keys_list": Allowed(ADMINS),
    "api_keys_create": Allowed(ADMINS, lambda t, c: {"name": "Sync", "scopes": ["leads:read"]}),
    "api_keys_revoke": Allowed(ADMINS),
    # --- members: owners and admins; ownership: owners ----------------------------------------------
    "organizations_invitations_list": Allowed(ADMINS),
    "organizations_invitations_create": Allowed(ADMINS, lambda t, c: {"email": "new@example.com", "role": "MEMBER"}),
    "organizations_members_invite": Allowed(ADMINS, lambda t, c: {"email": "new@example.com", "role": "MEMBER"}),
    "organizations_invitations_revoke": Allowed(ADMINS),
    "organizations_member_update": Allowed(ADMINS, lambda t, c: {"role": "MANAGER"}),
    "organizations_member_remove": Allowed(ADMINS),
    "organizations_transfer_ownership": Allowed(OWNERS, lambda t, c: {"userId": t.colleague.user_id}),
}


def path_params(team: Team) -> dict[str, str]:
    return {
        "org_id": team.org.pk,
        "lead_id": team.lead.pk,
        "pipeline_id": team.pipeline.pk,
        "stage_id": team.stages[1].pk,
        "rule_id": team.rule.pk,
        "campaign_id": team.campaign.pk,
        "field_id": team.custom_field.pk,
        "conv_id": team.conversation.pk,
        "user_id": team.colleague.user_id,
        "invitation_id": team.invitation.pk,
        "webhook_id": team.webhook.pk,
        "delivery_id": team.delivery.pk,
        "form_id": team.lead_form.pk,
        "form_key": team.lead_form.key,
        "key_id": team.api_key.pk,
        "task_id": team.task.pk,
        "reason_id": team.lost_reason.pk,
        "contact_id": team.lead.contact_id,
    }


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    success: int

    def __str__(self):
        return self.id


def schema_operations() -> list[Operation]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                success = min(int(code) for code in operation["responses"] if code.startswith("2"))
                found.append(Operation(operation["operationId"], method, path, success))
    return sorted(found, key=lambda op: op.id)


OPERATIONS = schema_operations()


def snapshot() -> dict[str, list[dict]]:
    """Every row of the project's own tables: what a refused call must leave exactly as it was."""
    labels = ("accounts", "leads", "pipelines", "automation")
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for label in labels
        for model in apps.get_app_config(label).get_models()
    }


def prepare(operation: Operation, team: Team, caller: str) -> tuple[str, dict | None]:
    """The URL and body of a good call (building a body may add rows, so before any snapshot)."""
    allowed = TABLE[operation.id]
    url = operation.path.format(**{**path_params(team), **allowed.params(team)})
    return url, allowed.body(team, caller) if allowed.body else None


def send(operation: Operation, team: Team, caller: str, url: str, body: dict | None):
    client = client_for(team.users[caller])
    if TABLE[operation.id].send is not None:
        return TABLE[operation.id].send(client, url)
    if body is None:
        return getattr(client, operation.method)(url)
    return getattr(client, operation.method)(url, body, format="json")


def test_the_table_names_every_operation_of_the_schema_and_nothing_else():
    assert len(OPERATIONS) > 60  # a walk that found nothing would prove nothing
    assert {op.id for op in OPERATIONS} == set(TABLE)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_every_operation_answers_each_role_as_the_table_says(operation, caller):
    team = build_team()
    allowed = TABLE[operation.id]
    url, body = prepare(operation, team, caller)
    before = snapshot()

    response = send(operation, team, caller, url, body)

    if caller in allowed.roles:
        assert response.status_code == operation.success, (response.status_code, response.content[:300])
        return
    if caller == OUTSIDER and allowed.org_scoped:
        assert response.status_code == 404, response.content[:300]
        assert error(response) == ORG_NOT_FOUND
    else:
        assert response.status_code == 403, response.content[:300]
        assert error(response)  # a sentence saying what the role may not do
    assert snapshot() == before


LEAD_OPERATIONS = [op for op in OPERATIONS if "{lead_id}" in op.path]


def assign(team: Team, role: str | None) -> None:
    update_lead(
        org=team.org,
        actor=team.users["OWNER"],
        lead_id=team.lead.pk,
        changes={"assigned_to": team.users[role] if role else None},
    )


def test_the_lead_operations_are_found():
    assert {"leads_retrieve", "leads_update", "leads_destroy", "leads_move_stage"} <= {op.id for op in LEAD_OPERATIONS}


@pytest.mark.parametrize("operation", LEAD_OPERATIONS, ids=str)
def test_under_assigned_visibility_a_lead_of_someone_else_is_a_404_to_a_member(operation):
    team = build_team(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    assign(team, "ADMIN")
    url, body = prepare(operation, team, "MEMBER")
    before = snapshot()

    response = send(operation, team, "MEMBER", url, body)

    assert response.status_code == 404, response.content[:300]
    assert error(response) == "Lead not found or you don't have access"
    assert snapshot() == before


@pytest.mark.parametrize("assignee", ["MEMBER", None], ids=["own lead", "unassigned lead"])
@pytest.mark.parametrize("operation", LEAD_OPERATIONS, ids=str)
def test_under_assigned_visibility_a_member_works_their_own_and_unassigned_leads(operation, assignee):
    team = build_team(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    assign(team, assignee)
    url, body = prepare(operation, team, "MEMBER")

    response = send(operation, team, "MEMBER", url, body)

    expected = operation.success if "MEMBER" in TABLE[operation.id].roles else 403
    assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("role", ["OWNER", "ADMIN", "MANAGER"])
def test_under_assigned_visibility_the_other_roles_still_see_every_lead(role):
    team = build_team(lead_visibility=Organization.LeadVisibility.ASSIGNED)
    assign(team, "MEMBER")

    response = client_for(team.users[role]).get(f"/leads/{team.org.pk}/{team.lead.pk}")

    assert response.status_code == 200
