"""An organization with one member of each role, an outsider, and one row of every kind they act on.

The permission matrix (``tests/permissions``) and the role tests build one per
case, so whatever a case does (deleting the pipeline, say) no other case sees.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from integrations.apikeys import create_api_key
from integrations.models import EventType, WebhookDelivery
from integrations.outbox import fan_out, record_event
from integrations.services import create_lead_form, create_webhook
from leads.models import LostReason
from leads.services import add_activity
from leads.tests.factories import (
    CampaignFactory,
    ContactFactory,
    ContentPostFactory,
    ConversationFactory,
    CustomFieldFactory,
    LeadFactory,
    MessageFactory,
    SocialAccountFactory,
    TaskFactory,
)
from pipelines.automation.models import RuleAction, RuleRun, RuleTrigger
from pipelines.automation.tests.factories import RuleFactory
from pipelines.models import Pipeline, Stage
from pipelines.services import create_pipeline
from vchata.accounts.invitations import token_hash
from vchata.accounts.models import Invitation, Membership, Organization, User
from vchata.accounts.tests.factories import MembershipFactory, OrganizationFactory, UserFactory

ROLES = ("OWNER", "ADMIN", "MANAGER", "MEMBER")
OUTSIDER = "OUTSIDER"
CALLERS = (*ROLES, OUTSIDER)


@dataclass
class Team:
    org: Organization
    users: dict[str, User]  # role (or OUTSIDER) -> user
    colleague: Membership  # a MEMBER the role changes and removals are tried on
    pipeline: Pipeline
    stages: list[Stage]
    spare_pipeline: Pipeline  # no leads: DELETE can succeed
    empty_stage: Stage  # of ``pipeline``, no leads
    lead: object
    rule: object
    campaign: object
    custom_field: object
    conversation: object
    invitation: Invitation
    webhook: object
    delivery: object
    lead_form: object
    api_key: object
    task: object
    lost_reason: object

    def membership(self, role: str) -> Membership | None:
        return self.org.memberships.filter(user=self.users[role]).first()


def build_team(*, staff: bool = False, lead_visibility: str = Organization.LeadVisibility.ALL) -> Team:
    """The team; ``staff`` makes every person a staff user (for the admin)."""
    owner = UserFactory(is_staff=staff)
    org = OrganizationFactory(owner=owner)
    if lead_visibility != org.lead_visibility:
        Organization.objects.filter(pk=org.pk).update(lead_visibility=lead_visibility)
        org.refresh_from_db()
    users = {"OWNER": owner}
    for role in ROLES[1:]:
        users[role] = MembershipFactory(organization=org, user=UserFactory(is_staff=staff), role=role).user
    users[OUTSIDER] = OrganizationFactory(owner=UserFactory(is_staff=staff)).memberships.get().user
    colleague = MembershipFactory(organization=org, role=Membership.Role.MEMBER)

    pipeline = org.pipeline_set.get(is_default=True)
    stages = list(pipeline.stages.order_by("order"))
    account = SocialAccountFactory(organization=org)
    post = ContentPostFactory(social_account=account, organization=org)
    conversation = ConversationFactory(social_account=account, organization=org, content_post=post)
    MessageFactory(conversation=conversation)
    lead = LeadFactory(organization=org, pipeline=pipeline, contact=ContactFactory(organization=org), actor=owner)
    add_activity(org=org, actor=owner, lead_id=lead.pk, type="NOTE", description="First note")
    rule = RuleFactory(
        pipeline=pipeline,
        trigger=RuleTrigger.LEAD_CREATED,
        action=RuleAction.SET_STATUS,
        action_status="QUALIFIED",
        is_active=False,
    )
    RuleRun.objects.create(organization=org, rule=rule, lead=lead, outcome=RuleRun.Outcome.APPLIED)
    invitation = Invitation.objects.create(
        organization=org,
        email="invitee@example.com",
        role=Membership.Role.MEMBER,
        token_hash=token_hash(f"token-of-{org.pk}"),
        invited_by=owner,
        expires_at=timezone.now() + timedelta(days=7),
    )
    # A public address: under the suite deliveries only ever reach loopback, so nothing leaves the machine.
    webhook = create_webhook(org=org, actor=owner, url="https://93.184.215.14/hooks", events=list(EventType.values))
    fan_out(record_event(org_id=org.pk, event_type="lead.created", data={}).pk)
    return Team(
        org=org,
        users=users,
        colleague=colleague,
        pipeline=pipeline,
        stages=stages,
        spare_pipeline=create_pipeline(org=org, name="Spare"),
        empty_stage=stages[-1],
        lead=lead,
        rule=rule,
        campaign=CampaignFactory(organization=org),
        custom_field=CustomFieldFactory(organization=org),
        conversation=conversation,
        invitation=invitation,
        webhook=webhook,
        delivery=WebhookDelivery.objects.get(endpoint=webhook),
        lead_form=create_lead_form(org=org, actor=owner, name="Contact us"),
        api_key=create_api_key(org=org, actor=owner, name="Zapier", scopes=["leads:read"])[0],
        task=TaskFactory(lead=lead, assigned_to=owner),
        lost_reason=LostReason.objects.create(organization=org, name="Too expensive"),
    )
