"""The lead page's timeline: activities and field changes merged, one entry per action, in plain words.

A change record (``LeadChange``) already stands for a whole action ("Mark converted" moved the
stage and set the status: one record), so the timeline shows it in words ("Status Contacted →
Converted", "Value $500 → $12,500") and leaves out the system activities the same action wrote
(STAGE_CHANGED, STATUS_CHANGED …; see ``selectors.timeline_activities``). What people log (calls,
notes, meetings …) shows as it is.

Names (stages, members, campaigns, lost reasons) are looked up once for the whole page, one
query per kind a page's changes mention.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.timesince import timesince

from pipelines.models import LeadStatus, Pipeline, Stage
from vchata.accounts.models import Organization, User
from vchata.actors import ActorKind
from vchata.money import format_money

from . import selectors
from .models import Activity, Campaign, Contact, CustomField, Lead, LeadChange, LostReason
from .services.changes import CUSTOM_FIELD_PREFIX
from .services.contacts import CHANGE_PREFIX as CONTACT_CHANGE_PREFIX
from .sources import source_label

NOTHING = "none"
JUST_NOW = timedelta(minutes=1)
LONG_TEXT = 60

# Field order on an entry, and each plain field's label.
LABELS = {
    "status": "Status",
    "stageId": "Stage",
    "pipelineId": "Pipeline",
    "value": "Value",
    "assignedToId": "Assigned to",
    "lostReasonId": "Lost reason",
    "title": "Deal",
    "expectedCloseDate": "Expected close",
    "probability": "Probability",
    "source": "Source",
    "campaignId": "Campaign",
    "utmSource": "UTM source",
    "utmMedium": "UTM medium",
    "utmCampaign": "UTM campaign",
    "utmTerm": "UTM term",
    "utmContent": "UTM content",
    "notes": "Notes",
    "contactId": "Contact",
    "contact.name": "Contact name",
    "contact.email": "Email",
    "contact.phone": "Phone",
    "contact.company": "Company",
}
# Fields whose values are ids of rows: the model to name them by.
NAMED_BY = {
    "stageId": Stage,
    "pipelineId": Pipeline,
    "assignedToId": User,
    "campaignId": Campaign,
    "lostReasonId": LostReason,
    "contactId": Contact,
}
# What a creation's entry mentions of the initial values.
CREATION_FIELDS = ("stageId", "value", "source", "assignedToId", "campaignId", "title")


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # the dot's colour: an activity type, or "change" / "converted" / "lost" / "created"
    title: str
    actor: str
    lines: list[str] = field(default_factory=list)
    text: str = ""
    sort_id: str = ""

    @property
    def ago(self) -> str:
        if timezone.now() - self.at < JUST_NOW:
            return "just now"
        return f"{timesince(self.at)} ago"


def lead_timeline(
    *,
    org: Organization,
    lead: Lead,
    page: int,
    per_page: int,
    custom_fields: Iterable[CustomField],
    stages: Iterable[Stage] = (),
) -> tuple[list[TimelineEntry], bool]:
    """Page ``page`` of the lead's timeline, newest first, and whether there is an older page.

    Two queries (each table's newest ``page × per_page + 1`` rows, merged here) plus one per
    kind of name the page's changes mention and the caller didn't hand over (``stages``: the
    pipeline's, which the lead page has already read).
    """
    limit = page * per_page + 1
    activities = list(selectors.timeline_activities(lead=lead).select_related("actor")[:limit])
    changes = list(selectors.lead_changes(lead=lead)[:limit])
    rows = sorted(
        [(a.created_at, a.pk, a) for a in activities] + [(c.created_at, c.pk, c) for c in changes],
        key=lambda row: (row[0], row[1]),
        reverse=True,
    )
    window = [row[2] for row in rows[(page - 1) * per_page : page * per_page + 1]]
    words = Words(org, [as_change(row) for row in window], custom_fields, stages)
    entries = [words.change(row) if isinstance(row, LeadChange) else words.activity(row) for row in window]
    return entries[:per_page], len(entries) > per_page


def activity_actor(activity: Activity) -> str:
    if activity.actor is not None:
        return str(activity.actor)
    return "Automation" if activity.metadata.get("ruleId") else "System"


def activity_entry(activity: Activity) -> TimelineEntry:
    return TimelineEntry(
        at=activity.created_at,
        kind=activity.type.lower(),
        title=activity.get_type_display(),
        actor=activity_actor(activity),
        text=activity.description,
        sort_id=activity.pk,
    )


def system_changes(activity: Activity) -> dict[str, list] | None:
    """What a system activity from before change records did, as a change record's ``{field: [before, after]}``.

    Its stored description is in codes ("Status changed from QUALIFIED to CONTACTED"); its metadata
    holds the same facts as ids and values, which the timeline words as it words a change record.
    None: not a system activity, or one whose metadata lacks them (then its description is shown).
    """
    data = activity.metadata or {}
    match activity.type:
        case Activity.Type.STATUS_CHANGED if {"from", "to"} <= set(data):
            pair = {"status": [data["from"], data["to"]]}
            return pair | ({"lostReasonId": [None, data["lostReasonId"]]} if data.get("lostReasonId") else {})
        case Activity.Type.STAGE_CHANGED if {"fromStageId", "toStageId"} <= set(data):
            pair = {"stageId": [data["fromStageId"], data["toStageId"]]}
            if data.get("toPipelineId"):
                pair["pipelineId"] = [data.get("fromPipelineId"), data["toPipelineId"]]
            return pair
        case Activity.Type.ASSIGNED if "to" in data:
            return {"assignedToId": [data.get("from"), data["to"]]}
        case Activity.Type.CREATED if data.get("stageId"):
            return {name: [None, data[name]] for name in ("stageId", "source") if data.get(name)}
    return None


def as_change(row: Activity | LeadChange) -> LeadChange | None:
    """The change record a timeline row amounts to (an unsaved one for an old system activity), for naming ids."""
    if isinstance(row, LeadChange):
        return row
    changes = system_changes(row)
    return None if changes is None else LeadChange(changes=changes, created=row.type == Activity.Type.CREATED)


def actor_label(change: LeadChange) -> str:
    name = change.actor_name
    if change.actor_kind == ActorKind.RULE:
        return f"Automation · {name}" if name else "Automation"
    if change.actor_kind == ActorKind.API_KEY:
        return f"API key · {name}"
    return name or ActorKind(change.actor_kind).label


class Words:
    """Turns change records into sentences, with every id they mention named (looked up once)."""

    def __init__(
        self,
        org: Organization,
        changes: list[LeadChange],
        custom_fields: Iterable[CustomField],
        stages: Iterable[Stage] = (),
    ):
        self.currency = getattr(org, "currency", None) or None
        self.labels = {definition.key: definition.label for definition in custom_fields}
        self.names = self._names(org, [c for c in changes if c is not None], {stage.pk: stage.name for stage in stages})

    @staticmethod
    def _names(org: Organization, changes: list[LeadChange], known: dict[str, str]) -> dict[str, str]:
        """Every id the entries will show, named: ``known`` ones as given, the rest one query per model."""
        wanted: dict[type, set[str]] = {}
        for change in changes:
            for name, pair in change.changes.items():
                if name in NAMED_BY and (not change.created or name in CREATION_FIELDS):
                    wanted.setdefault(NAMED_BY[name], set()).update(v for v in pair if v and v not in known)
        names = dict(known)
        for model, ids in wanted.items():
            if not ids:
                continue
            if model is User:
                rows = User.objects.filter(pk__in=ids, memberships__organization=org).values_list("pk", "name", "email")
                names.update({pk: name or email for pk, name, email in rows})
            else:
                names.update(model.objects.for_org(org).filter(pk__in=ids).values_list("pk", "name"))
        return names

    def change(self, change: LeadChange) -> TimelineEntry:
        return self.entry(
            change.changes,
            created=change.created,
            at=change.created_at,
            actor=actor_label(change),
            text=change.note,
            sort_id=change.pk,
        )

    def entry(self, values: Mapping[str, list], *, created: bool, **shown) -> TimelineEntry:
        """The entry for one action's ``{field: [before, after]}``: its heading, dot and a line per field."""
        if created:
            lines = [self.line(name, values[name], created=True) for name in CREATION_FIELDS if name in values]
            title, kind = "Lead created", "created"
        else:
            lines = [self.line(name, values[name]) for name in ordered(values)]
            title, kind = heading(values)
        return TimelineEntry(kind=kind, title=title, lines=lines, **shown)

    def activity(self, activity: Activity) -> TimelineEntry:
        """An activity as it stands, except an old system one, worded from its metadata like a change record."""
        values = system_changes(activity)
        if values is None:
            return activity_entry(activity)
        notes = (activity.metadata or {}).get("notes")
        return self.entry(
            values,
            created=activity.type == Activity.Type.CREATED,
            at=activity.created_at,
            actor=activity_actor(activity),
            text=notes if isinstance(notes, str) else "",
            sort_id=activity.pk,
        )

    def line(self, name: str, pair: list, *, created: bool = False) -> str:
        before, after = pair
        if name == "assignedToId":
            return f"Assigned to {self.show(name, after)}" if after else "Unassigned"
        if name == "lostReasonId" and after:
            return f"Lost reason: {self.show(name, after)}"
        if name == "notes":
            return f"Notes: “{short(after)}”" if after else "Notes cleared"
        label = self.labels.get(name.removeprefix(CUSTOM_FIELD_PREFIX), name.removeprefix(CUSTOM_FIELD_PREFIX))
        label = LABELS.get(name, label)
        if created:
            return f"{label} {self.show(name, after)}"
        return f"{label} {self.show(name, before)} → {self.show(name, after)}"

    def show(self, name: str, value: Any) -> str:
        if value is None or value == "":
            return NOTHING
        if name in NAMED_BY:
            return self.names.get(value, "(deleted)")
        if name == "value":
            return format_money(value, self.currency)
        if name == "status":
            return LeadStatus(value).label if value in LeadStatus.values else short(str(value))
        if name == "source":
            return source_label(value)
        if name == "probability":
            return f"{value}%"
        if name == "expectedCloseDate":
            return date.fromisoformat(value).strftime("%b %-d, %Y")
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, list):
            return ", ".join(str(item) for item in value) or NOTHING
        return short(str(value))


def ordered(values: Mapping[str, Any]) -> list[str]:
    order = list(LABELS)
    return sorted(values, key=lambda name: (order.index(name) if name in order else len(order), name))


def heading(values: Mapping[str, list]) -> tuple[str, str]:
    """The entry's title and dot: what the action amounts to."""
    status = values.get("status", [None, None])[1]
    if status == LeadStatus.CONVERTED:
        return "Converted", "converted"
    if status == LeadStatus.LOST:
        return "Marked lost", "lost"
    if "stageId" in values:
        return "Moved", "stage_changed"
    if "status" in values:
        return "Status changed", "change"
    if all(name.startswith(CONTACT_CHANGE_PREFIX) for name in values):
        return "Contact edited", "change"
    if set(values) == {"assignedToId"}:
        return "Assigned" if values["assignedToId"][1] else "Unassigned", "change"
    return "Updated", "change"


def short(text: str) -> str:
    return text if len(text) <= LONG_TEXT else text[: LONG_TEXT - 1] + "…"
