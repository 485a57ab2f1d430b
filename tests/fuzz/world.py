"""The data the fuzzer works on: one organization with a bit of everything, and the ids of it.

Path parameters are pinned to these rows (so a generated request reaches real
leads, stages and conversations instead of stopping at a 404), and ids in
bodies and query strings are drawn from them part of the time (so creates,
moves and filters succeed often enough for their 2xx bodies to be checked
against the schema). DELETE operations get victims of their own, so deleting
never takes away the rows every other operation needs.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from rest_framework_simplejwt.tokens import RefreshToken

from integrations.models import EventType, WebhookDelivery
from integrations.outbox import fan_out, record_event
from integrations.services import create_lead_form, create_webhook
from leads.models import Activity, LostReason
from leads.services import add_activity, move_lead_to_stage
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
from pipelines.automation.models import RuleAction, RuleTrigger
from pipelines.automation.tests.factories import RuleFactory
from pipelines.services import create_pipeline
from vchata.accounts.models import Membership
from vchata.accounts.tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@dataclass
class World:
    token: str
    org: str
    ids: dict[str, list[str]] = field(default_factory=dict)  # kind -> ids, the first one pinned in paths
    victims: dict[str, str] = field(default_factory=dict)  # kind -> a row only DELETE may use
    pipeline_stages: list[str] = field(default_factory=list)  # the pinned pipeline's stages, in order
    form_key: str = ""  # the public key of the world's lead form

    def first(self, kind: str) -> str:
        return self.ids[kind][0]


def build_world() -> World:
    owner = UserFactory(email="fuzz-owner@example.com")
    org = OrganizationFactory(owner=owner, name="Fuzz Inc")
    teammate = UserFactory(email="fuzz-rep@example.com")
    MembershipFactory(organization=org, user=teammate, role=Membership.Role.MEMBER)
    outsider_org = OrganizationFactory(name="Someone Else")

    pipeline = org.pipeline_set.get(is_default=True)
    stages = list(pipeline.stages.order_by("order"))
    second = create_pipeline(org=org, name="Partners")
    contacts = ContactFactory.create_batch(4, organization=org)  # the last one has no lead yet
    campaign = CampaignFactory(organization=org, utm_campaign="spring_sale")
    account = SocialAccountFactory(organization=org)
    post = ContentPostFactory(social_account=account, organization=org)
    conversation = ConversationFactory(social_account=account, organization=org, content_post=post)
    MessageFactory(conversation=conversation, sent_at=datetime(2024, 1, 15, 10, 30, tzinfo=UTC))
    spare_conversation = ConversationFactory(social_account=account, organization=org)
    field_def = CustomFieldFactory(organization=org, key="budget_band", label="Budget band")

    lead = LeadFactory(organization=org, contact=contacts[0], campaign=campaign, value=2500, actor=owner)
    move_lead_to_stage(org=org, actor=owner, lead_id=lead.pk, stage_id=stages[1].pk, notes="qualified on call")
    add_activity(org=org, actor=owner, lead_id=lead.pk, type=Activity.Type.CALL, description="Intro call")
    other_lead = LeadFactory(organization=org, contact=contacts[1], pipeline=second, value=None, source=None)
    rule = RuleFactory(
        pipeline=pipeline, trigger=RuleTrigger.LEAD_CREATED, action=RuleAction.ASSIGN_TO, action_user=teammate
    )

    # DELETE operations get these; the stage and the rule are in the doomed pipeline, as their paths say.
    doomed = create_pipeline(org=org, name="Doomed")
    victims = {
        "lead": LeadFactory(organization=org, contact=contacts[2]).pk,
        "pipeline": doomed.pk,
        "stage": doomed.stages.order_by("order").last().pk,
        "campaign": CampaignFactory(organization=org).pk,
        "field": CustomFieldFactory(organization=org).pk,
        "rule": RuleFactory(
            pipeline=doomed, trigger=RuleTrigger.LEAD_CREATED, action=RuleAction.SET_STATUS, action_status="CONTACTED"
        ).pk,
    }

    # A public address: under the suite deliveries only ever reach loopback, so nothing leaves the machine.
    webhook = create_webhook(org=org, actor=owner, url="https://93.184.215.14/hooks", events=list(EventType.values))
    event = record_event(org_id=org.pk, event_type="lead.created", data={})  # fanned out as it commits
    fan_out(event.pk)
    delivery = WebhookDelivery.objects.get(event=event).pk
    lead_form = create_lead_form(org=org, actor=owner, name="Contact us")
    victims["webhook"] = create_webhook(org=org, actor=owner, url="https://93.184.215.14/old", events=["lead.lost"]).pk
    victims["form"] = create_lead_form(org=org, actor=owner, name="Old form").pk

    task = TaskFactory(lead=lead, assigned_to=owner)
    victims["task"] = TaskFactory(lead=other_lead).pk
    reason = LostReason.objects.create(organization=org, name="Too expensive")
    victims["reason"] = LostReason.objects.create(organization=org, name="Unused reason").pk
    victims["contact"] = ContactFactory(organization=org).pk  # no lead: deleting it can succeed
    foreign = LeadFactory(organization=outsider_org)
    return World(
        token=str(RefreshToken.for_user(owner).access_token),
        org=org.pk,
        ids={
            "lead": [lead.pk, other_lead.pk, foreign.pk],
            "pipeline": [pipeline.pk, second.pk, foreign.pipeline_id],
            "stage": [stages[2].pk, stages[0].pk, second.stages.order_by("order").first().pk, foreign.stage_id],
            "contact": [contacts[3].pk, contacts[0].pk, foreign.contact_id],
            "campaign": [campaign.pk],
            "social": [account.pk],
            "post": [post.pk],
            "conv": [conversation.pk, spare_conversation.pk],
            "field": [field_def.pk],
            "rule": [rule.pk],
            "activity": [lead.activities.first().pk],
            "user": [teammate.pk, owner.pk],
            "webhook": [webhook.pk],
            "delivery": [delivery],
            "form": [lead_form.pk],
            "task": [task.pk],
            "reason": [reason.pk],
        },
        victims=victims,
        pipeline_stages=list(pipeline.stages.order_by("order").values_list("pk", flat=True)),
        form_key=lead_form.key,
    )
