"""Rows of the integration layer: the outbox, webhook endpoints and deliveries, inbound platform events, lead forms.

Everything a background task works on is a row here first, so a task that is
lost (broker down, worker killed) is found again by a periodic sweep and
nothing is lost; every task is written to be run twice.
"""

import secrets

from django.db import models
from django.db.models import Q

from vchata.ids import PrefixedIdField
from vchata.tenancy import OrgOwned


class EventType(models.TextChoices):
    LEAD_CREATED = "lead.created"
    LEAD_UPDATED = "lead.updated"
    LEAD_STAGE_CHANGED = "lead.stage_changed"
    LEAD_CONVERTED = "lead.converted"
    LEAD_LOST = "lead.lost"
    LEAD_DELETED = "lead.deleted"
    ACTIVITY_CREATED = "activity.created"
    CONVERSATION_CONVERTED = "conversation.converted"


class OutboxEvent(OrgOwned):
    """A domain event, written in the transaction of the change it announces.

    ``id`` is the event id receivers dedupe on. ``fanned_out_at`` is set once a
    delivery row exists for every endpoint that wants the event; until then the
    sweep hands the row to a worker again.
    """

    id = PrefixedIdField(prefix="evt")
    type = models.CharField(max_length=40, choices=EventType.choices)
    data = models.JSONField()
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep's scan: rows not fanned out yet, oldest first.
            models.Index(fields=["created_at"], condition=Q(fanned_out_at__isnull=True), name="outbox_pending_idx"),
            models.Index(fields=["organization", "-created_at"], name="outbox_org_created_idx"),
        ]

    def __str__(self):
        return f"{self.type} {self.pk}"


def new_signing_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


class WebhookEndpoint(OrgOwned):
    id = PrefixedIdField(prefix="webhook")
    url = models.URLField(max_length=2000)
    # Event types sent to this endpoint (values of EventType).
    events = models.JSONField(default=list)
    description = models.CharField(max_length=200, blank=True, default="")
    # Kept as is: every delivery is signed with it. Answered once, at creation.
    secret = models.CharField(max_length=100, default=new_signing_secret, editable=False)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True, default="")
    disabled_at = models.DateTimeField(null=True, blank=True)
    # The current run of failed attempts (reset by a success) and when it began.
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "is_active"], name="webhook_org_active_idx")]

    def __str__(self):
        return self.url

    def wants(self, event_type: str) -> bool:
        return self.is_active and event_type in self.events


class WebhookDelivery(OrgOwned):
    """One event on its way to one endpoint: retried until it succeeds or runs out of tries.

    A redelivery is a new row for the same event (same event id, ``redelivery_of`` set).
    A worker claims a row before sending by setting ``locked_until``; a worker that dies
    mid-send leaves the claim to expire, and the retry sweep sends the event again.
    """

    class State(models.TextChoices):
        PENDING = "PENDING"  # waiting for its next attempt
        SUCCEEDED = "SUCCEEDED"
        FAILED = "FAILED"  # out of tries, or the endpoint was disabled

    id = PrefixedIdField(prefix="delivery")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    redelivery_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            # Fan-out may run twice (at least once): the first delivery of an event per endpoint is unique.
            models.UniqueConstraint(
                fields=["endpoint", "event"], condition=Q(redelivery_of__isnull=True), name="delivery_once_per_endpoint"
            ),
        ]
        indexes = [
            models.Index(fields=["endpoint", "-created_at", "-id"], name="delivery_endpoint_created_idx"),
            # The retry sweep's scan.
            models.Index(fields=["next_attempt_at"], condition=Q(state="PENDING"), name="delivery_due_idx"),
        ]

    def __str__(self):
        return f"{self.event_id} → {self.endpoint_id} ({self.state})"


class DeliveryAttempt(models.Model):
    """One try of a delivery: the log line shown per endpoint in the API and the admin."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=300, blank=True, default="")
    response_body = models.CharField(max_length=500, blank=True, default="")
    succeeded = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="delivery_attempt_number_unique"),
        ]

    def __str__(self):
        return f"{self.delivery_id} #{self.number}"


class InboundEvent(models.Model):
    """A signed webhook body from Meta, stored as received before anything is done with it.

    Not owned by one organization: one body can carry messages for several
    accounts. The body's hash is unique, so a replayed POST stores nothing new.
    """

    class State(models.TextChoices):
        PENDING = "PENDING"
        PROCESSED = "PROCESSED"
        FAILED = "FAILED"

    source = models.CharField(max_length=20, default="meta")
    object_type = models.CharField(max_length=60, blank=True, default="", help_text="The payload's ``object``.")
    body = models.TextField()
    body_sha256 = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True, default="")
    # What processing did: {"filed": n, "duplicates": n, "ignored": n, "unknownAccounts": [...]}.
    summary = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["received_at"], condition=Q(state="PENDING"), name="inbound_pending_idx"),
        ]

    def __str__(self):
        return f"{self.source} {self.object_type} #{self.pk} ({self.state})"


def new_form_key() -> str:
    return secrets.token_urlsafe(24)


class LeadForm(OrgOwned):
    """A public web-to-lead form: ``POST /forms/{key}`` creates a lead with its contact in the org.

    The key is public (it sits in the site's HTML); rotating it retires the old one at once.
    """

    id = PrefixedIdField(prefix="form")
    name = models.CharField(max_length=200)
    key = models.CharField(max_length=64, unique=True, default=new_form_key)
    # Empty: the org's default pipeline at the time of each submission.
    pipeline = models.ForeignKey(
        "pipelines.Pipeline", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=100, default="web_form")
    # Browser origins that may post to the form (CORS), e.g. "https://www.example.com".
    allowed_origins = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ApiKeyScope(models.TextChoices):
    LEADS_READ = "leads:read"
    LEADS_WRITE = "leads:write"
    ANALYTICS_READ = "analytics:read"
    CONVERSATIONS_WRITE = "conversations:write"


class ApiKey(OrgOwned):
    """A secret an integration sends as ``Authorization: Bearer vch_…`` to act for its org (``integrations.apikeys``).

    Only ``digest`` (keyed HMAC-SHA256 of the whole secret) is kept; ``prefix`` (its first characters) is
    there so people can tell keys apart in lists.
    """

    id = PrefixedIdField(prefix="key")
    name = models.CharField(max_length=100)
    scopes = models.JSONField(default=list)
    prefix = models.CharField(max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # Requests a minute for this key; None: the ``apikey`` rate of the settings.
    rate_limit = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    is_api_key = True  # how throttles and the org-scoped base tell a key from a JWT

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="apikey_org_created_idx")]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def actor(self):
        from .apikeys import actor_of

        return actor_of(self)

    def membership_for(self, org_id: str, view, method: str):
        """The org-scoped base's hook: the membership this key acts through on ``org_id`` (404/403 else)."""
        from .authentication import membership_for

        return membership_for(self, org_id, view, method)
