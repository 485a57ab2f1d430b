"""Correcting and removing the social inbox's rows: accounts, posts, conversations and their messages.

The API only files these rows (``inbox``); the admin also fixes and removes
them, with the same checks: rows of the org only, a post of the conversation's
own account, the unique platform ids as the documented conflicts. Leads made
from a removed row stay, no longer linked to it.
"""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from vchata.accounts.models import Organization, User
from vchata.exceptions import InvalidInput
from vchata.tenancy import get_in_org

from ..models import Activity, ContentPost, Conversation, Lead, Message, SocialAccount
from .common import check_org_links, save_unique
from .inbox import CONTENT_POST_EXISTS, SOCIAL_ACCOUNT_EXISTS
from .leads import add_activity

SOCIAL_ACCOUNT_FIELDS = ("platform", "platform_id", "name")
CONTENT_POST_FIELDS = ("platform_post_id", "content", "url")
CONVERSATION_FIELDS = (
    "content_post",
    "participant_name",
    "participant_handle",
    "participant_email",
    "participant_phone",
)
MESSAGE_FIELDS = ("direction", "text", "sent_at")
MESSAGE_EXISTS = "This conversation already has a message with this platform message id"


def _apply(row, changes: Mapping[str, Any], fields: tuple[str, ...]) -> None:
    for name in fields:
        if name in changes:
            setattr(row, name, changes[name])


@transaction.atomic
def update_social_account(
    *, org: Organization, actor: User | None, account_id: str, changes: Mapping[str, Any]
) -> SocialAccount:
    account = get_in_org(SocialAccount, org, account_id, lock=True)
    _apply(account, changes, SOCIAL_ACCOUNT_FIELDS)
    save_unique(account, SOCIAL_ACCOUNT_EXISTS)
    return account


@transaction.atomic
def delete_social_account(*, org: Organization, actor: User | None, account_id: str) -> None:
    """Delete an account with its posts and conversations; leads made from them stay."""
    get_in_org(SocialAccount, org, account_id, lock=True).delete()


@transaction.atomic
def update_content_post(
    *, org: Organization, actor: User | None, post_id: str, changes: Mapping[str, Any]
) -> ContentPost:
    """Change a post's id on the platform, text or URL; it stays on its account."""
    post = get_in_org(ContentPost, org, post_id, lock=True)
    _apply(post, changes, CONTENT_POST_FIELDS)
    save_unique(post, CONTENT_POST_EXISTS)
    return post


@transaction.atomic
def delete_content_post(*, org: Organization, actor: User | None, post_id: str) -> None:
    get_in_org(ContentPost, org, post_id, lock=True).delete()


@transaction.atomic
def update_conversation(
    *, org: Organization, actor: User | None, conversation_id: str, changes: Mapping[str, Any]
) -> Conversation:
    """Correct the participant's details or the post the conversation started on (a post of its account)."""
    conversation = get_in_org(Conversation, org, conversation_id, lock=True)
    _apply(conversation, changes, CONVERSATION_FIELDS)
    post = conversation.content_post
    check_org_links(org, contentPostId=post)
    if post is not None and post.social_account_id != conversation.social_account_id:
        raise InvalidInput(["contentPostId must be a post of socialAccountId"])
    conversation.save()
    return conversation


@transaction.atomic
def delete_conversation(*, org: Organization, actor: User | None, conversation_id: str) -> None:
    """Delete a conversation and its messages; a lead made from it stays."""
    get_in_org(Conversation, org, conversation_id, lock=True).delete()


def _conversation(org: Organization, conversation_id: str) -> Conversation:
    return get_in_org(Conversation, org, conversation_id, lock=True)


@transaction.atomic
def add_message(
    *, org: Organization, actor: User | None, conversation_id: str, direction: str, text: str, sent_at
) -> Message:
    """Add a message; once the conversation is a lead it also goes on the lead's timeline, as a platform's does."""
    conversation = _conversation(org, conversation_id)
    message = Message.objects.create(conversation=conversation, direction=direction, text=text, sent_at=sent_at)
    lead_id = Lead.objects.filter(conversation=conversation).values_list("pk", flat=True).first()
    if lead_id is not None:
        add_activity(
            org=org,
            actor=actor,
            lead_id=lead_id,
            type=Activity.Type.SOCIAL_MESSAGE,
            description=text,
            metadata={"conversationId": conversation.pk, "direction": direction},
        )
    return message


@transaction.atomic
def update_message(
    *, org: Organization, actor: User | None, conversation_id: str, message_id: int, changes: Mapping[str, Any]
) -> Message:
    conversation = _conversation(org, conversation_id)
    message = get_message(conversation, message_id)
    _apply(message, changes, MESSAGE_FIELDS)
    save_unique(message, MESSAGE_EXISTS)
    return message


@transaction.atomic
def delete_message(*, org: Organization, actor: User | None, conversation_id: str, message_id: int) -> None:
    get_message(_conversation(org, conversation_id), message_id).delete()


def get_message(conversation: Conversation, message_id: int) -> Message:
    message = conversation.messages.filter(pk=message_id).first()
    if message is None:
        raise InvalidInput(["messageId does not match any message of this conversation"])
    return message
