"""After the chaos: does the database hold exactly what the clients were told, each write with its history?

``audit`` returns one sentence per problem (an empty list when all holds):

- every write a client was told succeeded is there: the lead with its contact,
  its first stage visit and its CREATED activity; each acknowledged move as a
  stage visit and a STAGE_CHANGED activity, in order; each acknowledged activity;
- writes whose outcome stayed unknown happened at most once;
- nothing is duplicated: one contact per email, one lead per contact, one row
  per activity, one open stage visit per lead, visits that follow each other
  without gap or overlap and one STAGE_CHANGED activity per visit after the first;

- each acknowledged write left exactly one outbox event (the webhooks' source).
"""

import itertools
from collections import Counter

from django.db.models.functions import Lower

from leads.models import Activity, Contact, Lead, StageVisit

from .load import Ledger


def audit(ledger: Ledger, org, seeded: dict[str, str]) -> list[str]:
    return [
        *_creates(ledger, org),
        *_history(org),
        *_moves(ledger, seeded),
        *_activities(ledger, org),
        *_outbox(ledger, org),
    ]


def _outbox(ledger: Ledger, org) -> list[str]:
    """Each acknowledged write left exactly one outbox event, written in its own transaction (issue 16).

    A created lead: one ``lead.created``. A lead's moves: one ``lead.stage_changed`` per
    STAGE_CHANGED activity (the two are written together or not at all). An activity:
    one ``activity.created`` carrying it.
    """
    from integrations.models import EventType, OutboxEvent

    problems = []
    events = OutboxEvent.objects.filter(organization=org)
    created = Counter(events.filter(type=EventType.LEAD_CREATED).values_list("data__lead__id", flat=True))
    for lead_id, _ in ledger.created.values():
        if created[lead_id] != 1:
            problems.append(f"{lead_id}: acknowledged, {created[lead_id]} lead.created events")
    moved = Counter(events.filter(type=EventType.LEAD_STAGE_CHANGED).values_list("data__lead__id", flat=True))
    changes = Counter(
        Activity.objects.filter(organization=org, type=Activity.Type.STAGE_CHANGED).values_list("lead_id", flat=True)
    )
    for lead_id in {*ledger.moves, *moved, *changes}:
        if moved[lead_id] != changes[lead_id]:
            problems.append(f"{lead_id}: {moved[lead_id]} lead.stage_changed events for {changes[lead_id]} moves")
    logged = Counter(events.filter(type=EventType.ACTIVITY_CREATED).values_list("data__activity__id", flat=True))
    for description, activity_id in ledger.activities.items():
        if logged[activity_id] != 1:
            problems.append(f"activity {activity_id} ({description!r}): {logged[activity_id]} activity.created events")
    return problems


def _creates(ledger: Ledger, org) -> list[str]:
    problems = []
    contacts = Contact.objects.filter(organization=org, email__startswith="chaos-")
    per_email = Counter(contacts.annotate(address=Lower("email")).values_list("address", flat=True))
    problems += [f"{email}: {n} contacts" for email, n in per_email.items() if n > 1]
    leads_by_email = Counter(
        Lead.objects.filter(organization=org, contact__email__startswith="chaos-").values_list(
            "contact__email", flat=True
        )
    )
    problems += [f"{email}: {n} leads" for email, n in leads_by_email.items() if n > 1]
    attempted = {*ledger.created, *ledger.landed_earlier, *ledger.unknown_creates}
    problems += [f"{email}: in the database, but no client sent it" for email in set(per_email) - attempted]

    for email, (lead_id, contact_id) in ledger.created.items():
        lead = Lead.objects.filter(pk=lead_id, organization=org).select_related("contact").first()
        if lead is None:
            problems.append(f"{email}: acknowledged lead {lead_id} is not in the database")
            continue
        if (lead.contact_id, lead.contact.email) != (contact_id, email):
            problems.append(f"{lead_id}: contact {lead.contact_id} <{lead.contact.email}>, told {contact_id} <{email}>")
        if Activity.objects.filter(lead=lead, type=Activity.Type.CREATED).count() != 1:
            problems.append(f"{lead_id}: not exactly one CREATED activity")
    for email in ledger.landed_earlier:
        if leads_by_email[email] != 1:
            problems.append(f"{email}: a retry was refused as a duplicate, but {leads_by_email[email]} leads exist")
    return problems


def _history(org) -> list[str]:
    """Every lead of the org: one open visit, visits end to end, one STAGE_CHANGED per visit after the first."""
    problems = []
    visits = itertools.groupby(
        StageVisit.objects.filter(organization=org).order_by("lead_id", "entered_at", "id"), key=lambda v: v.lead_id
    )
    changes = Counter(
        Activity.objects.filter(organization=org, type=Activity.Type.STAGE_CHANGED).values_list("lead_id", flat=True)
    )
    seen = set()
    for lead_id, group in visits:
        group = list(group)
        seen.add(lead_id)
        if sum(visit.left_at is None for visit in group) != 1 or group[-1].left_at is not None:
            problems.append(f"{lead_id}: not exactly one open stage visit, the last")
        if any(a.left_at != b.entered_at for a, b in itertools.pairwise(group)):
            problems.append(f"{lead_id}: stage visits with a gap or an overlap")
        if changes[lead_id] != len(group) - 1:
            problems.append(f"{lead_id}: {changes[lead_id]} STAGE_CHANGED activities for {len(group) - 1} moves")
    missing = set(Lead.objects.filter(organization=org).values_list("pk", flat=True)) - seen
    problems += [f"{lead_id}: no stage visit" for lead_id in missing]
    return problems


def _moves(ledger: Ledger, seeded: dict[str, str]) -> list[str]:
    """The clients' own leads went through exactly the stages they were told (in order)."""
    problems = []
    for lead_id, first_stage in seeded.items():
        path = list(StageVisit.objects.filter(lead_id=lead_id).order_by("entered_at", "id").values_list("stage_id"))
        path = [stage for (stage,) in path]
        told = [first_stage, *ledger.moves.get(lead_id, [])]
        if lead_id in ledger.unknown_moves:
            # A move whose outcome stayed unknown may be in between: what was acknowledged comes in order.
            remaining = iter(path)
            if not all(stage in remaining for stage in told):
                problems.append(f"{lead_id}: stages {path}, acknowledged moves {told} are not among them in order")
        elif path != told:
            problems.append(f"{lead_id}: went through {path}, the client was told {told}")
    return problems


def _activities(ledger: Ledger, org) -> list[str]:
    problems = []
    notes = Counter(
        Activity.objects.filter(organization=org, type="NOTE", description__startswith="chaos note").values_list(
            "description", flat=True
        )
    )
    problems += [f"activity {description!r}: {n} rows" for description, n in notes.items() if n > 1]
    stored = dict(
        Activity.objects.filter(pk__in=ledger.activities.values()).values_list("pk", "description")
    )  # fmt: skip
    for description, activity_id in ledger.activities.items():
        if stored.get(activity_id) != description:
            problems.append(f"acknowledged activity {activity_id} ({description!r}) is not in the database")
    attempted = {*ledger.activities, *ledger.unknown_activities}
    problems += [f"activity {d!r}: in the database, but no client sent it" for d in set(notes) - attempted]
    return problems
