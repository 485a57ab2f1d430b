"""Every change to leads and contacts goes through these functions.

The API, the board pages, the admin and automation rules all call them, so a
move is the same operation with the same checks and history wherever it
starts. Each is atomic; those that change a lead's stage, status or assignee
lock the lead row first, so two people dragging one card cannot interleave
their history rows.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from pipelines.models import LeadStatus, Pipeline, Stage
from vchata.accounts.models import Organization, User
from vchata.exceptions import Conflict, InvalidInput
from vchata.money import json_amount
from vchata.tenancy import get_in_org

from .counting import bump_lead_counts
from .custom_fields import validate_custom_fields
from .events import EventKind, LeadEvent, emit
from .models import (
    Activity,
    Campaign,
    Contact,
    ContentPost,
    Conversation,
    CustomField,
    Lead,
    Message,
    SocialAccount,
    StageVisit,
)

LEAD_EXISTS = "Lead already exists for this contact and pipeline"

# Fields update_lead copies as they are (already validated by the caller).
PLAIN_FIELDS = ("value", "notes", "source", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# A lead's fields as API clients name them, with the attribute holding each (ids for links).
TRACKED_FIELDS = {
    "value": "value",
    "status": "status",
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
}


def _tracked_values(lead: Lead) -> dict[str, Any]:
    """The lead's tracked fields as JSON values (amounts as numbers, custom fields copied)."""
    values = {name: getattr(lead, attribute) for name, attribute in TRACKED_FIELDS.items()}
    values["value"] = json_amount(values["value"])
    values["customFields"] = dict(values["customFields"] or {})
    return values


def _changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list]:
    return {name: [before[name], after[name]] for name in before if before[name] != after[name]}


def _lock_lead(org: Organization, lead_id: str) -> Lead:
    return get_in_org(Lead, org, lead_id, lock=True)


def _log(
    *, org: Organization, lead: Lead, actor: User | None, type: str, description: str = "", metadata=None
) -> Activity:
    return Activity.objects.create(
        organization=org, lead=lead, type=type, description=description, metadata=metadata or {}, actor=actor
    )


def _check_org_links(org: Organization, **objects) -> None:
    """Refuse rows of another org (serializers already scope ids; this guards other callers)."""
    for field, obj in objects.items():
        if obj is not None and getattr(obj, "organization_id", org.pk) != org.pk:
            raise InvalidInput([f"{field} does not match any record in this organization"])


def _set_status(*, org: Organization, lead: Lead, status: str, actor: User | None, cause: dict, now) -> list[LeadEvent]:
    """Apply a status change on a locked lead; returns the events to emit after saving."""
    previous = lead.status
    if previous == status:
        return []
    lead.status = status
    lead.converted_at = now if status == LeadStatus.CONVERTED else None
    metadata = {"from": previous, "to": status, **cause}
    _log(
        org=org,
        lead=lead,
        actor=actor,
        type=Activity.Type.STATUS_CHANGED,
        description=f"Status changed from {previous} to {status}",
        metadata=metadata,
    )
    if status == LeadStatus.CONVERTED:
        _log(
            org=org, lead=lead, actor=actor, type=Activity.Type.CONVERTED, description="Lead converted", metadata=cause
        )
    return [LeadEvent(EventKind.STATUS_CHANGED, org, lead, actor, detail=status, cause=cause)]


def _emit_all(events: list[LeadEvent]) -> None:
    for event in events:
        emit(event)


# --- contacts ---------------------------------------------------------------


def _contact_by_email(org: Organization, email: str) -> Contact | None:
    # Written to match the partial unique index (organization, lower(email)) WHERE email <> '', and
    # unordered (at most one row matches): with an ORDER BY (``first()`` adds one) PostgreSQL walked
    # every contact of the organization in that order instead, 4.5 s at 800,000 contacts.
    matches = Contact.objects.for_org(org).exclude(email="").annotate(email_ci=Lower("email"))
    return next(iter(matches.filter(email_ci=email.lower()).order_by()[:1]), None)


def find_or_create_contact(
    *, org: Organization, name: str, email: str = "", phone: str = "", company: str = ""
) -> tuple[Contact, bool]:
    """The org's contact with this email (case-insensitive), or a new one.

    The per-org unique index on lower(email) settles a race between two
    requests creating the same new contact: the loser reuses the winner's row.
    """
    email = (email or "").strip()
    if email:
        existing = _contact_by_email(org, email)
        if existing:
            return existing, False
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                organization=org, name=name, email=email, phone=phone or "", company=company or ""
            )
    except IntegrityError:
        contact = _contact_by_email(org, email)
        if contact is None:
            raise
        return contact, False
    return contact, True


# --- leads ------------------------------------------------------------------


@transaction.atomic
def create_lead(
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
) -> Lead:
    _check_org_links(
        org,
        contactId=contact,
        pipelineId=pipeline,
        stageId=stage,
        campaignId=campaign,
        socialAccountId=social_account,
        contentPostId=content_post,
    )
    if stage is None:
        stage = pipeline.stages.order_by("order").first()
        if stage is None:
            raise InvalidInput(["pipelineId refers to a pipeline with no stages"])
    elif stage.pipeline_id != pipeline.pk:
        raise InvalidInput(["stageId must be a stage of the lead's pipeline"])
    if assigned_to is not None and not org.memberships.filter(user=assigned_to).exists():
        raise InvalidInput(["assignedToId does not match any member of this organization"])
    fields = validate_custom_fields(org, custom_fields or {})
    if Lead.objects.for_org(org).filter(contact=contact, pipeline=pipeline).exists():
        raise Conflict(LEAD_EXISTS)

    now = timezone.now()
    status = stage.status or LeadStatus.NEW
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
    )
    try:
        with transaction.atomic():
            lead.save(force_insert=True)
    except IntegrityError as exc:
        # Lost a race with an identical create: the unique constraint decided.
        raise Conflict(LEAD_EXISTS) from exc
    StageVisit.objects.create(organization=org, lead=lead, stage=stage, entered_at=now)
    _log(
        org=org,
        lead=lead,
        actor=actor,
        type=Activity.Type.CREATED,
        description="Lead created",
        metadata={"stageId": stage.pk, "source": source},
    )
    if status == LeadStatus.CONVERTED:
        _log(org=org, lead=lead, actor=actor, type=Activity.Type.CONVERTED, description="Lead converted")
    emit(LeadEvent(EventKind.LEAD_CREATED, org, lead, actor))
    return lead


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
    lead = create_lead(org=org, actor=actor, contact=contact_row, **lead_fields)
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

    for name in PLAIN_FIELDS:
        if name in changes:
            value = changes[name]
            setattr(lead, name, "" if name == "notes" and value is None else value)
    if "campaign" in changes:
        _check_org_links(org, campaignId=changes["campaign"])
        lead.campaign = changes["campaign"]
    if "contact" in changes and changes["contact"].pk != lead.contact_id:
        # Only the admin edits this (the API has no contactId on PATCH).
        _check_org_links(org, contactId=changes["contact"])
        if Lead.objects.for_org(org).filter(contact=changes["contact"], pipeline_id=lead.pipeline_id).exists():
            raise Conflict(LEAD_EXISTS)
        lead.contact = changes["contact"]
    if "custom_fields" in changes:
        merged = {**lead.custom_fields, **(changes["custom_fields"] or {})}
        lead.custom_fields = validate_custom_fields(org, merged)
    if "assigned_to" in changes and changes["assigned_to"] != lead.assigned_to:
        events += _assign(org=org, lead=lead, user=changes["assigned_to"], actor=actor, cause=cause)
    if "status" in changes:
        events += _set_status(org=org, lead=lead, status=changes["status"], actor=actor, cause=cause, now=now)

    lead.save()
    changed = _changed(before, _tracked_values(lead))
    if changed:
        events.append(LeadEvent(EventKind.LEAD_UPDATED, org, lead, actor, detail={"changes": changed}, cause=cause))
    _emit_all(events)
    return lead


def _assign(*, org: Organization, lead: Lead, user: User | None, actor: User | None, cause: dict) -> list[LeadEvent]:
    if user is not None and not org.memberships.filter(user=user).exists():
        raise InvalidInput(["assignedToId does not match any member of this organization"])
    previous = lead.assigned_to_id
    lead.assigned_to = user
    description = f"Assigned to {user.name or user.email}" if user else "Unassigned"
    _log(
        org=org,
        lead=lead,
        actor=actor,
        type=Activity.Type.ASSIGNED,
        description=description,
        metadata={"from": previous, "to": user.pk if user else None, **cause},
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
) -> Lead:
    """Move a lead to another stage of its pipeline, closing the current stage visit.

    Entering a stage that carries a status sets that status too. Moving to
    the stage the lead is already in changes nothing. ``across_pipelines``
    (the admin's fix for a lead filed in the wrong pipeline) also accepts a
    stage of another pipeline of the org; the lead keeps its contact, so a
    lead for that contact already in the target pipeline is a Conflict.
    """
    cause = cause or {}
    lead = _lock_lead(org, lead_id)
    stages = Stage.objects.for_org(org)
    if not across_pipelines:
        stages = stages.filter(pipeline_id=lead.pipeline_id)
    stage = stages.filter(pk=stage_id).first()
    if stage is None:
        raise InvalidInput(["stageId must be a stage of the lead's pipeline"])
    if stage.pk == lead.stage_id:
        return lead
    pipeline_change = {}
    if stage.pipeline_id != lead.pipeline_id:
        if Lead.objects.for_org(org).filter(contact_id=lead.contact_id, pipeline_id=stage.pipeline_id).exists():
            raise Conflict(LEAD_EXISTS)
        pipeline_change = {"fromPipelineId": lead.pipeline_id, "toPipelineId": stage.pipeline_id}
        lead.pipeline_id = stage.pipeline_id

    now = timezone.now()
    previous = lead.stage
    StageVisit.objects.filter(lead=lead, left_at__isnull=True).update(left_at=now)
    StageVisit.objects.create(organization=org, lead=lead, stage=stage, entered_at=now)
    lead.stage = stage
    _log(
        org=org,
        lead=lead,
        actor=actor,
        type=Activity.Type.STAGE_CHANGED,
        description=f"Moved from {previous.name} to {stage.name}" + (f": {notes}" if notes else ""),
        metadata={"fromStageId": previous.pk, "toStageId": stage.pk, "notes": notes, **pipeline_change, **cause},
    )
    events = [LeadEvent(EventKind.STAGE_ENTERED, org, lead, actor, detail=stage.pk, cause=cause)]
    if stage.status:
        events += _set_status(org=org, lead=lead, status=stage.status, actor=actor, cause=cause, now=now)
    lead.last_activity_at = now
    lead.save()
    _emit_all(events)
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
    activity = _log(
        org=org,
        lead=lead,
        actor=actor,
        type=type,
        description=description,
        metadata={**(metadata or {}), **(cause or {})},
    )
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


@transaction.atomic
def convert_conversation(
    *,
    org: Organization,
    actor: User | None,
    conversation_id: str,
    pipeline: Pipeline,
    source: str | None = "social_media",
    value: Decimal | None = None,
    notes: str = "",
) -> tuple[Lead, Contact]:
    """Turn a social conversation into a lead, linked to its account and post.

    The conversation row is locked, so two conversions of one conversation
    serialise; the second sees the first's lead and gets a 409.
    """
    conversation = Conversation.objects.for_org(org).select_for_update().filter(pk=conversation_id).first()
    if conversation is None:
        raise InvalidInput(["conversationId does not match any conversation in this organization"])
    if Lead.objects.filter(conversation=conversation).exists():
        raise Conflict("Conversation has already been converted to a lead")
    contact, _ = find_or_create_contact(
        org=org,
        name=conversation.participant_name,
        email=conversation.participant_email,
        phone=conversation.participant_phone,
    )
    lead = create_lead(
        org=org,
        actor=actor,
        contact=contact,
        pipeline=pipeline,
        source=source,
        value=value,
        notes=notes,
        social_account=conversation.social_account,
        content_post=conversation.content_post,
        conversation=conversation,
    )
    emit(LeadEvent(EventKind.CONVERSATION_CONVERTED, org, lead, actor, detail=conversation.pk))
    return lead, contact


# --- campaigns ----------------------------------------------------------------

CAMPAIGN_EXISTS = "A campaign with this utmCampaign already exists"
CAMPAIGN_FIELDS = ("name", "utm_campaign", "budget", "starts_at", "ends_at")


def _check_campaign(org: Organization, campaign: Campaign) -> None:
    if campaign.starts_at and campaign.ends_at and campaign.ends_at < campaign.starts_at:
        raise InvalidInput(["endsAt must not be before startsAt"])
    same_key = Campaign.objects.for_org(org).filter(utm_campaign=campaign.utm_campaign).exclude(pk=campaign.pk)
    if same_key.exists():
        raise Conflict(CAMPAIGN_EXISTS)


def _save_unique(row, conflict: str, **save_kwargs) -> None:
    """Save; a unique index that a concurrent request filled first becomes the documented 409."""
    try:
        with transaction.atomic():
            row.save(**save_kwargs)
    except IntegrityError as exc:
        raise Conflict(conflict) from exc


@transaction.atomic
def create_campaign(
    *,
    org: Organization,
    actor: User | None,
    name: str,
    utm_campaign: str,
    budget: Decimal | None = None,
    starts_at=None,
    ends_at=None,
) -> Campaign:
    campaign = Campaign(
        organization=org, name=name, utm_campaign=utm_campaign, budget=budget, starts_at=starts_at, ends_at=ends_at
    )
    _check_campaign(org, campaign)
    _save_unique(campaign, CAMPAIGN_EXISTS, force_insert=True)
    return campaign


@transaction.atomic
def update_campaign(*, org: Organization, actor: User | None, campaign_id: str, changes: Mapping[str, Any]) -> Campaign:
    """Apply a partial update (model field names); the dates are checked against the merged result."""
    campaign = get_in_org(Campaign, org, campaign_id, lock=True)
    for name in CAMPAIGN_FIELDS:
        if name in changes:
            setattr(campaign, name, changes[name])
    _check_campaign(org, campaign)
    _save_unique(campaign, CAMPAIGN_EXISTS)
    return campaign


@transaction.atomic
def delete_campaign(*, org: Organization, actor: User | None, campaign_id: str) -> None:
    """Delete a campaign; its leads stay, no longer linked to it."""
    get_in_org(Campaign, org, campaign_id, lock=True).delete()


# --- custom field definitions -------------------------------------------------

CUSTOM_FIELD_EXISTS = "A custom field with this key already exists"


def _check_options(field: CustomField) -> None:
    if field.type == CustomField.Type.SELECT and not field.options:
        raise InvalidInput(["options must list at least one value for a SELECT field"])
    if field.type != CustomField.Type.SELECT and field.options:
        raise InvalidInput(["options are only allowed on a SELECT field"])


@transaction.atomic
def create_custom_field(
    *,
    org: Organization,
    actor: User | None,
    key: str,
    label: str,
    type: str,
    options: list[str] | None = None,
    required: bool = False,
) -> CustomField:
    field = CustomField(
        organization=org, key=key, label=label, type=type, options=list(options or []), required=required
    )
    _check_options(field)
    if CustomField.objects.for_org(org).filter(key=key).exists():
        raise Conflict(CUSTOM_FIELD_EXISTS)
    _save_unique(field, CUSTOM_FIELD_EXISTS, force_insert=True)
    return field


@transaction.atomic
def update_custom_field(
    *, org: Organization, actor: User | None, field_id: str, changes: Mapping[str, Any]
) -> CustomField:
    """Change a field's ``label``, ``options`` or ``required``; its key and type stay.

    Leads keep the values they hold; the new rules apply on their next write.
    """
    field = get_in_org(CustomField, org, field_id, lock=True)
    for name in ("label", "options", "required"):
        if name in changes:
            setattr(field, name, changes[name])
    _check_options(field)
    field.save()
    return field


@transaction.atomic
def delete_custom_field(*, org: Organization, actor: User | None, field_id: str) -> None:
    """Delete a definition and remove its key from every lead of the org that holds a value for it.

    Otherwise the next customFields write of such a lead would be refused for
    carrying a key that is no longer a custom field.
    """
    field = get_in_org(CustomField, org, field_id, lock=True)
    holders = Lead.objects.for_org(org).filter(custom_fields__has_key=field.key).only("id", "custom_fields")
    batch = []
    for lead in holders.iterator(chunk_size=500):
        lead.custom_fields.pop(field.key, None)
        batch.append(lead)
        if len(batch) == 500:
            Lead.objects.bulk_update(batch, ["custom_fields"])
            batch = []
    if batch:
        Lead.objects.bulk_update(batch, ["custom_fields"])
    bump_lead_counts(org.pk)  # bulk_update sends no save signal
    field.delete()


# --- social accounts, posts, conversations -----------------------------------

SOCIAL_ACCOUNT_EXISTS = "A social account with this platform and platformId already exists"
CONTENT_POST_EXISTS = "A post with this platformPostId already exists for this social account"


@transaction.atomic
def create_social_account(
    *, org: Organization, actor: User | None, platform: str, platform_id: str, name: str
) -> SocialAccount:
    if SocialAccount.objects.for_org(org).filter(platform=platform, platform_id=platform_id).exists():
        raise Conflict(SOCIAL_ACCOUNT_EXISTS)
    account = SocialAccount(organization=org, platform=platform, platform_id=platform_id, name=name)
    _save_unique(account, SOCIAL_ACCOUNT_EXISTS, force_insert=True)
    return account


@transaction.atomic
def create_content_post(
    *,
    org: Organization,
    actor: User | None,
    social_account: SocialAccount,
    platform_post_id: str,
    content: str = "",
    url: str = "",
) -> ContentPost:
    _check_org_links(org, socialAccountId=social_account)
    if ContentPost.objects.filter(social_account=social_account, platform_post_id=platform_post_id).exists():
        raise Conflict(CONTENT_POST_EXISTS)
    post = ContentPost(
        organization=org, social_account=social_account, platform_post_id=platform_post_id, content=content, url=url
    )
    _save_unique(post, CONTENT_POST_EXISTS, force_insert=True)
    return post


@transaction.atomic
def create_conversation(
    *,
    org: Organization,
    actor: User | None,
    social_account: SocialAccount,
    participant: Mapping[str, str],
    content_post: ContentPost | None = None,
    messages: Iterable[Mapping[str, Any]] = (),
) -> Conversation:
    """A conversation with a participant on one of the org's social accounts, and its first messages.

    ``messages`` items have ``direction``, ``text`` and ``sent_at``.
    """
    _check_org_links(org, socialAccountId=social_account, contentPostId=content_post)
    if content_post is not None and content_post.social_account_id != social_account.pk:
        raise InvalidInput(["contentPostId must be a post of socialAccountId"])
    conversation = Conversation.objects.create(
        organization=org,
        social_account=social_account,
        content_post=content_post,
        participant_name=participant["name"],
        participant_handle=participant.get("handle") or "",
        participant_email=participant.get("email") or "",
        participant_phone=participant.get("phone") or "",
    )
    Message.objects.bulk_create(
        Message(conversation=conversation, direction=m["direction"], text=m["text"], sent_at=m["sent_at"])
        for m in messages
    )
    return conversation
