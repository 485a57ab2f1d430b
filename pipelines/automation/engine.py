"""The event side of automation: rules that run when a lead changes.

``handle_lead_event`` is subscribed to ``leads.events`` at start-up. It runs
inside the service's transaction, so a rule's effects commit or roll back
with the change that fired them. A rule's own effect emits events in turn;
a context variable carries the cascade's state through those nested calls so
that no rule fires twice for one originating event and chains stop at
``MAX_DEPTH``.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from leads.events import EventKind, LeadEvent
from leads.models import Lead

from .actions import attempt_action, outcome_for
from .conditions import targets_q
from .models import Rule, RuleRun
from .rule_read import active_rules

logger = logging.getLogger("vchata.automation")

# How many rule effects may chain (rule A's move fires rule B, whose status
# change fires rule C …) below the change a person or the scheduler made.
MAX_DEPTH = 3


@dataclass
class Cascade:
    fired: set[str] = field(default_factory=set)
    depth: int = 0


_cascade: ContextVar[Cascade | None] = ContextVar("automation_cascade", default=None)


# The rules read ahead for each event of a service call (``rules_for_all``): id(event) -> (pipeline, rules).
_read_ahead: ContextVar[dict[int, tuple[str, list[Rule]]] | None] = ContextVar("automation_read_ahead", default=None)


def trigger_values(event: LeadEvent) -> dict[str, Any] | None:
    """The trigger fields of the rules listening to this event; None when no trigger listens to it (ASSIGNED)."""
    if event.kind == EventKind.LEAD_CREATED:
        return {"trigger": Rule.Trigger.LEAD_CREATED}
    if event.kind == EventKind.ACTIVITY_ADDED:
        return {"trigger": Rule.Trigger.ACTIVITY_ADDED, "trigger_activity_type": event.detail}
    if event.kind == EventKind.STATUS_CHANGED:
        return {"trigger": Rule.Trigger.STATUS_CHANGED, "trigger_status": event.detail}
    if event.kind == EventKind.STAGE_ENTERED:
        return {"trigger": Rule.Trigger.STAGE_ENTERED, "trigger_stage_id": event.detail}
    return None


@contextmanager
def rules_for_all(events: list[LeadEvent]) -> Iterator[None]:
    """Read the rules of all of one lead's events at once (a move: stage entered and status changed).

    Each event then takes, in order, those listening to it, unless the lead changed pipeline
    meanwhile (its rules are read again then).
    """
    listened = [(event, values) for event in events if (values := trigger_values(event)) is not None]
    if len(listened) < 2 or len({(event.org.pk, event.lead.pk) for event, _ in listened}) > 1:
        yield
        return
    first = listened[0][0]
    rules = active_rules(first.org.pk, first.lead.pipeline_id, [values for _, values in listened])
    ahead = {
        id(event): (first.lead.pipeline_id, [r for r in rules if all(getattr(r, k) == v for k, v in values.items())])
        for event, values in listened
    }
    token = _read_ahead.set({**(_read_ahead.get() or {}), **ahead})
    try:
        yield
    finally:
        _read_ahead.reset(token)


def handle_lead_event(event: LeadEvent) -> None:
    listening = trigger_values(event)
    if listening is None:
        return
    cascade = _cascade.get()
    if cascade is not None:
        run_rules(event, listening, cascade)
        return
    token = _cascade.set(Cascade())
    try:
        run_rules(event, listening, _cascade.get())
    finally:
        _cascade.reset(token)


def run_rules(event: LeadEvent, listening: dict[str, Any], cascade: Cascade) -> None:
    """Apply, in order, each active rule of the lead's pipeline that listens to the event and whose conditions hold.

    One query finds the rules (none when the pipeline has none for this
    event); then one query per rule checks its conditions against the lead's
    current row, since an earlier rule may have changed it.
    """
    if cascade.depth >= MAX_DEPTH:
        logger.warning("Automation depth limit reached on lead %s (%s); stopping the chain", event.lead.pk, event.kind)
        return
    pipeline_id, ahead = (_read_ahead.get() or {}).get(id(event), (None, None))
    if ahead is not None and pipeline_id == event.lead.pipeline_id:
        rules = [rule for rule in ahead if rule.pk not in cascade.fired]
    else:
        rules = active_rules(event.org.pk, event.lead.pipeline_id, [listening], exclude=cascade.fired)
    applied = False
    for rule in rules:
        if rule.pk in cascade.fired:  # fired further down the chain meanwhile
            continue
        if not Lead.objects.filter(pk=event.lead.pk).filter(targets_q(rule)).exists():
            continue
        cascade.fired.add(rule.pk)
        cascade.depth += 1
        try:
            reason = attempt_action(rule, org=event.org, lead_id=event.lead.pk)
        finally:
            cascade.depth -= 1
        RuleRun.objects.create(
            organization=event.org, rule=rule, lead_id=event.lead.pk, outcome=outcome_for(reason), detail=reason
        )
        applied = True
    if applied:
        # The service that emitted the event returns this instance to its
        # caller; make it show what the rules did.
        event.lead.refresh_from_db()
