"""The record of who changed which of a lead's fields: one ``LeadChange`` row per action.

The lead services make one with ``change_record`` per call that changed something (an update, a
move, a close, a creation) and write it with the call's other new rows, inside their transaction,
with the lead's tracked values before and after (``leads.services.leads.TRACKED_FIELDS``). Who
did it comes from the call: a rule names itself in ``cause``; an API key or an import declared
itself for the request (``vchata.actors``); otherwise the acting user, or the system when there
is none.
"""

from collections.abc import Mapping
from typing import Any

from vchata.accounts.models import Organization, User
from vchata.actors import SYSTEM, Actor, ActorKind, current_actor

from ..models import Lead, LeadChange

CUSTOM_FIELD_PREFIX = "customFields."


def change_actor(user: User | None, cause: Mapping[str, Any]) -> Actor:
    """Who made a change: the rule in ``cause``, else the declared actor (key, import), else the user or system."""
    if cause.get("ruleId"):
        return Actor(ActorKind.RULE, cause["ruleId"], cause.get("ruleName") or "Automation rule")
    declared = current_actor()
    if declared is not None:
        return declared
    if user is not None and user.pk:
        return Actor.for_user(user)
    return SYSTEM


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list]:
    """``{field: [before, after]}`` for each field that differs; custom fields one key at a time."""
    changed = {}
    for name, old in before.items():
        new = after[name]
        if name == "customFields":
            for key in sorted({*(old or {}), *(new or {})}):
                if (old or {}).get(key) != (new or {}).get(key):
                    changed[CUSTOM_FIELD_PREFIX + key] = [(old or {}).get(key), (new or {}).get(key)]
        elif old != new:
            changed[name] = [old, new]
    return changed


def initial_values(values: Mapping[str, Any]) -> dict[str, list]:
    """A creation's record: every field given a value, from null."""
    empty = {name: ({} if name == "customFields" else None) for name in values}
    return field_changes(empty, {name: (None if value == "" else value) for name, value in values.items()})


def change_record(
    *,
    org: Organization,
    lead: Lead,
    user: User | None,
    cause: Mapping[str, Any],
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    note: str = "",
) -> LeadChange | None:
    """The action's row, not saved yet (``before=None``: the lead was just created); None when nothing changed."""
    changes = initial_values(after) if before is None else field_changes(before, after)
    if not changes:
        return None
    actor = change_actor(user, cause)
    return LeadChange(
        organization=org,
        lead=lead,
        created=before is None,
        actor_kind=actor.kind,
        actor_user_id=actor.user_id,
        actor_rule_id=actor.id if actor.kind == ActorKind.RULE else "",
        actor_api_key_id=actor.id if actor.kind == ActorKind.API_KEY else "",
        actor_name=actor.name[:300],
        changes=changes,
        note=note,
    )


def record_change(**details) -> LeadChange | None:
    """Write ``change_record``'s row now: for a caller with no other new rows to write it with."""
    row = change_record(**details)
    if row is not None:
        row.save(force_insert=True)
    return row
