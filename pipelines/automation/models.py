"""Automation rules: what a pipeline does by itself, and the record of what it did.

These tables were created by the ``pipelines`` app and keep their names
(``db_table``): the models moved here, the data did not.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from leads.models import LOGGED_ACTIVITY_CHOICES, Task
from pipelines.models import LeadStatus, Pipeline, Stage
from vchata.ids import PrefixedIdField
from vchata.tenancy import OrgOwned


class RuleTrigger(models.TextChoices):
    LEAD_CREATED = "LEAD_CREATED", "Lead created"
    ACTIVITY_ADDED = "ACTIVITY_ADDED", "Activity logged"
    STATUS_CHANGED = "STATUS_CHANGED", "Status changed"
    STAGE_ENTERED = "STAGE_ENTERED", "Stage entered"
    IDLE_IN_STAGE = "IDLE_IN_STAGE", "No activity for N days"


class RuleAction(models.TextChoices):
    MOVE_TO_STAGE = "MOVE_TO_STAGE", "Move to stage"
    SET_STATUS = "SET_STATUS", "Set status"
    ASSIGN_TO = "ASSIGN_TO", "Assign"
    ADD_ACTIVITY = "ADD_ACTIVITY", "Add activity"
    CREATE_TASK = "CREATE_TASK", "Create task"


class Rule(OrgOwned):
    """An automation rule of one pipeline: when ``trigger`` happens and every condition holds, do ``action``.

    The trigger, conditions and action are structured columns (not a JSON
    document) so the database can keep their invariants and foreign keys, and
    the admin can edit them with plain form fields. The API nests them as
    ``trigger``/``conditions``/``action`` objects (``automation.serializers``).
    """

    Trigger = RuleTrigger
    Action = RuleAction

    EVENT_TRIGGERS = frozenset(
        {RuleTrigger.LEAD_CREATED, RuleTrigger.ACTIVITY_ADDED, RuleTrigger.STATUS_CHANGED, RuleTrigger.STAGE_ENTERED}
    )

    id = PrefixedIdField(prefix="rule")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="rules")
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0, help_text="Rules of a pipeline are evaluated in ascending order.")

    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    trigger_activity_type = models.CharField(
        max_length=16, choices=LOGGED_ACTIVITY_CHOICES, blank=True, default="", help_text="ACTIVITY_ADDED: which type."
    )
    trigger_status = models.CharField(
        max_length=10, choices=LeadStatus.choices, blank=True, default="", help_text="STATUS_CHANGED: to which status."
    )
    # Deleting the stage a rule is about deletes the rule: it cannot mean anything else.
    trigger_stage = models.ForeignKey(
        Stage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="STAGE_ENTERED: which stage. IDLE_IN_STAGE: only leads in this stage (optional).",
    )
    idle_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="IDLE_IN_STAGE: days without any activity."
    )

    # Conditions: all that are set must hold; an unset one always holds.
    condition_stages = models.ManyToManyField(
        Stage, blank=True, related_name="condition_of_rules", help_text="The lead is in one of these stages."
    )
    condition_sources = models.JSONField(
        default=list, blank=True, help_text="The lead's source is one of these (a list of strings)."
    )
    condition_min_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    condition_max_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    condition_assigned = models.BooleanField(
        null=True, blank=True, help_text="True: only assigned leads; False: only unassigned; empty: either."
    )

    action = models.CharField(max_length=20, choices=Action.choices)
    action_stage = models.ForeignKey(
        Stage, on_delete=models.CASCADE, null=True, blank=True, related_name="+", help_text="MOVE_TO_STAGE: target."
    )
    action_status = models.CharField(
        max_length=10, choices=LeadStatus.choices, blank=True, default="", help_text="SET_STATUS: target."
    )
    action_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="ASSIGN_TO: this member (leave empty to assign round-robin over the rule's assignees).",
    )
    # Position in the assignee list of the next round-robin pick; advanced under
    # a row lock on the rule so concurrent requests share the load fairly.
    round_robin_cursor = models.PositiveIntegerField(default=0, editable=False)
    action_activity_type = models.CharField(
        max_length=16, choices=LOGGED_ACTIVITY_CHOICES, blank=True, default="", help_text="ADD_ACTIVITY: type."
    )
    action_description = models.TextField(blank=True, default="", help_text="ADD_ACTIVITY: its description.")
    action_task_type = models.CharField(
        max_length=8, choices=Task.Type.choices, blank=True, default="", help_text="CREATE_TASK: the task's type."
    )
    action_task_title = models.CharField(max_length=200, blank=True, default="", help_text="CREATE_TASK: its title.")
    action_due_in_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="CREATE_TASK: due this many days after the rule fires (0: at once)."
    )

    class Meta:
        db_table = "pipelines_rule"
        ordering = ["pipeline", "order", "created_at"]
        indexes = [models.Index(fields=["organization", "pipeline", "trigger"], name="rule_org_pipeline_trigger_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(trigger__in=RuleTrigger.values), name="rule_trigger_known"),
            models.CheckConstraint(condition=Q(action__in=RuleAction.values), name="rule_action_known"),
            models.CheckConstraint(
                condition=~Q(trigger="ACTIVITY_ADDED") | ~Q(trigger_activity_type=""),
                name="rule_activity_trigger_has_type",
            ),
            models.CheckConstraint(
                condition=~Q(trigger="STATUS_CHANGED") | ~Q(trigger_status=""), name="rule_status_trigger_has_status"
            ),
            models.CheckConstraint(
                condition=~Q(trigger="STAGE_ENTERED") | Q(trigger_stage__isnull=False),
                name="rule_stage_trigger_has_stage",
            ),
            models.CheckConstraint(
                # "IS NOT NULL" spelled out: a CHECK passes when it is NULL, as "NULL >= 1" is.
                condition=(Q(trigger="IDLE_IN_STAGE") & Q(idle_days__isnull=False) & Q(idle_days__gte=1))
                | (~Q(trigger="IDLE_IN_STAGE") & Q(idle_days__isnull=True)),
                name="rule_idle_days_iff_idle_trigger",
            ),
            models.CheckConstraint(
                condition=~Q(action="MOVE_TO_STAGE") | Q(action_stage__isnull=False), name="rule_move_has_stage"
            ),
            models.CheckConstraint(
                condition=~Q(action="SET_STATUS") | ~Q(action_status=""), name="rule_set_status_has_status"
            ),
            models.CheckConstraint(
                condition=~Q(action="ADD_ACTIVITY") | ~Q(action_activity_type=""), name="rule_add_activity_has_type"
            ),
            models.CheckConstraint(
                condition=~Q(action="CREATE_TASK")
                | (~Q(action_task_type="") & ~Q(action_task_title="") & Q(action_due_in_days__isnull=False)),
                name="rule_create_task_complete",
            ),
            models.CheckConstraint(
                condition=Q(condition_min_value__isnull=True) | Q(condition_min_value__gte=0),
                name="rule_min_value_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(condition_min_value__isnull=True)
                | Q(condition_max_value__isnull=True)
                | Q(condition_min_value__lte=F("condition_max_value")),
                name="rule_value_range_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def describe(self) -> str:
        """One line for people: "When a MEETING is logged, if unassigned → assign round-robin (Ann, Bob)".

        Reads the rule's stages and assignees: fetch rules through
        ``automation.selectors.rules_for_pipeline`` to keep that to a few queries.
        """
        from .describe import describe_rule  # describe reads these models

        return describe_rule(self)


class RuleAssignee(models.Model):
    """One member of an ASSIGN_TO rule's round-robin rotation, in rotation order."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="assignees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        db_table = "pipelines_ruleassignee"
        ordering = ["rule", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "user"], name="rule_assignee_once_per_rule"),
            models.UniqueConstraint(fields=["rule", "position"], name="rule_assignee_position_unique"),
        ]

    def __str__(self):
        return f"{self.user} (#{self.position})"


class RuleRun(OrgOwned):
    """A rule applied to a lead: the audit trail, and the claim that stops an idle rule firing twice.

    ``idle_since`` is the lead's last activity time when an IDLE_IN_STAGE rule
    fired; the unique constraint lets exactly one of several concurrent
    ``run_automations`` processes claim (rule, lead, idle period). Event rules
    leave it empty.
    """

    class Outcome(models.TextChoices):
        APPLIED = "APPLIED"
        FAILED = "FAILED"

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="rule_runs")
    idle_since = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.APPLIED)
    detail = models.TextField(blank=True, default="", help_text="Why it failed, when it did.")

    class Meta:
        db_table = "pipelines_rulerun"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "lead", "idle_since"],
                condition=Q(idle_since__isnull=False),
                name="rule_run_once_per_idle_period",
            ),
        ]
        indexes = [models.Index(fields=["organization", "rule", "-created_at"], name="rule_run_org_rule_idx")]

    def __str__(self):
        return f"{self.rule} on {self.lead_id}: {self.outcome}"
