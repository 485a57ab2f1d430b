"""Integration rows as the product makes them (through the services)."""

from integrations.models import EventType
from integrations.services import create_lead_form, create_webhook

ALL_EVENTS = list(EventType.values)


def make_webhook(*, org, url: str, events: list[str] | None = None):
    return create_webhook(org=org, actor=None, url=url, events=events or ALL_EVENTS)


def make_lead_form(*, org, **fields):
    fields.setdefault("name", "Contact us")
    return create_lead_form(org=org, actor=None, **fields)
