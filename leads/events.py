"""Lead events: what the services announce after a change, inside its transaction.

Subscribers register at start-up: the rule engine (``automation``) and the
outbox that feeds outbound webhooks (``integrations``). So ``leads`` imports
neither, and both run in the same transaction as the change that fired them:
their writes commit or roll back with it.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import Model

    from vchata.accounts.models import Organization, User

    from .models import Activity, Lead


class EventKind:
    LEAD_CREATED = "LEAD_CREATED"
    ACTIVITY_ADDED = "ACTIVITY_ADDED"
    STATUS_CHANGED = "STATUS_CHANGED"
    STAGE_ENTERED = "STAGE_ENTERED"
    ASSIGNED = "ASSIGNED"
    # Once per service call that changed any of the lead's fields (stage moves have STAGE_ENTERED).
    LEAD_UPDATED = "LEAD_UPDATED"
    # Announced just before the row is deleted, in the same transaction: ``lead`` is still whole.
    LEAD_DELETED = "LEAD_DELETED"
    CONVERSATION_CONVERTED = "CONVERSATION_CONVERTED"


@dataclass(frozen=True)
class LeadEvent:
    kind: str
    org: "Organization"
    lead: "Lead"
    actor: "User | None"
    # ACTIVITY_ADDED: the activity type; STATUS_CHANGED: the new status;
    # STAGE_ENTERED: the stage id; ASSIGNED: the user id; CONVERSATION_CONVERTED:
    # the conversation id; LEAD_UPDATED: {"changes": {camelCaseField: [before, after]}}.
    detail: Any = None
    # What caused the change, e.g. {"ruleId": ...} when a rule did it.
    cause: dict = field(default_factory=dict)
    # ACTIVITY_ADDED: the activity written.
    activity: "Activity | None" = None
    # True once the subscribers' rows for it went in with the change's own rows (``with_rows``).
    rows_written: bool = False


Handler = Callable[[LeadEvent], None]
# Sees all of a service call's events before any is announced, as a context around the announcements.
Preparer = Callable[[list[LeadEvent]], AbstractContextManager]
# The new rows a handler would insert for an event, unsaved, for the service to write with its own.
RowMaker = Callable[[LeadEvent], list["Model"]]
_handlers: list[Handler] = []
_preparers: dict[Handler, Preparer] = {}
_row_makers: dict[Handler, RowMaker] = {}


def subscribe(handler: Handler, *, prepare: Preparer | None = None, rows: RowMaker | None = None) -> None:
    """Call ``handler`` with every event; ``prepare`` (optional) gets each call's events first, together
    (the rule engine reads the rules of a move's two events in one query). ``rows`` (optional) gives the
    rows ``handler`` would insert for an event, for a service to write in its own statement
    (``with_rows``): the handler then gets the event with ``rows_written`` set, and writes nothing."""
    if handler not in _handlers:
        _handlers.append(handler)
    if prepare is not None:
        _preparers[handler] = prepare
    if rows is not None:
        _row_makers[handler] = rows


def with_rows(events: list[LeadEvent], add: Callable[["Model"], None]) -> list[LeadEvent]:
    """Hand each subscriber's rows for ``events`` to ``add`` (a service's ``NewRows.add``, written just
    after); the events to announce, marked as having their rows written.

    Only for events whose lead already holds its final values: the rows are made from them now.
    """
    for event in events:
        for make in list(_row_makers.values()):
            for row in make(event):
                add(row)
    return [replace(event, rows_written=True) for event in events]


def emit(event: LeadEvent) -> None:
    for handler in list(_handlers):
        handler(event)


def emit_all(events: list[LeadEvent]) -> None:
    """Announce one service call's events, in order, inside each subscriber's ``prepare`` context."""
    with ExitStack() as stack:
        for prepare in list(_preparers.values()):
            stack.enter_context(prepare(events))
        for event in events:
            emit(event)


def unsubscribe(handler: Handler) -> None:
    if handler in _handlers:
        _handlers.remove(handler)
    _preparers.pop(handler, None)
    _row_makers.pop(handler, None)
