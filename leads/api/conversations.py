"""``/conversations/{orgId}…``: social accounts, their posts, and conversations with their messages."""

from drf_spectacular.utils import extend_schema

from vchata.responses import created, ok
from vchata.schema import errors
from vchata.tenancy import OrgScopedAPIView

from .. import selectors, services
from .. import serializers as s
from .base import paged, validated
from .leads import PAGE_PARAMETERS

TAGS = ["conversations"]


class SocialAccountsView(OrgScopedAPIView):
    @extend_schema(
        operation_id="social_accounts_list",
        summary="List social accounts",
        parameters=PAGE_PARAMETERS,
        responses={200: s.SocialAccountListResponse, **errors(400, 404)},
        tags=TAGS,
    )
    def get(self, request, org_id):
        return paged(
            message="Social accounts retrieved successfully",
            key="socialAccounts",
            serializer_class=s.SocialAccountSerializer,
            queryset=selectors.social_account_list(org=self.org),
            request=request,
        )

    @extend_schema(
        operation_id="social_accounts_create",
        summary="Connect a social account",
        description="One account per platform and platformId in an organization (409 when it exists).",
        request=s.SocialAccountInput,
        responses={201: s.SocialAccountResponse, **errors(400, 404, 409)},
        tags=TAGS,
    )
    def post(self, request, org_id):
        data = validated(s.SocialAccountInput, request, self.org)
        account = services.create_social_account(org=self.org, actor=request.user, **data)
        return created(
            message="Social account created successfully", socialAccount=s.SocialAccountSerializer(account).data
        )


class ContentPostsView(OrgScopedAPIView):
    @extend_schema(
        operation_id="posts_list",
        summary="List content posts, newest first",
        parameters=PAGE_PARAMETERS,
        responses={200: s.ContentPostListResponse, **errors(400, 404)},
        tags=TAGS,
    )
    def get(self, request, org_id):
        return paged(
            message="Posts retrieved successfully",
            key="posts",
            serializer_class=s.ContentPostSerializer,
            queryset=selectors.content_post_list(org=self.org),
            request=request,
        )

    @extend_schema(
        operation_id="posts_create",
        summary="Record a content post of a social account",
        description="One post per platformPostId on an account (409 when it exists).",
        request=s.ContentPostInput,
        responses={201: s.ContentPostResponse, **errors(400, 404, 409)},
        tags=TAGS,
    )
    def post(self, request, org_id):
        data = validated(s.ContentPostInput, request, self.org)
        post = services.create_content_post(org=self.org, actor=request.user, **data)
        return created(message="Post created successfully", post=s.ContentPostSerializer(post).data)


class ConversationsView(OrgScopedAPIView):
    @extend_schema(
        operation_id="conversations_list",
        summary="List conversations, newest first",
        parameters=PAGE_PARAMETERS,
        responses={200: s.ConversationListResponse, **errors(400, 404)},
        tags=TAGS,
    )
    def get(self, request, org_id):
        return paged(
            message="Conversations retrieved successfully",
            key="conversations",
            serializer_class=s.ConversationSerializer,
            queryset=selectors.conversation_list(org=self.org),
            request=request,
        )

    @extend_schema(
        operation_id="conversations_create",
        summary="Record a conversation and its first messages",
        request=s.ConversationInput,
        responses={201: s.ConversationResponse, **errors(400, 404)},
        tags=TAGS,
    )
    def post(self, request, org_id):
        data = validated(s.ConversationInput, request, self.org)
        conversation = services.create_conversation(org=self.org, actor=request.user, **data)
        conversation = selectors.conversation_detail(org=self.org, conversation_id=conversation.pk)
        return created(
            message="Conversation created successfully",
            conversation=s.ConversationDetailSerializer(conversation).data,
        )


class ConversationView(OrgScopedAPIView):
    @extend_schema(
        operation_id="conversations_retrieve",
        summary="Get a conversation with its messages",
        description="``leadId`` is the lead made from it, once converted.",
        responses={200: s.ConversationResponse, **errors(404)},
        tags=TAGS,
    )
    def get(self, request, org_id, conv_id):
        conversation = selectors.conversation_detail(org=self.org, conversation_id=conv_id)
        return ok(
            message="Conversation retrieved successfully",
            conversation=s.ConversationDetailSerializer(conversation).data,
        )
