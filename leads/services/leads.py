"""Leads: create, update, move, log activity, delete.

Each is atomic; those that change a lead's stage, status or assignee lock the
lead row first, so two people dragging one card cannot interleave their
history rows. Every change is announced on ``leads.events`` inside the
transaction (automation and the webhook outbox listen).

A call's new rows (stage visit, activities, the change record) are collected in
``NewRows`` and inserted in one statement just before the lead row is written:
the hot paths (a move, a create) pay a round trip per statement.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from pipelines.models import LeadStatus, Pipeline, Stage, first_stage
from vchata.accounts.models import Organization, User
from vchata.exceptions import Conflict, InvalidInput
from vchata.money import json_amount
from vchata.statements import NewRows, insert_new, insert_new_reading, saved, update_fields
from vchata.tenancy import get_in_org
from vchata.tenancy.permissions import ALL_LEADS, LeadScope

from ..custom_fields import (
    DEFINITIONS_JSON_SQL,
    check_against,
    check_object,
    definitions_from_json,
    validate_custom_fields,
)
from ..events import EventKind, LeadEvent, emit, emit_all, with_rows
from ..models import (
    Activity,
    Campaign,
    Contact,
    ContentPost,
    Conversation,
    Lead,
    LostReason,
    SocialAccount,
    StageVisit,
)
from .changes import change_record
from .common import check_org_links
from .contacts import find_or_create_contact
from .lost_reasons import org_has_lost_reasons
from .move_read import lock_for_move

LEAD_EXISTS = "Lead already exists for this contact and pipeline"
LOST_REASON_REQUIRED = "lostReasonId is required to mark a lead lost"
LOST_REASON_ONLY_WHEN_LOST = "lostReasonId can only be set on a lead that is or becomes LOST"

# Fields update_lead copies as they are (already validated by the caller).
PLAIN_FIELDS = (
    "value",
    "notes",
    "source",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "title",
    "expected_close_date",
    "probability",
)
# A lead's fields as API clients name them, with the attribute holding each (ids for links).
TRACKED_FIELDS = {
    "value": "value",
    "status": "status",
    "pipelineId": "pipeline_id",
    "stageId": "stage_id",
    "assignedToId": "assigned_to_id",
    "notes": "notes",
    "source": "source",
    "utmSource": "utm_source",
    "utmMedium": "utm_medium",
    "utmCampaign": "utm_campaign",
    "utmTerm": "utm_term",
    "utmContent": "utm_content",
    "campaignId": "campaign_id",
    "contactId": "contact_id",
    "customFields": "custom_fields",
    "lostReasonId": "lost_reason_id",
    "title": "title",
    "expectedCloseDate": "expected_close_date",
    "probability": "probability",
}


# What a move changes: the UPDATE leaves the rest alone (and so the search text's trigger, which notes and
# the contact feed, does not fire).
MOVED_FIELDS = (
    "pipeline_id",
    "stage_id",
    "status",
    "converted_at",
    "lost_reason_id",
    "last_activity_at",
    "updated_at",
)


def _tracked_values(lead: Lead) -> dict[str, Any]:
    """The lead's tracked fields as JSON values (amounts as numbers, custom fields copied)."""
    values = {name: getattr(lead, attribute) for name, attribute in TRACKED_FIELDS.items()}
    values["value"] = json_amount(values["value"])
    values["customFields"] = dict(values["customFields"] or {})
    close = values["expectedCloseDate"]
    values["expectedCloseDate"] = close.isoformat() if close is not None else None
    return values


def _changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list]:
    return {name: [before[name], after[name]] for name in before if before[name] != after[name]}


def _lock_lead(org: Organization, lead_id: str) -> Lead:
    return get_in_org(Lead, org, lead_id, lock=True)


def _activity(
    *, org: Organization, lead: Lead, actor: User | None, type: str, description: str = "", metadata=None
) -> Activity:
    """A new activity of ``lead``, not saved yet (a service adds it to its ``NewRows``)."""
    return Activity(
        organization=org, lead=lead, type=type, description=description, metadata=metadata or {}, actor=actor
    )


def _set_lost_reason(org: Organization, lead: Lead, reason, cause: dict) -> None:
    """The reason of a lead marked (or staying) LOST: required once the org has reasons, except from a rule."""
    if reason is None and "ruleId" not in cause and org_has_lost_reasons(org):
        raise InvalidInput([LOST_REASON_REQUIRED])
    check_org_links(org, lostReasonId=reason)
    lead.lost_reason = reason


def _change_lost_reason(org: Organization, lead: Lead, changes: Mapping[str, Any], cause: dict) -> None:
    """``lost_reason`` of an update: only for a lead that is or becomes LOST (marking it is ``_set_status``'s)."""
    target = changes.get("status", lead.status)
    if changes.get("lost_reason") is not None and target != LeadStatus.LOST:
        raise InvalidInput([LOST_REASON_ONLY_WHEN_LOST])
    if "lost_reason" in changes and lead.status == LeadStatus.LOST == target:
        _set_lost_reason(org, lead, changes["lost_reason"], cause)


def _set_status(
    *,
    org: Organization,
    lead: Lead,
    status: str,
    actor: User | None,
    cause: dict,
    now,
    rows: NewRows,
    lost_reason=None,
) -> list[LeadEvent]:
    """Apply a status change on a locked lead; returns the events to emit after saving.

    Marking it LOST takes ``lost_reason`` when the org has reasons (rules, which can't pick one, are exempt);
    leaving LOST clears it.
    """
    previous = lead.status
    if previous == status:
        return []
    if status == LeadStatus.LOST:
        _set_lost_reason(org, lead, lost_reason, cause)
    else:
        lead.lost_reason = None
    lead.status = status
    lead.converted_at = now if status == LeadStatus.CONVERTED else None
    metadata = {"from": previous, "to": status, **cause}
    description = f"Status changed from {previous} to {status}"
    if status == LeadStatus.LOST and lead.lost_reason is not None:
        metadata["lostReasonId"] = lead.lost_reason.pk
        description += f" (reason: {lead.lost_reason.name})"
    rows.add(
        _activity(
            org=org,
            lead=lead,
            actor=actor,
            type=Activity.Type.STATUS_CHANGED,
            description=description,
            metadata=metadata,
        )
    )
    if status == LeadStatus.CONVERTED:
        rows.add(
            _activity(
                org=org,
                lead=lead,
                actor=actor,
                type=Activity.Type.CONVERTED,
                description="Lead converted",
                metadata=cause,
            )
        )
    return [LeadEvent(EventKind.STATUS_CHANGED, org, lead, actor, detail=status, cause=cause)]


def _starting_lost_reason(org: Organization, actor: User | None, status: str, reason: LostReason | None):
    """The reason of a new lead: only for one that starts LOST, and then required once the org has reasons.

    A lead made by nobody (demo data, fixtures) has no one to ask for a reason, as with a rule.
    """
    if status != LeadStatus.LOST:
        if reason is not None:
            raise InvalidInput([LOST_REASON_ONLY_WHEN_LOST])
        return None
    if reason is None and actor is not None and org_has_lost_reasons(org):
        raise InvalidInput([LOST_REASON_REQUIRED])
    check_org_links(org, lostReasonId=reason)
    return reason


def _create_lead(
    *,
    org: Organization,
    actor: User | None,
    contact: Contact,
    pipeline: Pipeline,
    stage: Stage | None = None,
    source: str | None = None,
    value: Decimal | None = None,
    notes: str = "",
    utm_source: str | None = None,
    utm_medium: str | None = None,
    utm_campaign: str | None = None,
    utm_term: str | None = None,
    utm_content: str | None = None,
    assigned_to: User | None = None,
    campaign: Campaign | None = None,
    social_account: SocialAccount | None = None,
    content_post: ContentPost | None = None,
    conversation: Conversation | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    attribution: Mapping[str, str] | None = None,
    title: str | None = None,
    expected_close_date=None,
    probability: int | None = None,
    lost_reason: LostReason | None = None,
) -> Lead:
    """A new lead in ``stage`` (default: the pipeline's first), with the status the stage sets.

    A lead that starts LOST (its stage marks it so) takes ``lost_reason`` as marking one
    LOST does: required once the org has active reasons (unless made by nobody, ``actor``
    None), refused for any other status.
    """
    check_org_links(
        org,
        contactId=contact,
        pipelineId=pipeline,
        stageId=stage,
        campaignId=campaign,
        socialAccountId=social_account,
        contentPostId=content_post,
    )
    if stage is None:
        stage = first_stage(pipeline)
        if stage is None:
            raise InvalidInput(["pipelineId refers to a pipeline with no stages"])
    elif stage.pipeline_id != pipeline.pk:
        raise InvalidInput(["stageId must be a stage of the lead's pipeline"])
    if assigned_to is not None and not org.memberships.filter(user=assigned_to).exists():
        raise InvalidInput(["assignedToId does not match any member of this organization"])
    values = custom_fields or {}
    status = stage.status or LeadStatus.NEW
    # The custom fields are checked against the org's definitions the INSERT reads on the way (a
    # problem then rolls the row back), unless the lead starts LOST: its reason is checked after them.
    # That read is PostgreSQL's SQL (json_agg, an INSERT inside WITH); SQLite (`make run`) reads first.
    read_definitions = status != LeadStatus.LOST and connections[router.db_for_write(Lead)].vendor == "postgresql"
    if read_definitions:
        check_object(values)
        fields = {key: value for key, value in values.items() if value is not None}  # as checking leaves them
    else:
        fields = validate_custom_fields(org, values)
    now = timezone.now()
    lost_reason = _starting_lost_reason(org, actor, status, lost_reason)
    lead = Lead(
        organization=org,
        contact=contact,
        pipeline=pipeline,
        stage=stage,
        status=status,
        converted_at=now if status == LeadStatus.CONVERTED else None,
        source=source,
        value=value,
        notes=notes or "",
        utm_source=utm_source,
        utm_medium=utm_medium,
        utm_campaign=utm_campaign,
        utm_term=utm_term,
        utm_content=utm_content,
        assigned_to=assigned_to,
        campaign=campaign,
        social_account=social_account,
        content_post=content_post,
        conversation=conversation,
        custom_fields=fields,
        last_activity_at=now,
        attribution=dict(attribution or {}),
        title=title,
        expected_close_date=expected_close_date,
        probability=probability,
        lost_reason=lost_reason,
    )
    # The (contact, pipeline) unique index answers "already there?" (a race included) as the row goes in.
    if read_definitions:
        inserted, definitions = insert_new_reading(lead, DEFINITIONS_JSON_SQL, [org.pk])
        lead.custom_fields = check_against(definitions_from_json(definitions), values)
    else:
        inserted = insert_new(lead)
    if not inserted:
        raise Conflict(LEAD_EXISTS)
    saved(lead, created=True)
    rows = NewRows()
    rows.add(StageVisit(organization=org, lead=lead, stage=stage, entered_at=now))
    rows.add(
        _activity(
            org=org,
            lead=lead,
            actor=actor,
            type=Activity.Type.CREATED,
            description="Lead created",
            metadata={"stageId": stage.pk, "source": source}
            | ({"lostReasonId": lead.lost_reason_id} if lead.lost_reason_id else {}),
        )
    )
    if status == LeadStatus.CONVERTED:
        rows.add(_activity(org=org, lead=lead, actor=actor, type=Activity.Type.CONVERTED, description="Lead converted"))
    rows.add(change_record(org=org, lead=lead, user=actor, cause={}, before=None, after=_tracked_values(lead)))
    [created] = with_rows([LeadEvent(EventKind.LEAD_CREATED, org, lead, actor)], rows.add)
    rows.write()
    emit(created)
    return lead


create_lead = transaction.atomic(_create_lead)


@transaction.atomic
def create_lead_with_contact(
    *, org: Organization, actor: User | None, contact: Mapping[str, str], **lead_fields
) -> tuple[Lead, Contact]:
    contact_row, _ = find_or_create_contact(
        org=org,
        name=contact["name"],
        email=contact.get("email") or "",
        phone=contact.get("phone") or "",
        company=contact.get("company") or "",
    )
    # Inside this transaction already: no savepoint of its own.
    lead = _create_lead(org=org, actor=actor, contact=contact_row, **lead_fields)
    return lead, contact_row


@transaction.atomic
def update_lead(
    *, org: Organization, actor: User | None, lead_id: str, changes: Mapping[str, Any], cause: dict | None = None
) -> Lead:
    """Apply a partial update. ``changes`` uses model field names; only keys present change.

    ``custom_fields`` is merged into the lead's current values (a ``None``
    value removes a key) and the result validated as a whole.
    """
    cause = cause or {}
    lead = _lock_lead(org, lead_id)
    before = _tracked_values(lead)
    now = timezone.now()
    events: list[LeadEvent] = []
    rows = NewRows()

    for name in PLAIN_FIELDS:
        if name in changes:
            value = changes[name]
            setattr(lead, name, "" if name == "notes" and value is None else value)
    if "campaign" in changes:
        check_org_links(org, campaignId=changes["campaign"])
        lead.campaign = changes["campaign"]
    if "contact" in changes and changes["contact"].pk != lead.contact_id:
        # Only the admin edits this (the API has no contactId on PATCH).
        check_org_links(org, contactId=changes["contact"])
        if Lead.objects.for_org(org).filter(contact=changes["contact"], pipeline_id=lead.pipeline_id).exists():
            raise Conflict(LEAD_EXISTS)
        lead.contact = changes["contact"]
    if "custom_fields" in changes:
        merged = {**lead.custom_fields, **(changes["custom_fields"] or {})}
        lead.custom_fields = validate_custom_fields(org, merged)
    if "assigned_to" in changes and changes["assigned_to"] != lead.assigned_to:
        events += _assign(org=org, lead=lead, user=changes["assigned_to"], actor=actor, cause=cause, rows=rows)
    _change_lost_reason(org, lead, changes, cause)
    if "status" in changes and changes["status"] != lead.status:
        events += _change_status(
            org=org,
            lead=lead,
            status=changes["status"],
            actor=actor,
            cause=cause,
            now=now,
            rows=rows,
            lost_reason=changes.get("lost_reason"),
        )

    _finish_update(org, lead, actor, cause, before, events, rows)
    return lead


def _save_with_rows(
    org: Organization, lead: Lead, actor: User | None, cause: dict, before, rows: NewRows, note: str = ""
) -> dict[str, Any]:
    """Write a changed lead: its new rows and its change record in one statement, then the row itself.

    In that order because the rollup triggers of a new stage visit read the lead as it was.
    Returns the lead's tracked values after the change.
    """
    after = _tracked_values(lead)
    rows.add(change_record(org=org, lead=lead, user=actor, cause=cause, before=before, after=after, note=note))
    rows.write()
    lead.save()
    return after


def _save_move(
    org: Organization,
    lead: Lead,
    actor: User | None,
    cause: dict,
    before,
    rows: NewRows,
    events: list[LeadEvent],
    now,
    note: str = "",
) -> list[LeadEvent]:
    """Write a moved lead as ``_save_with_rows`` does, with the event subscribers' rows (the outbox's) in
    the statement of its new rows, and then only what a move changes, updated at ``now``: the lead
    holds the values written before they are, as those rows need. Returns the events to announce.
    """
    lead.updated_at = now
    after = _tracked_values(lead)
    rows.add(change_record(org=org, lead=lead, user=actor, cause=cause, before=before, after=after, note=note))
    events = with_rows(events, rows.add)
    rows.write()
    update_fields(lead, MOVED_FIELDS)
    return events


def _finish_update(
    org: Organization,
    lead: Lead,
    actor: User | None,
    cause: dict,
    before: Mapping[str, Any],
    events: list,
    rows: NewRows,
) -> None:
    """Save and announce an update: its events, then one LEAD_UPDATED naming every field it changed."""
    after = _save_with_rows(org, lead, actor, cause, before, rows)
    changed = _changed(before, after)
    if changed:
        events.append(LeadEvent(EventKind.LEAD_UPDATED, org, lead, actor, detail={"changes": changed}, cause=cause))
    emit_all(events)


def _assign(
    *, org: Organization, lead: Lead, user: User | None, actor: User | None, cause: dict, rows: NewRows
) -> list[LeadEvent]:
    if user is not None and not org.memberships.filter(user=user).exists():
        raise InvalidInput(["assignedToId does not match any member of this organization"])
    previous = lead.assigned_to_id
    lead.assigned_to = user
    description = f"Assigned to {user.name or user.email}" if user else "Unassigned"
    rows.add(
        _activity(
            org=org,
            lead=lead,
            actor=actor,
            type=Activity.Type.ASSIGNED,
            description=description,
            metadata={"from": previous, "to": user.pk if user else None, **cause},
        )
    )
    return [LeadEvent(EventKind.ASSIGNED, org, lead, actor, detail=user.pk if user else None, cause=cause)]


@transaction.atomic
def move_lead_to_stage(
    *,
    org: Organization,
    actor: User | None,
    lead_id: str,
    stage_id: str,
    notes: str = "",
    cause: dict | None = None,
    across_pipelines: bool = False,
    lost_reason=None,
    scope: LeadScope = ALL_LEADS,
) -> Lead:
    """Move a lead to another stage of its pipeline, closing the current stage visit.

    Entering a stage that carries a status sets that status too. Moving to
    the stage the lead is already in changes nothing. ``across_pipelines``
    (the admin's fix for a lead filed in the wrong pipeline) also accepts a
    stage of another pipeline of the org; the lead keeps its contact, so a
    lead for that contact already in the target pipeline is a Conflict. A lead ``scope`` doesn't
    see is not found, as one of another org.
    """
    cause = cause or {}
    # The target and the current stage come with the locked lead (the move's description names both).
    lead, stage, current = lock_for_move(org, lead_id, stage_id, scope, across_pipelines=across_pipelines)
    if stage is None:
        raise InvalidInput(["stageId must be a stage of the lead's pipeline"])
    if lost_reason is not None and stage.status != LeadStatus.LOST:
        raise InvalidInput(["lostReasonId can only be given for a move into a stage that marks the lead LOST"])
    if stage.pk == lead.stage_id:
        return lead
    before = _tracked_values(lead)
    pipeline_change = {}
    if stage.pipeline_id != lead.pipeline_id:
        if Lead.objects.for_org(org).filter(contact_id=lead.contact_id, pipeline_id=stage.pipeline_id).exists():
            raise Conflict(LEAD_EXISTS)
        pipeline_change = {"fromPipelineId": lead.pipeline_id, "toPipelineId": stage.pipeline_id}
        lead.pipeline_id = stage.pipeline_id

    now = timezone.now()
    rows = NewRows()
    events = _enter_stage(
        org=org,
        lead=lead,
        stage=stage,
        previous=current or lead.stage,
        actor=actor,
        cause=cause,
        now=now,
        rows=rows,
        notes=notes,
        metadata=pipeline_change,
    )
    if stage.status:
        events += _set_status(
            org=org,
            lead=lead,
            status=stage.status,
            actor=actor,
            cause=cause,
            now=now,
            rows=rows,
            lost_reason=lost_reason,
        )
    emit_all(_save_move(org, lead, actor, cause, before, rows, events, now, note=notes))
    return lead


def _enter_stage(
    *,
    org: Organization,
    lead: Lead,
    stage: Stage,
    previous: Stage,
    actor: User | None,
    cause: dict,
    now,
    rows: NewRows,
    notes: str = "",
    metadata: Mapping[str, Any] | None = None,
) -> list[LeadEvent]:
    """Put a locked lead into ``stage``: the close of its open visit, the new one and STAGE_CHANGED go to
    ``rows`` (neither they nor the lead are saved here)."""
    rows.update(StageVisit.objects.filter(lead=lead, left_at__isnull=True), left_at=now)
    rows.add(StageVisit(organization=org, lead=lead, stage=stage, entered_at=now))
    lead.stage = stage
    lead.last_activity_at = now
    rows.add(
        _activity(
            org=org,
            lead=lead,
            actor=actor,
            type=Activity.Type.STAGE_CHANGED,
            description=f"Moved from {previous.name} to {stage.name}" + (f": {notes}" if notes else ""),
            metadata={"fromStageId": previous.pk, "toStageId": stage.pk, "notes": notes, **(metadata or {}), **cause},
        )
    )
    return [LeadEvent(EventKind.STAGE_ENTERED, org, lead, actor, detail=stage.pk, cause=cause)]


def _status_stages(org: Organization, lead: Lead, status: str) -> tuple[Stage | None, Stage | None]:
    """``(target, current)``: the first stage of the lead's pipeline carrying ``status`` (None when no stage
    does, or the lead's own stage already does) and the lead's current stage, in one read."""
    rows = list(
        Stage.objects.for_org(org)
        .filter(Q(status=status) | Q(pk=lead.stage_id), pipeline_id=lead.pipeline_id)
        .order_by("order", "id")
    )
    current = next((row for row in rows if row.pk == lead.stage_id), None)
    if current is not None and current.status == status:
        return None, current
    return next((row for row in rows if row.status == status), None), current


def _change_status(
    *,
    org: Organization,
    lead: Lead,
    status: str,
    actor: User | None,
    cause: dict,
    now,
    rows: NewRows,
    lost_reason=None,
    fallback_stage: Stage | None = None,
) -> list[LeadEvent]:
    """A new status on a locked lead, and with it the stage: into the first stage carrying the status,
    exactly as a move there (visit, STAGE_CHANGED) would; a status no stage carries changes only itself.

    ``fallback_stage`` is where to go when no stage carries the status (reopening: the first stage).
    """
    target, current = _status_stages(org, lead, status)
    stays = current is not None and current.status == status  # already in a stage carrying it
    if target is None and not stays and fallback_stage is not None and fallback_stage.pk != lead.stage_id:
        target = fallback_stage
    events: list[LeadEvent] = []
    if target is not None:
        events += _enter_stage(
            org=org,
            lead=lead,
            stage=target,
            previous=current or lead.stage,
            actor=actor,
            cause=cause,
            now=now,
            rows=rows,
        )
    return events + _set_status(
        org=org, lead=lead, status=status, actor=actor, cause=cause, now=now, rows=rows, lost_reason=lost_reason
    )


CLOSED_STATUSES = (LeadStatus.CONVERTED, LeadStatus.LOST)


def close_lead(
    *,
    org: Organization,
    actor: User | None,
    lead_id: str,
    status: str,
    lost_reason=None,
    cause: dict | None = None,
) -> Lead:
    """Mark a lead converted or lost: the one way every writer closes a lead (PATCH goes the same way).

    Atomic: the status, the move into the pipeline's first stage carrying it (if any), the stage
    visit, the history and the events commit together. Closing a lead already closed that way
    changes nothing.
    """
    if status not in CLOSED_STATUSES:
        raise ValueError(f"close_lead closes a lead (CONVERTED or LOST), not {status!r}")
    changes: dict[str, Any] = {"status": status}
    if lost_reason is not None:
        changes["lost_reason"] = lost_reason
    return update_lead(org=org, actor=actor, lead_id=lead_id, changes=changes, cause=cause)


@transaction.atomic
def reopen_lead(*, org: Organization, actor: User | None, lead_id: str, cause: dict | None = None) -> Lead:
    """Back to NEW, into the stage carrying NEW, else the pipeline's first stage (the lead page's "Reopen")."""
    cause = cause or {}
    lead = _lock_lead(org, lead_id)
    if lead.status == LeadStatus.NEW:
        return lead
    before = _tracked_values(lead)
    first = Stage.objects.for_org(org).filter(pipeline_id=lead.pipeline_id).order_by("order", "id").first()
    now = timezone.now()
    rows = NewRows()
    events = _change_status(
        org=org, lead=lead, status=LeadStatus.NEW, actor=actor, cause=cause, now=now, rows=rows, fallback_stage=first
    )
    _finish_update(org, lead, actor, cause, before, events, rows)
    return lead


@transaction.atomic
def add_activity(
    *,
    org: Organization,
    actor: User | None,
    lead_id: str,
    type: str,
    description: str = "",
    metadata: Mapping[str, Any] | None = None,
    cause: dict | None = None,
) -> Activity:
    lead = _lock_lead(org, lead_id)
    activity = _activity(
        org=org,
        lead=lead,
        actor=actor,
        type=type,
        description=description,
        metadata={**(metadata or {}), **(cause or {})},
    )
    activity.save(force_insert=True)
    lead.last_activity_at = activity.created_at
    lead.save(update_fields=["last_activity_at", "updated_at"])
    emit(LeadEvent(EventKind.ACTIVITY_ADDED, org, lead, actor, detail=type, cause=cause or {}, activity=activity))
    return activity


@transaction.atomic
def delete_lead(*, org: Organization, actor: User | None, lead_id: str) -> None:
    """Delete a lead with its activities and stage history; the contact stays."""
    lead = _lock_lead(org, lead_id)
    emit(LeadEvent(EventKind.LEAD_DELETED, org, lead, actor))
    lead.delete()
