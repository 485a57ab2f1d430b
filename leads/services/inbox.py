"""The social inbox: accounts, posts, conversations and their messages, and turning a conversation into a lead."""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from pipelines.models import Pipeline
from vchata.accounts.models import Organization, User
from vchata.exceptions import Conflict, InvalidInput

from ..events import EventKind, LeadEvent, emit
from ..models import Activity, Contact, ContentPost, Conversation, Lead, Message, SocialAccount
from .common import check_org_links, save_unique
from .contacts import find_or_create_contact
from .leads import add_activity, create_lead


@transaction.atomic
def convert_conversation(
    *,
    org: Organization,
    actor: User | None,
    conversation_id: str,
    pipeline: Pipeline,
    source: str | None = "social_media",
    value: Decimal | None = None,
    notes: str = "",
) -> tuple[Lead, Contact]:
    """Turn a social conversation into a lead, linked to its account and post.

    The conversation row is locked, so two conversions of one conversation
    serialise; the second sees the first's lead and gets a 409.
    """
    conversation = Conversation.objects.for_org(org).select_for_update().filter(pk=conversation_id).first()
    if conversation is None:
        raise InvalidInput(["conversationId does not match any conversation in this organization"])
    if Lead.objects.filter(conversation=conversation).exists():
        raise Conflict("Conversation has already been converted to a lead")
    contact, _ = find_or_create_contact(
        org=org,
        name=conversation.participant_name,
        email=conversation.participant_email,
        phone=conversation.participant_phone,
    )
    lead = create_lead(
        org=org,
        actor=actor,
        contact=contact,
        pipeline=pipeline,
        source=source,
        value=value,
        notes=notes,
        social_account=conversation.social_account,
        content_post=conversation.content_post,
        conversation=conversation,
    )
    emit(LeadEvent(EventKind.CONVERSATION_CONVERTED, org, lead, actor, detail=conversation.pk))
    return lead, contact


SOCIAL_ACCOUNT_EXISTS = "A social account with this platform and platformId already exists"
CONTENT_POST_EXISTS = "A post with this platformPostId already exists for this social account"


@transaction.atomic
def create_social_account(
    *, org: Organization, actor: User | None, platform: str, platform_id: str, name: str
) -> SocialAccount:
    if SocialAccount.objects.for_org(org).filter(platform=platform, platform_id=platform_id).exists():
        raise Conflict(SOCIAL_ACCOUNT_EXISTS)
    account = SocialAccount(organization=org, platform=platform, platform_id=platform_id, name=name)
    save_unique(account, SOCIAL_ACCOUNT_EXISTS, force_insert=True)
    return account


@transaction.atomic
def create_content_post(
    *,
    org: Organization,
    actor: User | None,
    social_account: SocialAccount,
    platform_post_id: str,
    content: str = "",
    url: str = "",
) -> ContentPost:
    check_org_links(org, socialAccountId=social_account)
    if ContentPost.objects.filter(social_account=social_account, platform_post_id=platform_post_id).exists():
        raise Conflict(CONTENT_POST_EXISTS)
    post = ContentPost(
        organization=org, social_account=social_account, platform_post_id=platform_post_id, content=content, url=url
    )
    save_unique(post, CONTENT_POST_EXISTS, force_insert=True)
    return post


@transaction.atomic
def create_conversation(
    *,
    org: Organization,
    actor: User | None,
    social_account: SocialAccount,
    participant: Mapping[str, str],
    content_post: ContentPost | None = None,
    messages: Iterable[Mapping[str, Any]] = (),
) -> Conversation:
    """A conversation with a participant on one of the org's social accounts, and its first messages.

    ``messages`` items have ``direction``, ``text`` and ``sent_at``.
    """
    check_org_links(org, socialAccountId=social_account, contentPostId=content_post)
    if content_post is not None and content_post.social_account_id != social_account.pk:
        raise InvalidInput(["contentPostId must be a post of socialAccountId"])
    conversation = Conversation.objects.create(
        organization=org,
        social_account=social_account,
        content_post=content_post,
        participant_name=participant["name"],
        participant_handle=participant.get("handle") or "",
        participant_email=participant.get("email") or "",
        participant_phone=participant.get("phone") or "",
    )
    Message.objects.bulk_create(
        Message(conversation=conversation, direction=m["direction"], text=m["text"], sent_at=m["sent_at"])
        for m in messages
    )
    return conversation


def _conversation_with_participant(
    org: Organization, social_account: SocialAccount, platform_id: str, participant: Mapping[str, str]
) -> Conversation:
    """The account's conversation with this platform user, made on their first message.

    The unique (account, participant id) index settles two first messages processed at once.
    """
    existing = Conversation.objects.filter(social_account=social_account, participant_platform_id=platform_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Conversation.objects.create(
                organization=org,
                social_account=social_account,
                participant_platform_id=platform_id,
                participant_name=participant.get("name") or platform_id,
                participant_handle=participant.get("handle") or "",
                participant_phone=participant.get("phone") or "",
            )
    except IntegrityError:
        return Conversation.objects.get(social_account=social_account, participant_platform_id=platform_id)


@transaction.atomic
def record_platform_message(
    *,
    org: Organization,
    social_account: SocialAccount,
    participant_platform_id: str,
    participant: Mapping[str, str],
    platform_message_id: str,
    direction: str,
    text: str,
    sent_at,
    attachments: Iterable[Mapping[str, Any]] = (),
) -> Message | None:
    """File a message a platform delivered (Messenger, Instagram, WhatsApp) into the participant's conversation.

    None when the message is already there (same platform message id): a redelivered
    webhook adds nothing. Once the conversation is a lead, the message also goes on the
    lead's timeline as a ``SOCIAL_MESSAGE`` activity.
    """
    check_org_links(org, socialAccountId=social_account)
    conversation = _conversation_with_participant(org, social_account, participant_platform_id, participant)
    if conversation.messages.filter(platform_message_id=platform_message_id).exists():
        return None
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation,
                direction=direction,
                text=text,
                sent_at=sent_at,
                platform_message_id=platform_message_id,
                attachments=list(attachments),
            )
    except IntegrityError:
        return None  # the same message, filed meanwhile by another worker
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    lead_id = Lead.objects.filter(conversation=conversation).values_list("pk", flat=True).first()
    if lead_id is not None:
        add_activity(
            org=org,
            actor=None,
            lead_id=lead_id,
            type=Activity.Type.SOCIAL_MESSAGE,
            description=text,
            metadata={
                "conversationId": conversation.pk,
                "direction": direction,
                "platformMessageId": platform_message_id,
                "attachments": message.attachments,
            },
        )
    return message
