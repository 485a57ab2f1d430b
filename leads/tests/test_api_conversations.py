"""``/conversations/{orgId}…``: social accounts, posts, conversations."""

import pytest

from conftest import client_for
from leads.models import ContentPost, Conversation, Message, SocialAccount
from leads.services import convert_conversation
from leads.tests.factories import ContentPostFactory, ConversationFactory, MessageFactory, SocialAccountFactory
from tests.support.api import (
    TIMESTAMP,
    error,
    problems,
)
from vchata.accounts.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def conv_url(org, *parts: str) -> str:
    return "/".join([f"/conversations/{org.pk}", *parts])


# --- social accounts ------------------------------------------------------------------


def test_create_a_social_account(api, org):
    body = {"platform": "FACEBOOK", "platformId": "123456789", "name": "Acme Corp Facebook"}

    response = api.post(conv_url(org, "social-accounts"), body, format="json")

    assert response.status_code == 201
    payload = response.json()
    assert payload["message"] == "Social account created successfully"
    assert payload["socialAccount"] | body == payload["socialAccount"]
    assert payload["socialAccount"]["id"].startswith("social_")


def test_a_duplicate_social_account_is_a_conflict(api, org):
    SocialAccountFactory(organization=org, platform="FACEBOOK", platform_id="123")

    response = api.post(
        conv_url(org, "social-accounts"), {"platform": "FACEBOOK", "platformId": "123", "name": "Again"}, format="json"
    )

    assert response.status_code == 409
    assert error(response) == "A social account with this platform and platformId already exists"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"platform": "MYSPACE", "platformId": "1", "name": "A"},
            'platform must be one of the allowed values, not "MYSPACE"',
        ),
        ({"platform": "TIKTOK", "name": "A"}, "platformId is required"),
        ({"platform": "TIKTOK", "platformId": "1", "name": "n" * 201}, "name must be at most 200 characters long"),
        ({"platform": "TIKTOK", "platformId": "1", "name": "A", "token": "t"}, "token is not an allowed field"),
    ],
)
def test_create_a_social_account_refuses_bad_input(api, org, body, message):
    response = api.post(conv_url(org, "social-accounts"), body, format="json")

    assert problems(response) == [message]
    assert not SocialAccount.objects.exists()


def test_social_accounts_are_listed_for_the_organization_only(api, org, other_org):
    mine = SocialAccountFactory(organization=org)
    SocialAccountFactory(organization=other_org)

    payload = api.get(conv_url(org, "social-accounts")).json()

    assert [a["id"] for a in payload["socialAccounts"]] == [mine.pk]
    assert payload["pagination"]["total"] == 1


# --- posts --------------------------------------------------------------------------


def test_create_a_post(api, org):
    account = SocialAccountFactory(organization=org)
    body = {
        "socialAccountId": account.pk,
        "platformPostId": "987654321",
        "content": "Check out our new product!",
        "url": "https://facebook.com/posts/987654321",
    }

    response = api.post(conv_url(org, "posts"), body, format="json")

    assert response.status_code == 201
    assert response.json()["post"] | body == response.json()["post"]
    assert response.json()["message"] == "Post created successfully"


def test_a_duplicate_post_is_a_conflict(api, org):
    post = ContentPostFactory(social_account__organization=org)

    response = api.post(
        conv_url(org, "posts"),
        {"socialAccountId": post.social_account_id, "platformPostId": post.platform_post_id},
        format="json",
    )

    assert response.status_code == 409
    assert error(response) == "A post with this platformPostId already exists for this social account"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"url": "not a url"}, "url must be a valid URL"),
        ({"content": "c" * 5001}, "content must be at most 5000 characters long"),
        ({"platformPostId": None}, "platformPostId may not be null"),
    ],
)
def test_create_a_post_refuses_bad_input(api, org, change, message):
    account = SocialAccountFactory(organization=org)

    response = api.post(
        conv_url(org, "posts"), {"socialAccountId": account.pk, "platformPostId": "1", **change}, format="json"
    )

    assert problems(response) == [message]
    assert not ContentPost.objects.exists()


def test_a_post_on_another_organizations_account_is_refused(api, org, other_org):
    foreign = SocialAccountFactory(organization=other_org)

    response = api.post(conv_url(org, "posts"), {"socialAccountId": foreign.pk, "platformPostId": "1"}, format="json")

    assert problems(response) == ["socialAccountId does not match any social account in this organization"]


def test_posts_are_listed_newest_first(api, org, other_org):
    older = ContentPostFactory(social_account__organization=org)
    newer = ContentPostFactory(social_account=older.social_account)
    ContentPostFactory(social_account__organization=other_org)

    payload = api.get(conv_url(org, "posts")).json()

    assert [p["id"] for p in payload["posts"]] == [newer.pk, older.pk]


# --- conversations ------------------------------------------------------------------


def test_create_a_conversation_with_messages(api, org):
    account = SocialAccountFactory(organization=org)
    post = ContentPostFactory(social_account=account)
    body = {
        "socialAccountId": account.pk,
        "contentPostId": post.pk,
        "participant": {"name": "Jane Smith", "handle": "@jane", "email": "jane@example.com"},
        "messages": [
            {"direction": "IN", "text": "Is this available?", "sentAt": "2024-01-20T15:00:00Z"},
            {"direction": "OUT", "text": "Yes!", "sentAt": "2024-01-20T15:05:00Z"},
        ],
    }

    response = api.post(conv_url(org), body, format="json")

    assert response.status_code == 201
    conversation = response.json()["conversation"]
    assert response.json()["message"] == "Conversation created successfully"
    assert conversation["participant"] == {
        "name": "Jane Smith",
        "handle": "@jane",
        "email": "jane@example.com",
        "phone": None,
        "platformId": None,
    }
    assert conversation["messages"] == [{**m, "platformMessageId": None, "attachments": []} for m in body["messages"]]
    assert (conversation["socialAccountId"], conversation["contentPostId"], conversation["leadId"]) == (
        account.pk,
        post.pk,
        None,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"participant": {}}, "participant.name is required"),
        ({"participant": {"name": "A", "email": "nope"}}, "participant.email must be a valid email address"),
        ({"participant": "Jane"}, "participant must be an object"),
        (
            {"messages": [{"direction": "SIDEWAYS", "text": "hi", "sentAt": "2024-01-20T15:00:00Z"}]},
            'messages[0].direction must be one of the allowed values, not "SIDEWAYS"',
        ),
        ({"messages": [{"direction": "IN", "text": "hi"}]}, "messages[0].sentAt is required"),
        (
            {"messages": [{"direction": "IN", "text": "hi", "sentAt": "2024-01-20T15:00:00Z", "x": 1}]},
            "messages[0].x is not an allowed field",
        ),
        ({"messages": {"direction": "IN"}}, "messages must be a list"),
        ({"channel": "dm"}, "channel is not an allowed field"),
    ],
)
def test_create_a_conversation_refuses_bad_input(api, org, change, message):
    account = SocialAccountFactory(organization=org)
    body = {"socialAccountId": account.pk, "participant": {"name": "Jane"}, **change}

    response = api.post(conv_url(org), body, format="json")

    assert problems(response) == [message]
    assert not Conversation.objects.exists() and not Message.objects.exists()


def test_a_conversation_on_a_post_of_another_account_is_refused(api, org):
    account = SocialAccountFactory(organization=org)
    post = ContentPostFactory(social_account=SocialAccountFactory(organization=org))

    response = api.post(
        conv_url(org),
        {"socialAccountId": account.pk, "contentPostId": post.pk, "participant": {"name": "Jane"}},
        format="json",
    )

    assert problems(response) == ["contentPostId must be a post of socialAccountId"]


def test_conversation_detail_has_messages_in_order_and_the_lead_once_converted(api, org, user, pipeline):
    conversation = ConversationFactory(social_account__organization=org)
    later = MessageFactory(conversation=conversation, text="second")
    MessageFactory(conversation=conversation, text="first", sent_at=later.sent_at.replace(year=2020))
    lead, _ = convert_conversation(org=org, actor=user, conversation_id=conversation.pk, pipeline=pipeline)

    response = api.get(conv_url(org, conversation.pk))

    payload = response.json()
    assert payload["message"] == "Conversation retrieved successfully"
    assert [m["text"] for m in payload["conversation"]["messages"]] == ["first", "second"]
    assert payload["conversation"]["leadId"] == lead.pk
    assert TIMESTAMP.match(payload["conversation"]["messages"][0]["sentAt"])


def test_conversations_are_listed_newest_first_without_messages(api, org, other_org):
    older = ConversationFactory(social_account__organization=org)
    newer = ConversationFactory(social_account=older.social_account)
    ConversationFactory(social_account__organization=other_org)

    payload = api.get(conv_url(org)).json()

    assert [c["id"] for c in payload["conversations"]] == [newer.pk, older.pk]
    assert "messages" not in payload["conversations"][0]


def test_conversation_list_query_count_does_not_grow_with_the_page_size(
    api, org, user, pipeline, django_assert_num_queries
):
    account = SocialAccountFactory(organization=org)
    for n in range(12):
        conversation = ConversationFactory(social_account=account)
        if n % 2:
            convert_conversation(org=org, actor=user, conversation_id=conversation.pk, pipeline=pipeline)

    # membership (+org, user), COUNT, the page with each conversation's lead joined
    with django_assert_num_queries(3):
        api.get(conv_url(org) + "?limit=2")
    with django_assert_num_queries(3):
        api.get(conv_url(org) + "?limit=100")


def test_another_organizations_conversation_is_not_found(api, org, other_org):
    foreign = ConversationFactory(social_account__organization=other_org)

    response = api.get(conv_url(org, foreign.pk))

    assert response.status_code == 404
    assert error(response) == "Conversation not found or you don't have access"


def test_conversation_routes_refuse_a_member_of_another_organization(org):
    conversation = ConversationFactory(social_account__organization=org)
    client = client_for(OrganizationFactory().memberships.get().user)

    responses = [
        client.get(conv_url(org)),
        client.post(conv_url(org), {}, format="json"),
        client.get(conv_url(org, conversation.pk)),
        client.get(conv_url(org, "social-accounts")),
        client.post(conv_url(org, "social-accounts"), {}, format="json"),
        client.get(conv_url(org, "posts")),
        client.post(conv_url(org, "posts"), {}, format="json"),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
