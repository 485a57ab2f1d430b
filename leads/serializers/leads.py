"""Leads: request bodies and answers of the lead routes.

Input serializers (``…Input``) validate a body and resolve every id in it
through the request's organization (``context["org"]``); they never save
anything: the views hand ``validated_data`` (already in model field names,
through ``source=``) to ``leads.services``. Output serializers shape rows
into the documented camelCase JSON.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from pipelines.models import LeadStatus, Pipeline, Stage, pipeline_with_first_stage
from vchata.accounts.models import Organization, User
from vchata.inputs import MAX_NOTES, JSONObjectField, NullIfBlankField, OptionalTextField, OrgRefField, StrictInput
from vchata.money import MoneyField
from vchata.pagination import CursorPaginationSerializer
from vchata.schema import envelope, paged
from vchata.serialization import CompiledOutputMixin

from ..models import (
    LOGGED_ACTIVITY_CHOICES,
    Activity,
    Campaign,
    Contact,
    ContentPost,
    Conversation,
    Lead,
    LostReason,
    SocialAccount,
)
from .inbox import ContentPostSerializer, SocialAccountSerializer
from .lost_reasons import active_lost_reasons


def org_members(org: Organization) -> QuerySet[User]:
    return User.objects.filter(memberships__organization=org)


class ContactSerializer(CompiledOutputMixin, serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    email = NullIfBlankField()
    phone = NullIfBlankField()
    company = NullIfBlankField()
    createdAt = serializers.DateTimeField(source="created_at")


class StageRefSerializer(CompiledOutputMixin, serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    order = serializers.IntegerField()


class PipelineRefSerializer(CompiledOutputMixin, serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class LeadPipelineSerializer(CompiledOutputMixin, serializers.Serializer):
    """The list's ``pipeline``: its id and name, and ``stages`` holding the lead's current stage."""

    id = serializers.CharField(source="pipeline.id")
    name = serializers.CharField(source="pipeline.name")
    stages = serializers.SerializerMethodField()

    @extend_schema_field(StageRefSerializer(many=True))
    def get_stages(self, lead: Lead) -> list[dict]:
        return [_STAGE_REF.to_representation(lead.stage)]


# One instance for every lead of a page: building a serializer deep-copies its
# fields, and doing that once per lead was half the serialization time of a list page.
# (The list and detail serializers below are compiled: vchata/serialization.py.)
_STAGE_REF = StageRefSerializer()


class ActivitySerializer(CompiledOutputMixin, serializers.Serializer):
    id = serializers.CharField()
    leadId = serializers.CharField(source="lead_id")
    type = serializers.ChoiceField(choices=Activity.Type.choices)
    description = serializers.CharField()
    metadata = serializers.DictField()
    actorId = serializers.CharField(source="actor_id", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")


ATTRIBUTION_KEYS = ("gclid", "fbclid", "msclkid", "landingPage", "referrer")


class AttributionSerializer(serializers.Serializer):
    """Where a captured lead came from, besides its utm fields (null when not known)."""

    gclid = serializers.CharField(allow_null=True, help_text="Google Ads click id.")
    fbclid = serializers.CharField(allow_null=True, help_text="Meta ads click id.")
    msclkid = serializers.CharField(allow_null=True, help_text="Microsoft Ads click id.")
    landingPage = serializers.CharField(allow_null=True, help_text="The page the form was filled in on.")
    referrer = serializers.CharField(allow_null=True, help_text="The page that led the visitor there.")


class LeadSerializer(CompiledOutputMixin, serializers.Serializer):
    """A lead's own fields: the answer of create, and the base of the list and detail shapes."""

    id = serializers.CharField()
    contactId = serializers.CharField(source="contact_id")
    pipelineId = serializers.CharField(source="pipeline_id")
    stageId = serializers.CharField(source="stage_id")
    source = serializers.CharField(allow_null=True)
    value = MoneyField(allow_null=True)
    status = serializers.ChoiceField(choices=LeadStatus.choices)
    assignedToId = serializers.CharField(source="assigned_to_id", allow_null=True)
    notes = NullIfBlankField()
    utmSource = serializers.CharField(source="utm_source", allow_null=True)
    utmMedium = serializers.CharField(source="utm_medium", allow_null=True)
    utmCampaign = serializers.CharField(source="utm_campaign", allow_null=True)
    utmTerm = serializers.CharField(source="utm_term", allow_null=True)
    utmContent = serializers.CharField(source="utm_content", allow_null=True)
    campaignId = serializers.CharField(source="campaign_id", allow_null=True)
    socialAccountId = serializers.CharField(source="social_account_id", allow_null=True)
    contentPostId = serializers.CharField(source="content_post_id", allow_null=True)
    conversationId = serializers.CharField(source="conversation_id", allow_null=True)
    converted = serializers.BooleanField()
    convertedAt = serializers.DateTimeField(source="converted_at", allow_null=True)
    lostReasonId = serializers.CharField(source="lost_reason_id", allow_null=True)
    title = serializers.CharField(allow_null=True)
    expectedCloseDate = serializers.DateField(source="expected_close_date", allow_null=True)
    probability = serializers.IntegerField(
        allow_null=True, help_text="0–100, overriding the stage's probability when set."
    )
    customFields = serializers.DictField(source="custom_fields")
    lastActivityAt = serializers.DateTimeField(source="last_activity_at", allow_null=True)
    attribution = serializers.SerializerMethodField()
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    @extend_schema_field(AttributionSerializer)
    def get_attribution(self, lead: Lead) -> dict:
        return {key: lead.attribution.get(key) for key in ATTRIBUTION_KEYS}


class LeadListItemSerializer(LeadSerializer):
    """A lead in the list: its fields plus ``contact``, ``pipeline`` (with the current stage) and the social links."""

    contact = ContactSerializer()
    pipeline = LeadPipelineSerializer(source="*")
    socialAccount = SocialAccountSerializer(source="social_account", allow_null=True)
    contentPost = ContentPostSerializer(source="content_post", allow_null=True)


class LeadDetailSerializer(LeadSerializer):
    """One lead with ``contact``, ``pipeline``, ``stage`` and its ``activities``, newest first.

    ``activities`` holds the newest ``selectors.DETAIL_ACTIVITIES`` entries;
    ``GET …/activities`` pages through all of them.
    """

    contact = ContactSerializer()
    pipeline = PipelineRefSerializer()
    stage = StageRefSerializer()
    socialAccount = SocialAccountSerializer(source="social_account", allow_null=True)
    contentPost = ContentPostSerializer(source="content_post", allow_null=True)
    activities = ActivitySerializer(source="recent_activities", many=True)


class LeadStageSerializer(serializers.Serializer):
    """The answer of move-stage."""

    id = serializers.CharField()
    stageId = serializers.CharField(source="stage_id")
    status = serializers.ChoiceField(choices=LeadStatus.choices)
    updatedAt = serializers.DateTimeField(source="updated_at")


class StageVisitSerializer(serializers.Serializer):
    stageId = serializers.CharField(source="stage_id")
    stageName = serializers.CharField(source="stage.name")
    enteredAt = serializers.DateTimeField(source="entered_at")
    leftAt = serializers.DateTimeField(source="left_at", allow_null=True)
    days = serializers.FloatField(help_text="Days spent in the stage (until now for the current one), one decimal.")


class LeadFieldsInput(StrictInput):
    """The optional fields a new lead may carry (everything but its contact)."""

    # A new lead goes into the first stage unless given one: read with the pipeline, not after it.
    pipelineId = OrgRefField(Pipeline, fetch=pipeline_with_first_stage, source="pipeline")
    stageId = OrgRefField(Stage, source="stage", required=False, help_text="Default: the pipeline's first stage.")
    source = OptionalTextField(max_length=100)
    value = MoneyField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=MAX_NOTES, required=False, allow_blank=True, allow_null=True)
    utmSource = OptionalTextField(source="utm_source", max_length=200)
    utmMedium = OptionalTextField(source="utm_medium", max_length=200)
    utmCampaign = OptionalTextField(source="utm_campaign", max_length=200)
    utmTerm = OptionalTextField(source="utm_term", max_length=200)
    utmContent = OptionalTextField(source="utm_content", max_length=200)
    assignedToId = OrgRefField(User, scope=org_members, source="assigned_to", required=False, allow_null=True)
    campaignId = OrgRefField(Campaign, source="campaign", required=False, allow_null=True)
    socialAccountId = OrgRefField(SocialAccount, source="social_account", required=False, allow_null=True)
    contentPostId = OrgRefField(ContentPost, source="content_post", required=False, allow_null=True)
    customFields = JSONObjectField(source="custom_fields", required=False)
    title = OptionalTextField(max_length=200, help_text="The deal's name.")
    expectedCloseDate = serializers.DateField(source="expected_close_date", required=False, allow_null=True)
    probability = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True, help_text="Overrides the stage's probability."
    )
    lostReasonId = OrgRefField(
        LostReason,
        scope=active_lost_reasons,
        source="lost_reason",
        required=False,
        allow_null=True,
        help_text="Why it was lost, for a lead created in a stage that marks it LOST "
        "(required then when the organization has lost reasons).",
    )

    def validate(self, attrs):
        post, account = attrs.get("content_post"), attrs.get("social_account")
        if post is not None and account is not None and post.social_account_id != account.pk:
            raise ValidationError({"contentPostId": ["contentPostId must be a post of the lead's social account"]})
        return attrs


class CreateLeadInput(LeadFieldsInput):
    contactId = OrgRefField(Contact, source="contact")


class ContactInput(StrictInput):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, allow_null=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, allow_null=True)
    company = serializers.CharField(max_length=200, required=False, allow_blank=True, allow_null=True)


class CreateLeadWithContactInput(LeadFieldsInput):
    contact = ContactInput(help_text="Reused when the organization has a contact with this email.")


class UpdateLeadInput(StrictInput):
    """PATCH: only the keys present change. ``null`` clears a field; in ``customFields`` it removes the key."""

    value = MoneyField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=LeadStatus.choices, required=False)
    assignedToId = OrgRefField(User, scope=org_members, source="assigned_to", required=False, allow_null=True)
    notes = serializers.CharField(max_length=MAX_NOTES, required=False, allow_blank=True, allow_null=True)
    source = OptionalTextField(max_length=100)
    utmSource = OptionalTextField(source="utm_source", max_length=200)
    utmMedium = OptionalTextField(source="utm_medium", max_length=200)
    utmCampaign = OptionalTextField(source="utm_campaign", max_length=200)
    utmTerm = OptionalTextField(source="utm_term", max_length=200)
    utmContent = OptionalTextField(source="utm_content", max_length=200)
    customFields = JSONObjectField(source="custom_fields", required=False)
    campaignId = OrgRefField(Campaign, source="campaign", required=False, allow_null=True)
    title = OptionalTextField(max_length=200, help_text="The deal's name.")
    expectedCloseDate = serializers.DateField(source="expected_close_date", required=False, allow_null=True)
    probability = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True, help_text="Overrides the stage's probability."
    )
    lostReasonId = OrgRefField(
        LostReason,
        scope=active_lost_reasons,
        source="lost_reason",
        required=False,
        allow_null=True,
        help_text="Why it was lost: with status LOST (required then when the organization has lost reasons), "
        "or to change a lost lead's reason.",
    )

    def validate(self, attrs):
        if not attrs:
            raise ValidationError(["At least one field to change is required"])
        return attrs


class AddActivityInput(StrictInput):
    type = serializers.ChoiceField(
        choices=LOGGED_ACTIVITY_CHOICES,
        help_text="The system itself writes CREATED, STAGE_CHANGED, STATUS_CHANGED, ASSIGNED and CONVERTED.",
    )
    description = serializers.CharField(max_length=MAX_NOTES, required=False, allow_blank=True, default="")
    metadata = JSONObjectField(required=False, default=dict)


class MoveStageInput(StrictInput):
    stageId = serializers.CharField(max_length=64, help_text="A stage of the lead's pipeline.")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    lostReasonId = OrgRefField(
        LostReason,
        scope=active_lost_reasons,
        source="lost_reason",
        required=False,
        allow_null=True,
        help_text="Why it was lost, for a stage that marks the lead LOST (required when the organization has reasons).",
    )


class ConvertConversationInput(StrictInput):
    conversationId = OrgRefField(Conversation, source="conversation")
    pipelineId = OrgRefField(Pipeline, source="pipeline")
    source = OptionalTextField(max_length=100, default="social_media")
    value = MoneyField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=MAX_NOTES, required=False, allow_blank=True, default="")


LeadCreatedResponse = envelope("LeadCreatedResponse", lead=LeadSerializer())
LeadWithContactResponse = envelope("LeadWithContactResponse", lead=LeadSerializer(), contact=ContactSerializer())
LeadListResponse = paged(
    "LeadListResponse", "leads", LeadListItemSerializer(many=True), pagination=CursorPaginationSerializer()
)
LeadDetailResponse = envelope("LeadDetailResponse", lead=LeadDetailSerializer())
LeadMovedResponse = envelope("LeadMovedResponse", lead=LeadStageSerializer())
MessageOnlyResponse = envelope("MessageOnlyResponse")
ActivityResponse = envelope("ActivityResponse", activity=ActivitySerializer())
ActivityListResponse = paged("ActivityListResponse", "activities", ActivitySerializer(many=True))
HistoryResponse = envelope("LeadHistoryResponse", history=StageVisitSerializer(many=True))
