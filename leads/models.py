from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import OrderBy
from django.db.models.functions import Lower

from pipelines.models import LeadStatus, Pipeline, Stage
from vchata.actors import ActorKind
from vchata.ids import PrefixedIdField
from vchata.tenancy import OrgOwned


class NullsOrderedIndex(models.Index):
    """An index whose columns may say ``NULLS FIRST``/``NULLS LAST``.

    PostgreSQL needs the clause for the index to serve an ``ORDER BY ... NULLS
    FIRST``; SQLite refuses it in ``CREATE INDEX`` but already sorts NULLs
    first ascending (last descending), so there the clause is dropped.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "sqlite":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = self.clone()
        plain.expressions = tuple(
            OrderBy(e.expression, descending=e.descending) if isinstance(e, OrderBy) else e for e in self.expressions
        )
        return super(NullsOrderedIndex, plain).create_sql(model, schema_editor, using=using, **kwargs)


# Optional free-text attributes are NULL when absent so the API answers
# ``null`` rather than "" (the documented shape), hence ``null=True`` below.


class Contact(OrgOwned):
    id = PrefixedIdField(prefix="contact")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True, default="")
    phone = models.CharField(max_length=40, blank=True, default="")
    company = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["name"]
        constraints = [
            # One contact per email in an org, so "reuse by email" can't race into duplicates.
            models.UniqueConstraint(
                "organization", Lower("email"), condition=~Q(email=""), name="contact_email_ci_unique_per_org"
            ),
        ]
        indexes = [models.Index(fields=["organization", "name"], name="contact_org_name_idx")]

    def __str__(self):
        return self.name


class Campaign(OrgOwned):
    id = PrefixedIdField(prefix="campaign")
    name = models.CharField(max_length=200)
    utm_campaign = models.CharField(max_length=200, help_text="The utmCampaign value of leads from this campaign.")
    budget = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "utm_campaign"], name="campaign_utm_unique_per_org"),
            models.CheckConstraint(condition=Q(budget__gte=0) | Q(budget__isnull=True), name="campaign_budget_gte_0"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="campaign_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name


class SocialAccount(OrgOwned):
    class Platform(models.TextChoices):
        FACEBOOK = "FACEBOOK"
        INSTAGRAM = "INSTAGRAM"
        TWITTER = "TWITTER"
        LINKEDIN = "LINKEDIN"
        TIKTOK = "TIKTOK"
        WHATSAPP = "WHATSAPP"

    id = PrefixedIdField(prefix="social")
    platform = models.CharField(max_length=12, choices=Platform.choices)
    platform_id = models.CharField(max_length=200)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "platform", "platform_id"], name="social_account_unique_per_org"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_platform_display()})"


class ContentPost(OrgOwned):
    id = PrefixedIdField(prefix="post")
    social_account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="posts")
    platform_post_id = models.CharField(max_length=200)
    content = models.TextField(blank=True, default="")
    url = models.URLField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["social_account", "platform_post_id"], name="content_post_unique_per_account"
            ),
        ]

    def __str__(self):
        return self.content[:60] or self.platform_post_id


class Conversation(OrgOwned):
    id = PrefixedIdField(prefix="conv")
    social_account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="conversations")
    content_post = models.ForeignKey(
        ContentPost, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    participant_name = models.CharField(max_length=200)
    participant_handle = models.CharField(max_length=200, blank=True, default="")
    participant_email = models.EmailField(max_length=254, blank=True, default="")
    participant_phone = models.CharField(max_length=40, blank=True, default="")
    # The participant's id on the platform (Messenger PSID, Instagram IGSID, WhatsApp wa_id):
    # inbound messages from one person land in one conversation per account.
    participant_platform_id = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="conversation_org_created_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["social_account", "participant_platform_id"],
                condition=~Q(participant_platform_id=""),
                name="conversation_one_per_participant",
            ),
        ]

    def __str__(self):
        return f"{self.participant_name} via {self.social_account_id}"


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "IN"
        OUT = "OUT"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    text = models.TextField()
    sent_at = models.DateTimeField()
    # The platform's message id (Messenger/Instagram mid, WhatsApp wamid): a redelivered event adds nothing.
    platform_message_id = models.CharField(max_length=200, blank=True, default="")
    # Links to what came with the message: [{"type", "url", "mediaId", "mimeType", "caption", ...}].
    attachments = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["conversation", "sent_at"], name="message_conv_sent_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "platform_message_id"],
                condition=~Q(platform_message_id=""),
                name="message_platform_id_unique",
            ),
        ]

    def __str__(self):
        return f"{self.direction}: {self.text[:40]}"


class CustomField(OrgOwned):
    class Type(models.TextChoices):
        TEXT = "TEXT"
        NUMBER = "NUMBER"
        DATE = "DATE"
        BOOLEAN = "BOOLEAN"
        SELECT = "SELECT"

    id = PrefixedIdField(prefix="field")
    key = models.SlugField(max_length=60, help_text="snake_case key used in a lead's customFields.")
    label = models.CharField(max_length=120)
    type = models.CharField(max_length=8, choices=Type.choices)
    options = models.JSONField(default=list, blank=True, help_text="Allowed values of a SELECT field.")
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="custom_field_key_unique_per_org")]

    def __str__(self):
        return self.label


class LostReason(OrgOwned):
    """Why a deal was lost ("Price", "Went with a competitor"): the org's list, asked for when marking a lead LOST.

    Once an organization has an active reason, marking a lead LOST (by status or
    stage) takes one. A reason some leads carry can't be deleted (409): retire
    it with ``is_active`` so the win/loss report keeps it.
    """

    id = PrefixedIdField(prefix="reason")
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0, help_text="Lists show reasons in ascending order.")

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint("organization", Lower("name"), name="lost_reason_name_ci_unique_per_org"),
        ]

    def __str__(self):
        return self.name


class Lead(OrgOwned):
    Status = LeadStatus

    id = PrefixedIdField(prefix="lead")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="leads")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="leads")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="leads")
    status = models.CharField(max_length=10, choices=LeadStatus.choices, default=LeadStatus.NEW)
    source = models.CharField(max_length=100, null=True, blank=True)
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    utm_source = models.CharField(max_length=200, null=True, blank=True)
    utm_medium = models.CharField(max_length=200, null=True, blank=True)
    utm_campaign = models.CharField(max_length=200, null=True, blank=True)
    utm_term = models.CharField(max_length=200, null=True, blank=True)
    utm_content = models.CharField(max_length=200, null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_leads"
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads")
    social_account = models.ForeignKey(
        SocialAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    content_post = models.ForeignKey(
        ContentPost, on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    conversation = models.OneToOneField(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="lead"
    )
    converted_at = models.DateTimeField(null=True, blank=True)
    # Deal fields: a name for the deal, when it should close, and its chance (overrides the stage's probability).
    title = models.CharField(max_length=200, null=True, blank=True)
    expected_close_date = models.DateField(null=True, blank=True)
    probability = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="0–100; overrides the stage's probability in forecasts when set."
    )
    # Why it was lost: set while the lead is LOST, cleared when it leaves LOST.
    lost_reason = models.ForeignKey(LostReason, on_delete=models.PROTECT, null=True, blank=True, related_name="leads")
    custom_fields = models.JSONField(default=dict, blank=True)
    # Last time anything was logged on the lead (creation counts): drives
    # "days since last activity" on the board and IDLE_IN_STAGE rules.
    last_activity_at = models.DateTimeField(null=True, blank=True)
    # Where a captured lead came from beyond utm_*: gclid, fbclid, msclkid, landingPage, referrer.
    # A database default too, so rows inserted by hand-written SQL (bench/) need not name it.
    attribution = models.JSONField(default=dict, db_default=models.Value({}, models.JSONField()), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "contact", "pipeline"], name="lead_one_per_contact_and_pipeline"
            ),
            models.CheckConstraint(condition=Q(value__gte=0) | Q(value__isnull=True), name="lead_value_gte_0"),
            models.CheckConstraint(
                condition=Q(probability__lte=100) | Q(probability__isnull=True), name="lead_probability_0_100"
            ),
            models.CheckConstraint(
                condition=(Q(status=LeadStatus.CONVERTED) & Q(converted_at__isnull=False))
                | (~Q(status=LeadStatus.CONVERTED) & Q(converted_at__isnull=True)),
                name="lead_converted_at_iff_converted",
            ),
        ]
        # Every filter and ordering of the lead list is backed by an index that
        # starts with the organization. Filter indexes end with the default
        # ordering (-created_at, -id) so "filter + first page" is one index walk.
        indexes = [
            models.Index(fields=["organization", "-created_at", "-id"], name="lead_org_created_idx"),
            models.Index(fields=["organization", "-updated_at", "-id"], name="lead_org_updated_id_idx"),
            # Read backwards for ``-value``: highest first, unvalued leads last.
            NullsOrderedIndex(
                F("organization"), F("value").asc(nulls_first=True), F("id").asc(), name="lead_org_value_id_idx"
            ),
            models.Index(fields=["organization", "status", "-created_at", "-id"], name="lead_org_status_created_idx"),
            models.Index(fields=["organization", "source", "-created_at", "-id"], name="lead_org_source_created_idx"),
            models.Index(
                fields=["organization", "utm_campaign", "-created_at", "-id"], name="lead_org_utm_created_idx"
            ),
            models.Index(
                fields=["organization", "assigned_to", "-created_at", "-id"], name="lead_org_assignee_created_idx"
            ),
            models.Index(
                fields=["organization", "pipeline", "-created_at", "-id"], name="lead_org_pipeline_created2_idx"
            ),
            # stageId: the count is an index-only scan and the first page an ordered walk
            # (without it: a bitmap heap scan over every lead of the stage, 0.4 s at 125,000).
            models.Index(fields=["organization", "stage", "-created_at", "-id"], name="lead_org_stage_created_idx"),
            models.Index(fields=["stage", "-updated_at"], name="lead_stage_updated_idx"),
            # The deal filters (expectedCloseAfter/Before), the Expected close ordering and the forecast's months.
            models.Index(fields=["organization", "expected_close_date"], name="lead_org_close_date_idx"),
            # The dashboard's converted-per-week series: the org's conversions of a few weeks, not every lead.
            models.Index(
                fields=["organization", "converted_at"],
                name="lead_org_converted_idx",
                condition=Q(converted_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.pk or "lead (not saved)"

    @property
    def converted(self) -> bool:
        return self.status == LeadStatus.CONVERTED


class Activity(OrgOwned):
    class Type(models.TextChoices):
        NOTE = "NOTE"
        CALL = "CALL"
        EMAIL_SENT = "EMAIL_SENT"
        EMAIL_RECEIVED = "EMAIL_RECEIVED"
        MEETING = "MEETING"
        SMS = "SMS"
        SOCIAL_MESSAGE = "SOCIAL_MESSAGE"
        TASK = "TASK"
        # Written by the system only.
        CREATED = "CREATED"
        STAGE_CHANGED = "STAGE_CHANGED"
        STATUS_CHANGED = "STATUS_CHANGED"
        ASSIGNED = "ASSIGNED"
        CONVERTED = "CONVERTED"

    SYSTEM_TYPES = frozenset({"CREATED", "STAGE_CHANGED", "STATUS_CHANGED", "ASSIGNED", "CONVERTED"})

    id = PrefixedIdField(prefix="activity")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    type = models.CharField(max_length=16, choices=Type.choices)
    description = models.TextField(blank=True, default="")
    metadata = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lead", "-created_at", "-id"], name="activity_lead_created_idx")]

    def __str__(self):
        return f"{self.get_type_display()}: {self.description[:40]}"


class LeadChange(OrgOwned):
    """One action's changes to a lead's fields, with who made it: ``{field: [before, after]}``.

    ``changes`` names fields as the API does (``value``, ``stageId``, ``customFields.<key>`` …,
    see ``leads.services.changes``); a creation records the initial values, each from null. The
    actor is kept as written (kind, ids, a display name), so the record outlives the rule, key
    or user: rules and keys live in apps above this one, so their ids are plain text, not keys.
    """

    ActorKind = ActorKind

    id = PrefixedIdField(prefix="change")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="changes")
    created = models.BooleanField(default=False, help_text="The lead's creation (its initial values).")
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_rule_id = models.CharField(max_length=40, blank=True, default="")
    actor_api_key_id = models.CharField(max_length=40, blank=True, default="")
    actor_name = models.CharField(max_length=300, blank=True, default="")
    changes = models.JSONField(default=dict)
    # What the actor wrote with the change (a move's notes), shown beside it on the timeline.
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lead", "-created_at", "-id"], name="lead_change_lead_created_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(actor_kind__in=ActorKind.values), name="lead_change_actor_kind_known")
        ]

    def __str__(self):
        return f"{self.lead_id}: {', '.join(self.changes)}"

    @property
    def actor_id(self) -> str | None:
        """The id the API names the actor by: the user's, the rule's or the key's (none for the system)."""
        if self.actor_kind == ActorKind.RULE:
            return self.actor_rule_id or None
        if self.actor_kind == ActorKind.API_KEY:
            return self.actor_api_key_id or None
        return self.actor_user_id


# The activity types a person logs; the system writes the others.
LOGGED_ACTIVITY_CHOICES = [
    (value, label) for value, label in Activity.Type.choices if value not in Activity.SYSTEM_TYPES
]


class StageVisit(models.Model):
    """One stay of a lead in a stage; ``left_at`` is NULL while it is still there."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="stage_visits")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="visits")
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["entered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"], condition=Q(left_at__isnull=True), name="stage_visit_one_open_per_lead"
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=models.F("entered_at")),
                name="stage_visit_left_after_entered",
            ),
        ]
        indexes = [
            models.Index(fields=["lead", "entered_at"], name="stage_visit_lead_entered_idx"),
            models.Index(fields=["stage", "entered_at"], name="stage_visit_stage_entered_idx"),
        ]

    def __str__(self):
        return f"{self.lead_id} in {self.stage_id} from {self.entered_at:%Y-%m-%d}"


class Task(OrgOwned):
    """A next step on a lead: a call, email, meeting or to-do due at a time, for one member.

    Open while ``completed_at`` is NULL. Completing one logs a TASK activity on
    the lead (``leads.services.tasks``), so done work shows on its timeline.
    """

    class Type(models.TextChoices):
        CALL = "CALL"
        EMAIL = "EMAIL"
        MEETING = "MEETING"
        TODO = "TODO"

    id = PrefixedIdField(prefix="task")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    type = models.CharField(max_length=8, choices=Type.choices, default=Type.TODO)
    due_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=["CALL", "EMAIL", "MEETING", "TODO"]), name="task_type_known"),
        ]
        indexes = [
            # "My work": a member's open tasks by due time; the org's list by due time.
            models.Index(
                fields=["organization", "assigned_to", "completed_at", "due_at"], name="task_org_assignee_due_idx"
            ),
            models.Index(fields=["organization", "due_at", "id"], name="task_org_due_idx"),
            # A lead's tasks, and its next open one (the board card).
            models.Index(fields=["lead", "completed_at", "due_at", "id"], name="task_lead_open_due_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def done(self) -> bool:
        return self.completed_at is not None


class TaskDigest(models.Model):
    """The daily task digest sent to one member of one organization on one day (its own): sent at most once."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    task_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user", "day"], name="task_digest_once_a_day"),
        ]

    def __str__(self):
        return f"{self.user_id} in {self.organization_id} on {self.day}"
