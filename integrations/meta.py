"""Reading Meta webhook bodies (Messenger, Instagram, WhatsApp Cloud API) into platform messages.

The shapes are Meta's:

- Messenger (``object: "page"``) and Instagram (``object: "instagram"``):
  ``entry[].messaging[]`` (and ``entry[].standby[]`` while another app holds the
  thread), each with ``sender.id``, ``recipient.id``, ``timestamp`` (ms) and a
  ``message`` (``mid``, ``text``, ``attachments[].payload.url``, ``is_echo`` for
  what the page itself sent) or a ``postback``; ``entry[].id`` is the Page id /
  Instagram professional account id.
- WhatsApp (``object: "whatsapp_business_account"``):
  ``entry[].changes[]`` with ``field: "messages"`` and a ``value`` holding
  ``metadata.phone_number_id`` (the account), ``contacts[]`` (``wa_id``,
  ``profile.name``) and ``messages[]`` (``from``, ``id``, ``timestamp`` in
  seconds, ``type`` and an object of that type). ``smb_message_echoes`` carries
  what the business sent from the WhatsApp Business app.

Read receipts, deliveries, reactions and WhatsApp ``statuses`` change no
conversation: they are counted as ignored. A body that isn't an object with
``object`` and an ``entry`` list is malformed; a single odd entry is skipped.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from leads.models import Message, SocialAccount

OBJECT_PLATFORMS = {
    "page": SocialAccount.Platform.FACEBOOK,
    "instagram": SocialAccount.Platform.INSTAGRAM,
    "whatsapp_business_account": SocialAccount.Platform.WHATSAPP,
}
PLATFORM_LABELS = {
    SocialAccount.Platform.FACEBOOK: "Messenger",
    SocialAccount.Platform.INSTAGRAM: "Instagram",
    SocialAccount.Platform.WHATSAPP: "WhatsApp",
}
WHATSAPP_MEDIA = ("image", "video", "audio", "document", "sticker")
MAX_TEXT = 10_000


class MalformedPayload(ValueError):
    pass


@dataclass
class PlatformMessage:
    platform: str
    account_id: str  # page id, Instagram account id, WhatsApp phone-number id
    participant_id: str  # PSID, IGSID, wa_id
    message_id: str
    direction: str
    text: str
    sent_at: datetime
    participant_name: str = ""
    participant_phone: str = ""
    attachments: list[dict] = field(default_factory=list)


@dataclass
class ParsedPayload:
    messages: list[PlatformMessage] = field(default_factory=list)
    ignored: int = 0


def check_shape(payload) -> str:
    """The payload's ``object``, or ``MalformedPayload`` when it isn't a Meta webhook body at all."""
    if not isinstance(payload, Mapping):
        raise MalformedPayload("The body must be a JSON object")
    if not isinstance(payload.get("object"), str) or not isinstance(payload.get("entry"), list):
        raise MalformedPayload("The body must have an object name and an entry list")
    return payload["object"]


def parse(payload) -> ParsedPayload:
    platform = OBJECT_PLATFORMS.get(check_shape(payload))
    parsed = ParsedPayload()
    if platform is None:
        parsed.ignored = len(payload["entry"])  # another object (user, permissions…): nothing to file
        return parsed
    for entry in payload["entry"]:
        if not isinstance(entry, Mapping):
            parsed.ignored += 1
            continue
        items = _whatsapp(entry) if platform == SocialAccount.Platform.WHATSAPP else _messaging(entry, platform)
        for item in items:
            if item is None:
                parsed.ignored += 1
            else:
                parsed.messages.append(item)
    return parsed


# --- Messenger and Instagram ------------------------------------------------------


def _messaging(entry: Mapping, platform: str) -> Iterator[PlatformMessage | None]:
    account_id = _text(entry.get("id"))
    for key in ("messaging", "standby"):
        for item in _list(entry.get(key)):
            yield _messaging_item(item, platform, account_id) if isinstance(item, Mapping) else None


def _messaging_item(item: Mapping, platform: str, account_id: str) -> PlatformMessage | None:
    sender, recipient = _id_of(item.get("sender")), _id_of(item.get("recipient"))
    sent_at = _from_millis(item.get("timestamp")) or datetime.now(UTC)
    message, postback = item.get("message"), item.get("postback")
    if isinstance(message, Mapping):
        if message.get("is_deleted") or not message.get("mid"):
            return None  # an unsent message, or nothing to dedupe on
        echo = bool(message.get("is_echo"))
        participant = recipient if echo else sender
        attachments = [_messenger_attachment(a) for a in _list(message.get("attachments")) if isinstance(a, Mapping)]
        text = _text(message.get("text"))
    elif isinstance(postback, Mapping):
        echo, participant = False, sender
        title = _text(postback.get("title"))
        text, attachments = title, [{"type": "postback", "payload": _text(postback.get("payload"))}]
        message = {"mid": postback.get("mid") or f"postback:{sender}:{item.get('timestamp')}"}
    else:
        return None  # read, delivery, reaction, referral, seen…
    if not (participant and account_id):
        return None
    return PlatformMessage(
        platform=platform,
        account_id=account_id,
        participant_id=participant,
        participant_name=f"{PLATFORM_LABELS[platform]} user {participant}",
        message_id=_text(message["mid"]),
        direction=Message.Direction.OUT if echo else Message.Direction.IN,
        text=text,
        sent_at=sent_at,
        attachments=attachments,
    )


def _messenger_attachment(attachment: Mapping) -> dict:
    payload = attachment.get("payload") if isinstance(attachment.get("payload"), Mapping) else {}
    link = {"type": _text(attachment.get("type")) or "file", "url": _text(payload.get("url")) or None}
    if attachment.get("title"):
        link["title"] = _text(attachment["title"])
    return link


# --- WhatsApp ------------------------------------------------------------------


def _whatsapp(entry: Mapping) -> Iterator[PlatformMessage | None]:
    for change in _list(entry.get("changes")):
        if not isinstance(change, Mapping) or not isinstance(change.get("value"), Mapping):
            yield None
            continue
        value = change["value"]
        if change.get("field") == "messages":
            key, echo = "messages", False
        elif change.get("field") == "smb_message_echoes":
            key, echo = "message_echoes", True
        else:
            yield None  # templates, account updates…
            continue
        metadata = value.get("metadata") if isinstance(value.get("metadata"), Mapping) else {}
        account_id = _text(metadata.get("phone_number_id"))
        names = {
            _text(c.get("wa_id")): _text(c["profile"].get("name"))
            for c in _list(value.get("contacts"))
            if isinstance(c, Mapping) and isinstance(c.get("profile"), Mapping)
        }
        for _status in _list(value.get("statuses")):
            yield None  # sent / delivered / read receipts of our own messages
        for message in _list(value.get(key)):
            yield _whatsapp_message(message, account_id, names, echo) if isinstance(message, Mapping) else None


def _whatsapp_message(message: Mapping, account_id: str, names: dict, echo: bool) -> PlatformMessage | None:
    kind = _text(message.get("type"))
    participant = _text(message.get("to") if echo else message.get("from"))
    sent_at = _from_seconds(message.get("timestamp")) or datetime.now(UTC)
    if kind in ("reaction", "system", "ephemeral") or not (account_id and participant):
        return None
    if not message.get("id"):
        return None
    text, attachments = _whatsapp_content(kind, message)
    return PlatformMessage(
        platform=SocialAccount.Platform.WHATSAPP,
        account_id=account_id,
        participant_id=participant,
        participant_name=names.get(participant) or f"WhatsApp +{participant}",
        participant_phone=f"+{participant}"[:40],
        message_id=_text(message["id"]),
        direction=Message.Direction.OUT if echo else Message.Direction.IN,
        text=text,
        sent_at=sent_at,
        attachments=attachments,
    )


def _whatsapp_content(kind: str, message: Mapping) -> tuple[str, list[dict]]:
    body = message.get(kind) if isinstance(message.get(kind), Mapping) else {}
    if kind == "text":
        return _text(body.get("body")), []
    if kind in WHATSAPP_MEDIA:
        link = {
            "type": kind,
            "url": _text(body.get("url")) or None,  # newer payloads carry it; else fetch by mediaId
            "mediaId": _text(body.get("id")) or None,
            "mimeType": _text(body.get("mime_type")) or None,
        }
        if body.get("filename"):
            link["filename"] = _text(body["filename"])
        return _text(body.get("caption")), [link]
    if kind == "location":
        place = {k: body.get(k) for k in ("latitude", "longitude", "name", "address") if body.get(k) is not None}
        label = ", ".join(_text(body.get(k)) for k in ("name", "address") if body.get(k))
        return label, [{"type": "location", "url": _map_link(body), **place}]
    if kind == "button":
        return _text(body.get("text")), []
    if kind == "interactive":
        reply = body.get("button_reply") or body.get("list_reply") or {}
        return _text(reply.get("title") if isinstance(reply, Mapping) else ""), []
    if kind == "contacts":
        shared = [c for c in _list(message.get("contacts")) if isinstance(c, Mapping)]
        names = [
            _text((c.get("name") or {}).get("formatted_name")) for c in shared if isinstance(c.get("name"), Mapping)
        ]
        return ", ".join(n for n in names if n), [{"type": "contacts", "url": None}]
    return "", [{"type": kind or "unsupported", "url": None}]


def _map_link(location: Mapping) -> str | None:
    latitude, longitude = location.get("latitude"), location.get("longitude")
    if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
        return None
    return f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}"


# --- small readers, forgiving of odd values ----------------------------------------


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _text(value) -> str:
    if value is None or isinstance(value, Mapping | list):
        return ""
    return str(value)[:MAX_TEXT]


def _id_of(party) -> str:
    return _text(party.get("id"))[:200] if isinstance(party, Mapping) else ""


def _from_millis(value) -> datetime | None:
    return _from_seconds(value / 1000) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _from_seconds(value) -> datetime | None:
    """A plausible send time, or None (the caller uses the time of arrival)."""
    try:
        moment = datetime.fromtimestamp(float(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    return moment if 2000 <= moment.year <= 2100 else None
