"""Admin for pipelines, stages and automation rules, scoped by ``vchata.admin_scoping``."""

from django.contrib import admin
from django.db import transaction
from django.db.models import F, Prefetch

from leads.models import Lead
from vchata.admin_scoping import InlineConstraintsForm, OrgConsistentForm, OrgScopedAdmin, ScopedInline, count_of

from .automation.services import create_rule, update_rule
from .models import Pipeline, Rule, RuleAssignee, RuleRun, Stage

ORG_FILTER = ("organization", admin.RelatedOnlyFieldListFilter)
PIPELINE_FILTER = ("pipeline", admin.RelatedOnlyFieldListFilter)
# Stage orders are unique per pipeline and the constraint is not deferrable,
# so a reorder first parks the moving stages out of the way.
ORDER_PARKING_OFFSET = 1_000_000
# Scalar rule fields the rule services set (condition stages and assignees are saved with the form's m2m/inline).
RULE_FIELDS = (
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
)


class StageInline(ScopedInline):
    model = Stage
    fields = ("order", "name", "status", "probability", "lead_count")
    readonly_fields = ("lead_count",)
    ordering = ("order",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lead_total=count_of(Lead, "stage"))

    @admin.display(description="leads now")
    def lead_count(self, obj):
        return getattr(obj, "lead_total", 0)


@admin.register(Pipeline)
class PipelineAdmin(OrgScopedAdmin):
    list_display = ("name", "organization", "is_default", "stage_count", "lead_count", "created_at")
    list_filter = ("is_default", ORG_FILTER, "created_at")
    list_select_related = ("organization",)
    search_fields = ("name", "organization__name", "=id", "=organization__id")
    search_help_text = "Pipeline or organization name, or exact ids"
    date_hierarchy = "created_at"
    autocomplete_fields = ("organization",)
    readonly_fields = ("id", "created_at", "updated_at")
    fields = ("id", "organization", "name", "is_default", "created_at", "updated_at")
    inlines = [StageInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(stage_total=count_of(Stage, "pipeline"), lead_total=count_of(Lead, "pipeline"))
        )

    @admin.display(description="stages", ordering="stage_total")
    def stage_count(self, obj):
        return obj.stage_total

    @admin.display(description="leads", ordering="lead_total")
    def lead_count(self, obj):
        return obj.lead_total

    def save_formset(self, request, form, formset, change):
        if formset.model is not Stage:
            return super().save_formset(request, form, formset, change)
        stages = formset.save(commit=False)
        for stage in formset.deleted_objects:
            stage.delete()
        moving = [stage.pk for stage in stages if stage.pk and "order" in _changed_fields(formset, stage)]
        with transaction.atomic():
            Stage.objects.filter(pk__in=moving).update(order=F("order") + ORDER_PARKING_OFFSET)
            for stage in stages:
                stage.pipeline = form.instance
                stage.organization_id = form.instance.organization_id
                stage.save()
        formset.save_m2m()


def _changed_fields(formset, instance) -> list[str]:
    for changed, fields in formset.changed_objects:
        if changed.pk == instance.pk:
            return fields
    return []


class StageForm(OrgConsistentForm):
    class Meta:
        model = Stage
        fields = ("pipeline", "name", "order", "status", "probability")


@admin.register(Stage)
class StageAdmin(OrgScopedAdmin):
    form = StageForm
    list_display = ("name", "pipeline", "order", "status", "probability", "lead_count", "organization")
    list_filter = ("status", PIPELINE_FILTER, ORG_FILTER)
    list_select_related = ("pipeline", "organization")
    search_fields = ("name", "pipeline__name", "=id", "=pipeline__id")
    search_help_text = "Stage or pipeline name, or exact ids"
    autocomplete_fields = ("pipeline",)
    ordering = ("pipeline__name", "order")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lead_total=count_of(Lead, "stage"))

    def get_readonly_fields(self, request, obj=None):
        # Moving a stage to another pipeline would strand the leads in it.
        return ("pipeline",) if obj is not None else ()

    @admin.display(description="leads now", ordering="lead_total")
    def lead_count(self, obj):
        return obj.lead_total

    def save_model(self, request, obj, form, change):
        obj.organization_id = obj.pipeline.organization_id
        super().save_model(request, obj, form, change)


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
        (None, {"fields": ("action_description", "created_at", "updated_at")}),
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
        # Through the rule services, as the API does; condition stages (m2m)
        # and round-robin assignees (inline) are saved by save_related.
        fields = {name: form.cleaned_data[name] for name in RULE_FIELDS if name in form.cleaned_data}
        if change:
            rule = update_rule(org=obj.organization, pipeline=obj.pipeline, rule_id=obj.pk, changes=fields)
        else:
            pipeline = form.cleaned_data["pipeline"]
            rule = create_rule(org=pipeline.organization, pipeline=pipeline, fields=fields)
        obj.pk, obj._state.adding = rule.pk, False
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is RuleAssignee and formset.has_changed():
            # A new rotation starts from its first member.
            Rule.objects.filter(pk=form.instance.pk).update(round_robin_cursor=0)


@admin.register(RuleRun)
class RuleRunAdmin(OrgScopedAdmin):
    """What automation did: written by the rule engine only."""

    read_only = True
    list_display = ("created_at", "rule", "lead", "outcome", "detail", "organization")
    list_filter = ("outcome", ("rule", admin.RelatedOnlyFieldListFilter), ORG_FILTER, "created_at")
    list_select_related = ("rule", "lead", "organization")
    search_fields = ("=lead__id", "=rule__id", "rule__name", "detail")
    search_help_text = "Rule name, failure detail, or exact lead/rule id"
    date_hierarchy = "created_at"
    raw_id_fields = ("rule", "lead")
