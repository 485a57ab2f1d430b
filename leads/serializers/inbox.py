"""Social accounts, posts and conversations: their bodies and answers."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from vchata.inputs import MAX_NOTES, DateTimeInput, NullIfBlankField, OrgRefField, StrictInput
from vchata.schema import envelope, paged
from vchata.serialization import CompiledOutputMixin

from ..models import ContentPost, Conversation, Message, SocialAccount

MAX_MESSAGES_PER_REQUEST = 500


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


class ParticipantSerializer(serializers.Serializer):
    name = serializers.CharField(source="participant_name")
    handle = NullIfBlankField(source="participant_handle")
    email = NullIfBlankField(source="participant_email")
    phone = NullIfBlankField(source="participant_phone")
    platformId = NullIfBlankField(source="participant_platform_id", help_text="The participant's id on the platform.")


class MessageSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=Message.Direction.choices)
    text = serializers.CharField()
    sentAt = serializers.DateTimeField(source="sent_at")
    platformMessageId = NullIfBlankField(source="platform_message_id")
    attachments = serializers.ListField(child=serializers.DictField(), help_text="Links to media sent with it.")


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


SocialAccountResponse = envelope("SocialAccountResponse", socialAccount=SocialAccountSerializer())
SocialAccountListResponse = paged("SocialAccountListResponse", "socialAccounts", SocialAccountSerializer(many=True))
ContentPostResponse = envelope("ContentPostResponse", post=ContentPostSerializer())
ContentPostListResponse = paged("ContentPostListResponse", "posts", ContentPostSerializer(many=True))
ConversationResponse = envelope("ConversationResponse", conversation=ConversationDetailSerializer())
ConversationListResponse = paged("ConversationListResponse", "conversations", ConversationSerializer(many=True))
