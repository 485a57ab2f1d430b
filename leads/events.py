"""Lead events: what the services announce after a change, inside its transaction.

The rule engine (``pipelines.automation``) subscribes at start-up, so
``leads`` needs no import of ``pipelines`` code and automation runs in the same
transaction as the change that fired it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vchata.accounts.models import Organization, User

    from .models import Lead


class EventKind:
    LEAD_CREATED = "LEAD_CREATED"
    ACTIVITY_ADDED = "ACTIVITY_ADDED"
    STATUS_CHANGED = "STATUS_CHANGED"
    STAGE_ENTERED = "STAGE_ENTERED"
    ASSIGNED = "ASSIGNED"


@dataclass(frozen=True)
class LeadEvent:
    kind: str
    org: "Organization"
    lead: "Lead"
    actor: "User | None"
    # ACTIVITY_ADDED: the activity type; STATUS_CHANGED: the new status;
    # STAGE_ENTERED: the stage id; ASSIGNED: the user id.
    detail: Any = None
    # What caused the change, e.g. {"ruleId": ...} when a rule did it.
    cause: dict = field(default_factory=dict)


Handler = Callable[[LeadEvent], None]
_handlers: list[Handler] = []


def subscribe(handler: Handler) -> None:
    if handler not in _handlers:
        _handlers.append(handler)


def emit(event: LeadEvent) -> None:
    for handler in list(_handlers):
        handler(event)
