"""Inbound platform events: stored as received, then filed into conversations by a worker.

The web request only checks the signature and stores the body (a fast 200);
``process_inbound_event`` does the rest inside one transaction that holds the
row, so a worker that dies mid-way leaves the row ``PENDING`` for the sweep and
its half-done work rolled back. Messages are deduplicated by their platform
id, so processing a body twice (or two bodies carrying one message) files
each message once.
"""

import hashlib
import json
import logging
from datetime import timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from leads.models import SocialAccount
from leads.services import record_platform_message

from .meta import MalformedPayload, ParsedPayload, PlatformMessage, parse
from .models import InboundEvent
from .queue import send_task

logger = logging.getLogger("vchata.integrations")

MAX_PROCESSING_ATTEMPTS = 5
SWEEP_GRACE = timedelta(seconds=10)


def store_inbound_event(*, body: bytes, object_type: str) -> tuple[InboundEvent, bool]:
    """Keep a verified body; ``(row, created)``. The same bytes twice (a replay) are one row."""
    digest = hashlib.sha256(body).hexdigest()
    try:
        with transaction.atomic():
            row = InboundEvent.objects.create(
                body=body.decode("utf-8"), body_sha256=digest, object_type=object_type[:60]
            )
            transaction.on_commit(partial(send_task, "integrations.tasks.process_inbound_event", row.pk), robust=True)
    except IntegrityError:
        return InboundEvent.objects.get(body_sha256=digest), False
    return row, True


def process_inbound_event(event_id: int) -> InboundEvent | None:
    try:
        return _process(event_id)
    except Exception as exc:
        # A bug or a database problem: keep the row for another try (the sweep), then give up visibly.
        logger.exception("Inbound event %s could not be processed", event_id)
        pending = InboundEvent.objects.filter(pk=event_id, state=InboundEvent.State.PENDING)
        pending.update(attempts=F("attempts") + 1, error=f"{type(exc).__name__}: {exc}"[:300])
        pending.filter(attempts__gte=MAX_PROCESSING_ATTEMPTS).update(state=InboundEvent.State.FAILED)
        return None


@transaction.atomic
def _process(event_id: int) -> InboundEvent | None:
    row = (
        InboundEvent.objects.select_for_update(skip_locked=True)
        .filter(pk=event_id, state=InboundEvent.State.PENDING)
        .first()
    )
    if row is None:
        return None  # done already, or another worker has it
    row.attempts += 1
    try:
        parsed = parse(json.loads(row.body))
    except (ValueError, MalformedPayload) as exc:
        row.state, row.error = InboundEvent.State.FAILED, str(exc)[:300]
        row.save(update_fields=["state", "error", "attempts"])
        return row
    row.summary = file_messages(parsed)
    row.state, row.processed_at, row.error = InboundEvent.State.PROCESSED, timezone.now(), ""
    row.save(update_fields=["state", "processed_at", "error", "attempts", "summary"])
    return row


def file_messages(parsed: ParsedPayload) -> dict:
    """File each message into every org that connected its account; a summary of what happened."""
    summary = {"filed": 0, "duplicates": 0, "ignored": parsed.ignored, "unknownAccounts": []}
    accounts: dict[tuple[str, str], list[SocialAccount]] = {}
    for message in parsed.messages:
        key = (message.platform, message.account_id)
        if key not in accounts:
            found = SocialAccount.objects.filter(platform=message.platform, platform_id=message.account_id)
            accounts[key] = list(found.select_related("organization"))
        if not accounts[key]:
            if message.account_id not in summary["unknownAccounts"]:
                summary["unknownAccounts"].append(message.account_id)  # acknowledged, nothing filed
            continue
        for account in accounts[key]:
            filed = _file(account, message)
            summary["filed" if filed else "duplicates"] += 1
    return summary


def _file(account: SocialAccount, message: PlatformMessage) -> bool:
    return (
        record_platform_message(
            org=account.organization,
            social_account=account,
            participant_platform_id=message.participant_id,
            participant={"name": message.participant_name, "phone": message.participant_phone},
            platform_message_id=message.message_id,
            direction=message.direction,
            text=message.text,
            sent_at=message.sent_at,
            attachments=message.attachments,
        )
        is not None
    )


def unprocessed_event_ids(*, now=None, limit: int = 200) -> list[int]:
    cutoff = (now or timezone.now()) - SWEEP_GRACE
    pending = InboundEvent.objects.filter(state=InboundEvent.State.PENDING, received_at__lte=cutoff)
    return list(pending.order_by("received_at").values_list("pk", flat=True)[:limit])
