"""Admin for pipelines, stages and automation rules, scoped by ``vchata.tenancy.admin``."""

from django.contrib import admin
from django.db import transaction
from django.db.models import F

from vchata.tenancy.admin import OrgConsistentForm, OrgScopedAdmin, ScopedInline, count_of

from .models import Pipeline, Stage

ORG_FILTER = ("organization", admin.RelatedOnlyFieldListFilter)
# Counted by label: leads sits above pipelines, which import nothing of it.
LEAD = "leads.Lead"
PIPELINE_FILTER = ("pipeline", admin.RelatedOnlyFieldListFilter)
# Stage orders are unique per pipeline and the constraint is not deferrable,
# so a reorder first parks the moving stages out of the way.
ORDER_PARKING_OFFSET = 1_000_000


class StageInline(ScopedInline):
    model = Stage
    fields = ("order", "name", "status", "probability", "rotting_days", "lead_count")
    readonly_fields = ("lead_count",)
    ordering = ("order",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lead_total=count_of(LEAD, "stage"))

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
    fields = ("id", "organization", "name", "is_default", "rotting_days", "created_at", "updated_at")
    inlines = [StageInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(stage_total=count_of(Stage, "pipeline"), lead_total=count_of(LEAD, "pipeline"))
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
        fields = ("pipeline", "name", "order", "status", "probability", "rotting_days")


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
        return super().get_queryset(request).annotate(lead_total=count_of(LEAD, "stage"))

    def get_readonly_fields(self, request, obj=None):
        # Moving a stage to another pipeline would strand the leads in it.
        return ("pipeline",) if obj is not None else ()

    @admin.display(description="leads now", ordering="lead_total")
    def lead_count(self, obj):
        return obj.lead_total

    def save_model(self, request, obj, form, change):
        obj.organization_id = obj.pipeline.organization_id
        super().save_model(request, obj, form, change)
