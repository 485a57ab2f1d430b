"""Request validation and response shapes of the leads, campaigns, custom fields and conversations API.

Input serializers (``…Input``) validate a body and resolve every id in it
through the request's organization (``context["org"]``); they never save
anything: the views hand ``validated_data`` (already in model field names,
through ``source=``) to ``leads.services``. Output serializers shape rows
into the documented camelCase JSON. ``envelope()`` builds the success
envelopes the schema shows.
"""

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.settings import api_settings

from pipelines.models import LeadStatus, Pipeline, Stage
from vchata.accounts.models import Organization, User
from vchata.money import json_amount
from vchata.pagination import CursorPaginationSerializer
from vchata.schema import envelope, paged
from vchata.serialization import CompiledOutputMixin

from .models import (
    LOGGED_ACTIVITY_CHOICES,
    Activity,
    Campaign,
    Contact,
    ContentPost,
    Conversation,
    CustomField,
    Lead,
    Message,
    SocialAccount,
)

# Longest free text accepted anywhere a person types a paragraph.
MAX_NOTES = 5000
# Largest ``metadata`` / ``customFields`` object, as encoded JSON.
MAX_JSON_CHARS = 10_000
MAX_MESSAGES_PER_REQUEST = 500
MAX_VALUE = Decimal("9999999999.99")  # what DecimalField(max_digits=12, decimal_places=2) holds

# --- building blocks ----------------------------------------------------------


class StrictInput(serializers.Serializer):
    """A request body (or nested object) that refuses keys it does not declare.

    A misspelt key (``stageID``) or a field this route does not take
    (``contactId`` on PATCH) is a 400 naming it, never silently ignored.
    """

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            if self.parent is None:
                raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: ["The request body must be a JSON object"]})
            return super().to_internal_value(data)  # "<field> must be an object"
        writable = {name for name, field in self.fields.items() if not field.read_only}
        unknown = {
            key: [ErrorDetail("This field is not allowed.", code="unknown_field")]
            for key in data
            if key not in writable
        }
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            raise ValidationError({**unknown, **exc.detail}) from exc
        if unknown:
            raise ValidationError(unknown)
        return value


class OrgRefField(serializers.CharField):
    """The id of a row of the request's organization; the validated value is the row itself.

    An unknown id and another organization's id get the same 400 naming the
    field, so ids of other tenants cannot be probed or linked.
    """

    def __init__(self, model: type[Model], *, scope: Callable[[Organization], QuerySet] | None = None, **kwargs):
        self.model = model
        self.scope = scope
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        pk = super().run_validation(data)  # the id as a checked string (length, type)
        if pk is None:
            return None
        org = self.context["org"]
        queryset = self.scope(org) if self.scope else self.model.objects.for_org(org)
        obj = queryset.filter(pk=pk).first()
        if obj is None:
            raise ValidationError(
                f"{self.field_name} does not match any {self.model._meta.verbose_name} in this organization"
            )
        return obj


def org_members(org: Organization) -> QuerySet[User]:
    return User.objects.filter(memberships__organization=org)


class OptionalTextField(serializers.CharField):
    """Optional free text where ``""`` and ``null`` both mean "not set" (stored as NULL)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(allow_blank=True, allow_null=True, **kwargs)

    def run_validation(self, data=serializers.empty):
        return super().run_validation(data) or None


class NullIfBlankField(serializers.CharField):
    """Output of an optional text column stored as ``""``: answered as ``null``."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


@extend_schema_field(OpenApiTypes.NUMBER)
class MoneyField(serializers.DecimalField):
    """A non-negative amount with two decimals, sent and answered as a JSON number.

    Strings are refused on input (``"1000"`` is a wrong type); whole amounts
    are answered as integers, as in the documentation (``"value": 1000``).
    """

    default_error_messages = {
        # Reuse the "less than or equal" wording for amounts that don't fit the column.
        "max_whole_digits": f"Ensure this value is less than or equal to {MAX_VALUE}.",
    }

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, min_value=Decimal(0), max_value=MAX_VALUE, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | Decimal):
            self.fail("invalid")
        return super().to_internal_value(data)

    def to_representation(self, value):
        return json_amount(super().to_representation(value))


class DateTimeInput(serializers.DateTimeField):
    """An ISO 8601 date-time from 1900 on.

    Earlier years are typos (``0383-07-07…``) and could not even be answered in
    the contract's ``YYYY-MM-DDTHH:MM:SSZ`` form: strftime writes year 383 as
    ``383`` (found by the schema fuzzer).
    """

    EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if parsed < self.EARLIEST:
            raise ValidationError(f"{self.field_name} must be on or after 1900-01-01T00:00:00Z")
        return parsed


class JSONObjectField(serializers.DictField):
    """A JSON object of any values, bounded in size."""

    def __init__(self, *, max_chars: int = MAX_JSON_CHARS, **kwargs):
        self.max_chars = max_chars
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if len(json.dumps(value, default=str)) > self.max_chars:
            raise ValidationError(f"{self.field_name} must be at most {self.max_chars} characters long as JSON")
        return value


# --- output: leads ------------------------------------------------------------


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


class SocialAccountSerializer(CompiledOutputMixin, serializers.Serializer):
    id = serializers.CharField()
    platform = serializers.ChoiceField(choices=SocialAccount.Platform.choices)
    platformId = serializers.CharField(source="platform_id")
    name = serializers.CharField()
    createdAt = serializers.DateTimeField(source="created_at")


class ContentPostSerializer(CompiledOutputMixin, serializers.Serializer):
    id = serializers.CharField()
    socialAccountId = serializers.CharField(source="social_account_id")
    platformPostId = serializers.CharField(source="platform_post_id")
    content = NullIfBlankField()
    url = NullIfBlankField()
    createdAt = serializers.DateTimeField(source="created_at")


class ActivitySerializer(CompiledOutputMixin, serializers.Serializer):
    id = serializers.CharField()
    leadId = serializers.CharField(source="lead_id")
    type = serializers.ChoiceField(choices=Activity.Type.choices)
    description = serializers.CharField()
    metadata = serializers.DictField()
    actorId = serializers.CharField(source="actor_id", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")


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
    customFields = serializers.DictField(source="custom_fields")
    lastActivityAt = serializers.DateTimeField(source="last_activity_at", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")


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


class CampaignSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    utmCampaign = serializers.CharField(source="utm_campaign")
    budget = MoneyField(allow_null=True)
    startsAt = serializers.DateTimeField(source="starts_at", allow_null=True)
    endsAt = serializers.DateTimeField(source="ends_at", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")


class CustomFieldSerializer(serializers.Serializer):
    id = serializers.CharField()
    key = serializers.CharField()
    label = serializers.CharField()
    type = serializers.ChoiceField(choices=CustomField.Type.choices)
    options = serializers.ListField(child=serializers.CharField())
    required = serializers.BooleanField()
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")


class ParticipantSerializer(serializers.Serializer):
    name = serializers.CharField(source="participant_name")
    handle = NullIfBlankField(source="participant_handle")
    email = NullIfBlankField(source="participant_email")
    phone = NullIfBlankField(source="participant_phone")


class MessageSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=Message.Direction.choices)
    text = serializers.CharField()
    sentAt = serializers.DateTimeField(source="sent_at")


class ConversationSerializer(serializers.Serializer):
    id = serializers.CharField()
    socialAccountId = serializers.CharField(source="social_account_id")
    contentPostId = serializers.CharField(source="content_post_id", allow_null=True)
    participant = ParticipantSerializer(source="*")
    leadId = serializers.SerializerMethodField(help_text="The lead made from this conversation, once converted.")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_leadId(self, conversation: Conversation) -> str | None:
        # Reverse one-to-one: the selectors select_related("lead"); absent means not converted.
        lead = getattr(conversation, "lead", None)
        return lead.pk if lead else None


class ConversationDetailSerializer(ConversationSerializer):
    messages = MessageSerializer(many=True)


# --- input: leads -------------------------------------------------------------


class LeadFieldsInput(StrictInput):
    """The optional fields a new lead may carry (everything but its contact)."""

    pipelineId = OrgRefField(Pipeline, source="pipeline")
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


class ConvertConversationInput(StrictInput):
    conversationId = OrgRefField(Conversation, source="conversation")
    pipelineId = OrgRefField(Pipeline, source="pipeline")
    source = OptionalTextField(max_length=100, default="social_media")
    value = MoneyField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=MAX_NOTES, required=False, allow_blank=True, default="")


# --- input: campaigns, custom fields --------------------------------------------


class CampaignInput(StrictInput):
    name = serializers.CharField(max_length=200)
    utmCampaign = serializers.CharField(
        source="utm_campaign", max_length=200, help_text="The utmCampaign value of this campaign's leads."
    )
    budget = MoneyField(required=False, allow_null=True)
    startsAt = DateTimeInput(source="starts_at", required=False, allow_null=True)
    endsAt = DateTimeInput(source="ends_at", required=False, allow_null=True)

    def validate(self, attrs):
        starts, ends = attrs.get("starts_at"), attrs.get("ends_at")
        if starts and ends and ends < starts:
            raise ValidationError({"endsAt": ["endsAt must not be before startsAt"]})
        return attrs


class CampaignUpdateInput(CampaignInput):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def validate(self, attrs):
        if not attrs:
            raise ValidationError(["At least one field to change is required"])
        return super().validate(attrs)


CUSTOM_FIELD_KEY = r"^[a-z][a-z0-9_]*$"


class _OptionsField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.CharField(max_length=120), max_length=100, required=False, allow_empty=True, **kwargs
        )


class CustomFieldInput(StrictInput):
    key = serializers.RegexField(
        CUSTOM_FIELD_KEY,
        max_length=60,
        error_messages={"invalid": "key must be snake_case: a lowercase letter, then lowercase letters, digits or _"},
    )
    label = serializers.CharField(max_length=120)
    type = serializers.ChoiceField(choices=CustomField.Type.choices)
    options = _OptionsField(help_text="The allowed values of a SELECT field.")
    required = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        options = attrs.get("options") or []
        if attrs["type"] == CustomField.Type.SELECT and not options:
            raise ValidationError({"options": ["options must list at least one value for a SELECT field"]})
        if attrs["type"] != CustomField.Type.SELECT and options:
            raise ValidationError({"options": ["options are only allowed on a SELECT field"]})
        attrs["options"] = options
        return attrs


class CustomFieldUpdateInput(StrictInput):
    """A field's key and type are fixed once leads may hold values for it."""

    label = serializers.CharField(max_length=120, required=False)
    options = _OptionsField()
    required = serializers.BooleanField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise ValidationError(["At least one field to change is required"])
        return attrs


# --- input: social accounts, posts, conversations --------------------------------


class SocialAccountInput(StrictInput):
    platform = serializers.ChoiceField(choices=SocialAccount.Platform.choices)
    platformId = serializers.CharField(source="platform_id", max_length=200)
    name = serializers.CharField(max_length=200)


class ContentPostInput(StrictInput):
    socialAccountId = OrgRefField(SocialAccount, source="social_account")
    platformPostId = serializers.CharField(source="platform_post_id", max_length=200)
    content = serializers.CharField(max_length=MAX_NOTES, required=False, allow_blank=True, default="")
    url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")


class ParticipantInput(StrictInput):
    name = serializers.CharField(max_length=200)
    handle = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class MessageInput(StrictInput):
    direction = serializers.ChoiceField(choices=Message.Direction.choices)
    text = serializers.CharField(max_length=MAX_NOTES)
    sentAt = DateTimeInput(source="sent_at")


class ConversationInput(StrictInput):
    socialAccountId = OrgRefField(SocialAccount, source="social_account")
    contentPostId = OrgRefField(ContentPost, source="content_post", required=False, allow_null=True)
    participant = ParticipantInput()
    messages = MessageInput(many=True, required=False, default=list, max_length=MAX_MESSAGES_PER_REQUEST)

    def validate(self, attrs):
        post = attrs.get("content_post")
        if post is not None and post.social_account_id != attrs["social_account"].pk:
            raise ValidationError({"contentPostId": ["contentPostId must be a post of socialAccountId"]})
        return attrs


# --- envelopes (response shapes in the schema) -----------------------------------

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
CampaignResponse = envelope("CampaignResponse", campaign=CampaignSerializer())
CampaignListResponse = paged("CampaignListResponse", "campaigns", CampaignSerializer(many=True))
CustomFieldResponse = envelope("CustomFieldResponse", customField=CustomFieldSerializer())
CustomFieldListResponse = paged("CustomFieldListResponse", "customFields", CustomFieldSerializer(many=True))
SocialAccountResponse = envelope("SocialAccountResponse", socialAccount=SocialAccountSerializer())
SocialAccountListResponse = paged("SocialAccountListResponse", "socialAccounts", SocialAccountSerializer(many=True))
ContentPostResponse = envelope("ContentPostResponse", post=ContentPostSerializer())
ContentPostListResponse = paged("ContentPostListResponse", "posts", ContentPostSerializer(many=True))
ConversationResponse = envelope("ConversationResponse", conversation=ConversationDetailSerializer())
ConversationListResponse = paged("ConversationListResponse", "conversations", ConversationSerializer(many=True))
