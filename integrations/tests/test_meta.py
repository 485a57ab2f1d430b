"""``/webhooks/meta``: the handshake, signed bodies stored then filed into conversations, once each."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from integrations.models import InboundEvent
from integrations.tasks import sweep_inbound_events
from leads.models import Activity, Conversation, Message, SocialAccount
from leads.tests.factories import SocialAccountFactory

from .conftest import META_SECRET, META_TOKEN
from .meta_support import INSTAGRAM_ID, PAGE_ID, WHATSAPP_PHONE_ID, fixture, post_signed, signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(org):
    return SocialAccountFactory(organization=org, platform=SocialAccount.Platform.FACEBOOK, platform_id=PAGE_ID)


@pytest.fixture
def instagram(org):
    return SocialAccountFactory(organization=org, platform=SocialAccount.Platform.INSTAGRAM, platform_id=INSTAGRAM_ID)


@pytest.fixture
def whatsapp(org):
    return SocialAccountFactory(
        organization=org, platform=SocialAccount.Platform.WHATSAPP, platform_id=WHATSAPP_PHONE_ID
    )


@pytest.fixture
def deliver(anon, meta_settings, django_capture_on_commit_callbacks):
    """Post a body signed with the app secret and let the in-process worker run after the commit."""

    def post(body, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post_signed(anon, body, secret=META_SECRET, **kwargs)

    return post


# --- handshake ----------------------------------------------------------------------------------


def test_the_handshake_answers_the_challenge(anon, meta_settings):
    query = {"hub.mode": "subscribe", "hub.verify_token": META_TOKEN, "hub.challenge": "1158201444"}

    response = anon.get("/webhooks/meta", query)

    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": META_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
def test_a_handshake_with_the_wrong_token_is_refused(anon, meta_settings, query):
    response = anon.get("/webhooks/meta", query)

    assert response.status_code == 403
    assert response.json()["message"] == "Verification token does not match"


def test_without_a_configured_token_no_handshake_succeeds(anon, settings):
    settings.META_VERIFY_TOKEN = ""

    response = anon.get("/webhooks/meta", {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"})

    assert response.status_code == 403


# --- signatures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "",
        "sha256=" + "0" * 64,
        "sha1=abc",
        "sha256=zz",
        signature("another-apps-secret", fixture("whatsapp_text.json")),
    ],
)
def test_a_missing_or_wrong_signature_is_a_401_and_nothing_is_stored(deliver, whatsapp, header):
    response = deliver(fixture("whatsapp_text.json"), header=header)

    assert response.status_code == 401
    assert response.json()["message"] == "Missing or invalid X-Hub-Signature-256"
    assert InboundEvent.objects.count() == 0
    assert Message.objects.count() == 0


def test_a_signature_over_other_bytes_is_refused(deliver, whatsapp):
    body = fixture("whatsapp_text.json")
    reencoded = json.dumps(json.loads(body)).encode()  # same JSON, other bytes: the raw body is what is signed

    response = deliver(body, header=signature(META_SECRET, reencoded))

    assert response.status_code == 401


# --- filing messages ----------------------------------------------------------------------------


def test_a_messenger_message_lands_in_the_pages_conversation(api, org, deliver, page):
    response = deliver(fixture("messenger_message.json"))

    assert response.status_code == 200
    assert response.json()["message"] == "Event received"
    conversation = Conversation.objects.get(social_account=page)
    assert conversation.participant_platform_id == "7010000000000011"
    shown = api.get(f"/conversations/{org.pk}/{conversation.pk}").json()["conversation"]
    assert shown["participant"]["platformId"] == "7010000000000011"
    text, image = shown["messages"]
    assert (text["direction"], text["text"]) == ("IN", "Hi! Is the oak dining table still available?")
    assert text["sentAt"] == "2024-12-02T11:59:59Z"
    assert image["text"] == ""
    assert image["attachments"] == [
        {"type": "image", "url": "https://scontent.xx.fbcdn.net/v/t1.15752-9/table-photo.jpg?stp=dst-jpg&_nc_cat=1"}
    ]
    assert InboundEvent.objects.get().state == "PROCESSED"


def test_an_echo_is_an_outgoing_message_and_receipts_change_nothing(deliver, page):
    deliver(fixture("messenger_message.json"))

    deliver(fixture("messenger_echo_read_delivery.json"))

    conversation = Conversation.objects.get(social_account=page)
    assert list(conversation.messages.values_list("direction", flat=True)) == ["IN", "IN", "OUT"]
    summary = InboundEvent.objects.get(object_type="page", summary__filed=1).summary
    assert summary["ignored"] == 2  # the delivery and the read receipt


def test_an_instagram_message_keeps_its_attachment_link(deliver, instagram):
    deliver(fixture("instagram_message.json"))

    message = Message.objects.get(conversation__social_account=instagram)
    assert message.text == "Love this reel! What sizes do you have?"
    assert message.attachments[0]["type"] == "ig_reel"
    assert message.attachments[0]["url"].startswith("https://lookaside.fbsbx.com/")
    assert message.conversation.participant_platform_id == "1234567890123456"


def test_a_whatsapp_message_names_its_participant(deliver, whatsapp):
    deliver(fixture("whatsapp_text.json"))
    deliver(fixture("whatsapp_image.json"))

    conversation = Conversation.objects.get(social_account=whatsapp)
    assert (conversation.participant_name, conversation.participant_phone) == ("Sheena Nelson", "+16505551234")
    text, image = conversation.messages.all()
    assert text.text == "Does it come in another color?"
    assert image.text == "This one, but in blue"
    assert image.attachments == [
        {"type": "image", "url": None, "mediaId": "2754859441498128", "mimeType": "image/jpeg"}
    ]


def test_whatsapp_statuses_are_acknowledged_and_file_nothing(deliver, whatsapp):
    response = deliver(fixture("whatsapp_statuses.json"))

    assert response.status_code == 200
    assert Message.objects.count() == 0
    assert InboundEvent.objects.get().summary == {"filed": 0, "duplicates": 0, "ignored": 2, "unknownAccounts": []}


def test_a_replayed_body_is_acknowledged_and_adds_nothing(deliver, whatsapp):
    deliver(fixture("whatsapp_text.json"))

    response = deliver(fixture("whatsapp_text.json"))

    assert response.status_code == 200
    assert response.json()["message"] == "Event already received"
    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 1


def test_a_message_redelivered_in_another_batch_is_filed_once(deliver, whatsapp):
    deliver(fixture("whatsapp_text.json"))
    batch = json.loads(fixture("whatsapp_text.json"))
    batch["entry"][0]["changes"].append(json.loads(fixture("whatsapp_image.json"))["entry"][0]["changes"][0])

    deliver(batch)

    assert Message.objects.count() == 2
    assert InboundEvent.objects.latest("received_at").summary["duplicates"] == 1


def test_an_unknown_account_is_acknowledged_and_ignored(deliver, org):
    response = deliver(fixture("whatsapp_text.json"))

    assert response.status_code == 200
    assert Conversation.objects.count() == 0
    assert InboundEvent.objects.get().summary["unknownAccounts"] == [WHATSAPP_PHONE_ID]


def test_each_org_that_connected_the_account_gets_the_message(deliver, whatsapp, other_org):
    SocialAccountFactory(organization=other_org, platform="WHATSAPP", platform_id=WHATSAPP_PHONE_ID)

    deliver(fixture("whatsapp_text.json"))

    assert sorted(Conversation.objects.values_list("organization_id", flat=True)) == sorted(
        [whatsapp.organization_id, other_org.pk]
    )


# --- bad bodies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'{"object": "page"}', b'{"object": 1, "entry": []}', b"\xff\xfe", b"[" * 100],
)
def test_a_signed_but_malformed_body_is_a_400_and_not_stored(deliver, body):
    response = deliver(body)

    assert response.status_code == 400
    assert response.json()["success"] is False
    assert InboundEvent.objects.count() == 0


def test_an_oversized_body_is_refused_before_it_is_read(deliver, settings):
    settings.API_MAX_BODY_BYTES = 1000

    response = deliver(b'{"object": "page", "entry": [' + b" " * 2000 + b"]}")

    assert response.status_code == 413
    assert InboundEvent.objects.count() == 0


def test_odd_entries_are_skipped_not_fatal(deliver, page):
    body = json.loads(fixture("messenger_message.json"))
    body["entry"] += ["junk", {"id": PAGE_ID, "messaging": [{"message": "not an object"}, {"sender": 5}]}]

    response = deliver(body)

    assert response.status_code == 200
    assert Message.objects.count() == 2
    assert InboundEvent.objects.get().state == "PROCESSED"


def test_processing_that_fails_is_retried_by_the_sweep(deliver, whatsapp, monkeypatch):
    import integrations.inbound as inbound

    real = inbound.record_platform_message
    monkeypatch.setattr(inbound, "record_platform_message", lambda **kw: 1 / 0)
    deliver(fixture("whatsapp_text.json"))
    event = InboundEvent.objects.get()
    assert (event.state, event.attempts) == ("PENDING", 1)
    assert event.error == "ZeroDivisionError: division by zero"
    assert Message.objects.count() == 0

    monkeypatch.setattr(inbound, "record_platform_message", real)
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert sweep_inbound_events() == 1

    event.refresh_from_db()
    assert event.state == "PROCESSED"
    assert Message.objects.count() == 1


# --- end to end ---------------------------------------------------------------------------------------


def test_a_whatsapp_conversation_becomes_a_lead_and_later_messages_go_on_its_timeline(
    api, org, pipeline, deliver, whatsapp, django_capture_on_commit_callbacks
):
    deliver(fixture("whatsapp_text.json"))
    conversation = Conversation.objects.get(social_account=whatsapp)

    with django_capture_on_commit_callbacks(execute=True):
        converted = api.post(
            f"/leads/{org.pk}/convert-conversation",
            {"conversationId": conversation.pk, "pipelineId": pipeline.pk},
            format="json",
        )
    assert converted.status_code == 201
    lead_id = converted.json()["lead"]["id"]
    assert converted.json()["contact"]["phone"] == "+16505551234"

    deliver(fixture("whatsapp_image.json"))
    deliver(fixture("whatsapp_image.json"))  # Meta retried: still one activity

    activities = api.get(f"/leads/{org.pk}/{lead_id}/activities").json()["activities"]
    social = [a for a in activities if a["type"] == Activity.Type.SOCIAL_MESSAGE]
    assert len(social) == 1
    assert social[0]["description"] == "This one, but in blue"
    assert social[0]["metadata"]["conversationId"] == conversation.pk
    assert social[0]["metadata"]["attachments"][0]["mediaId"] == "2754859441498128"
    shown = api.get(f"/conversations/{org.pk}/{conversation.pk}").json()["conversation"]
    assert shown["leadId"] == lead_id
    assert [m["text"] for m in shown["messages"]] == ["Does it come in another color?", "This one, but in blue"]
