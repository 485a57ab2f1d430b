"""Admin of automation rules and their runs, scoped by ``vchata.tenancy.admin``."""

from django.contrib import admin
from django.db.models import Prefetch

from pipelines.admin import PipelineListFilter
from vchata.tenancy.admin import InlineConstraintsForm, OrgConsistentForm, OrgScopedAdmin, ScopedInline, show_saved

from .models import Rule, RuleAssignee, RuleRun
from .services import create_rule, delete_rule, update_rule

ORG_FILTER = ("organization", admin.RelatedOnlyFieldListFilter)
PIPELINE_FILTER = ("pipeline", PipelineListFilter)
# Rule fields of the form the rule services set (the round-robin assignees come from the inline).
RULE_FIELDS = (
    "condition_stages",
    "name",
    "is_active",
    "order",
    "trigger",
    "trigger_activity_type",
    "trigger_status",
    "trigger_stage",
    "idle_days",
    "condition_sources",
    "condition_min_value",
    "condition_max_value",
    "condition_assigned",
    "action",
    "action_stage",
    "action_status",
    "action_user",
    "action_activity_type",
    "action_description",
    "action_task_type",
    "action_task_title",
    "action_due_in_days",
)


class RuleAssigneeInline(ScopedInline):
    model = RuleAssignee
    form = InlineConstraintsForm
    fields = ("position", "user")
    autocomplete_fields = ("user",)
    ordering = ("position",)
    verbose_name = "round-robin assignee"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class RuleForm(OrgConsistentForm):
    """Stages must belong to the rule's pipeline and the assignee to its organization."""

    class Meta:
        model = Rule
        exclude = ("organization",)

    def clean(self):
        cleaned = super().clean()
        pipeline = cleaned.get("pipeline") or getattr(self.instance, "pipeline", None)
        if pipeline is None:
            return cleaned
        for name in ("trigger_stage", "action_stage"):
            stage = cleaned.get(name)
            if stage is not None and stage.pipeline_id != pipeline.pk:
                self.add_error(name, "Choose a stage of the rule's pipeline.")
        if any(stage.pipeline_id != pipeline.pk for stage in cleaned.get("condition_stages") or []):
            self.add_error("condition_stages", "Choose stages of the rule's pipeline.")
        user = cleaned.get("action_user")
        if user is not None and not pipeline.organization.memberships.filter(user=user).exists():
            self.add_error("action_user", "Choose a member of the rule's organization.")
        return cleaned

    def _org_id(self, cleaned):
        pipeline = cleaned.get("pipeline")
        return pipeline.organization_id if pipeline is not None else getattr(self.instance, "organization_id", None)


@admin.register(Rule)
class RuleAdmin(OrgScopedAdmin):
    form = RuleForm
    list_display = ("name", "summary", "pipeline", "trigger", "action", "is_active", "order", "organization")
    list_filter = ("is_active", "trigger", "action", PIPELINE_FILTER, ORG_FILTER, "created_at")
    list_editable = ("is_active",)
    list_select_related = ("pipeline", "organization", "trigger_stage", "action_stage", "action_user")
    search_fields = ("name", "pipeline__name", "=id", "=pipeline__id")
    search_help_text = "Rule or pipeline name, or exact ids"
    date_hierarchy = "created_at"
    autocomplete_fields = ("pipeline", "trigger_stage", "action_stage", "action_user", "condition_stages")
    readonly_fields = ("id", "summary", "created_at", "updated_at")
    inlines = [RuleAssigneeInline]
    fieldsets = (
        (None, {"fields": ("id", "pipeline", "name", "is_active", "order", "summary")}),
        ("When", {"fields": ("trigger", "trigger_activity_type", "trigger_status", "trigger_stage", "idle_days")}),
        (
            "If (every condition set must hold)",
            {
                "fields": (
                    "condition_stages",
                    "condition_sources",
                    "condition_min_value",
                    "condition_max_value",
                    "condition_assigned",
                )
            },
        ),
        ("Then", {"fields": ("action", "action_stage", "action_status", "action_user", "action_activity_type")}),
        (None, {"fields": ("action_description", "action_task_type", "action_task_title", "action_due_in_days")}),
        (None, {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("condition_stages", Prefetch("assignees", RuleAssignee.objects.select_related("user")))
        )

    def get_readonly_fields(self, request, obj=None):
        # A rule's stages belong to its pipeline: make a new rule for another pipeline.
        return (*self.readonly_fields, "pipeline") if obj is not None else self.readonly_fields

    @admin.display(description="rule")
    def summary(self, obj):
        return obj.describe() if obj.pk else "—"

    def save_model(self, request, obj, form, change):
        # Through the rule services, as the API does; the round-robin assignees
        # of the inline follow in save_related.
        fields = {name: form.cleaned_data[name] for name in RULE_FIELDS if name in form.cleaned_data}
        if "condition_stages" in fields:
            fields["condition_stages"] = list(fields["condition_stages"])
        if change:
            changes = {name: value for name, value in fields.items() if name in form.changed_data}
            rule = update_rule(org=obj.organization, pipeline=obj.pipeline, rule_id=obj.pk, changes=changes)
        else:
            pipeline = form.cleaned_data["pipeline"]
            rule = create_rule(org=pipeline.organization, pipeline=pipeline, fields=fields)
        show_saved(obj, rule)

    def save_related(self, request, form, formsets, change):
        # Condition stages were set by the service; only the assignees are left.
        for formset in formsets:
            if formset.model is RuleAssignee:
                self._save_assignees(request, form.instance, formset)
            else:
                self.save_formset(request, form, formset, change)

    def _save_assignees(self, request, rule: Rule, formset) -> None:
        formset.save(commit=False)  # the change message reads what changed from here
        if not formset.has_changed():
            return
        rows = [row for row in formset.forms if row.has_changed() or row.instance.pk]
        kept = [row.cleaned_data for row in rows if row.cleaned_data and not row.cleaned_data.get("DELETE")]
        users = [row["user"] for row in sorted(kept, key=lambda row: row.get("position") or 0)]
        # A new rotation starts from its first member (update_rule resets the cursor).
        update_rule(org=rule.organization, pipeline=rule.pipeline, rule_id=rule.pk, changes={"assignees": users})

    def delete_row(self, request, obj):
        delete_rule(org=obj.organization, pipeline=obj.pipeline, rule_id=obj.pk)


@admin.register(RuleRun)
class RuleRunAdmin(OrgScopedAdmin):
    """What automation did: written by the rule engine only."""

    read_only = True
    lead_prefix = "lead__"
    list_display = ("created_at", "rule", "lead", "outcome", "detail", "organization")
    list_filter = ("outcome", ("rule", admin.RelatedOnlyFieldListFilter), ORG_FILTER, "created_at")
    list_select_related = ("rule", "lead", "organization")
    search_fields = ("=lead__id", "=rule__id", "rule__name", "detail")
    search_help_text = "Rule name, failure detail, or exact lead/rule id"
    date_hierarchy = "created_at"
    raw_id_fields = ("rule", "lead")
