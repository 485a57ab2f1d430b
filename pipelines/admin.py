"""Admin for pipelines, stages and automation rules, scoped by ``vchata.tenancy.admin``."""

from django.contrib import admin

from vchata.tenancy.admin import (
    OrgConsistentForm,
    OrgNamedListFilter,
    OrgScopedAdmin,
    ScopedInline,
    changed_values,
    count_of,
    show_saved,
)

from . import services
from .models import Pipeline, Stage

ORG_FILTER = ("organization", admin.RelatedOnlyFieldListFilter)
# Counted by label: leads sits above pipelines, which import nothing of it.
LEAD = "leads.Lead"


class PipelineListFilter(OrgNamedListFilter):
    """Pipelines of the listed rows ("Acme — Sales Pipeline" when they are of several orgs)."""

    def label(self, pipeline):
        return pipeline.name


class StageListFilter(OrgNamedListFilter):
    """Stages of the listed rows, with their pipeline ("Sales › New"; "Acme — Sales › New" across orgs)."""

    related = ("pipeline",)

    def label(self, stage):
        return f"{stage.pipeline.name} › {stage.name}"

    def sort_key(self, stage):
        return (stage.pipeline.name, stage.order)


PIPELINE_FILTER = ("pipeline", PipelineListFilter)


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


class PipelineForm(OrgConsistentForm):
    class Meta:
        model = Pipeline
        fields = ("organization", "name", "is_default", "rotting_days")

    def _get_validation_exclusions(self):
        # The one-default-per-org constraint is the service's to keep: making this
        # pipeline the default un-defaults the old one in the same transaction.
        return {*super()._get_validation_exclusions(), "organization"}


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
    form = PipelineForm
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

    def save_model(self, request, obj, form, change):
        if not change:
            return  # made with its stages in save_related, as POST /pipelines does
        changes = changed_values(form, PIPELINE_FIELDS)
        if changes:
            # Making it the default un-defaults the org's old default in the same transaction.
            services.update_pipeline(org=obj.organization, actor=request.user, pipeline_id=obj.pk, changes=changes)
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        stage_formset = next((formset for formset in formsets if formset.model is Stage), None)
        if change:
            if stage_formset is not None:
                save_stage_rows(request, form.instance, stage_formset)
            return
        rows = sorted(_kept_rows(stage_formset), key=lambda row: row.cleaned_data.get("order") or 0)
        data = form.cleaned_data
        pipeline = services.create_pipeline(
            org=data["organization"],
            name=data["name"],
            is_default=data.get("is_default", False),
            **({"rotting_days": data["rotting_days"]} if data.get("rotting_days") is not None else {}),
            # No rows: the five default stages, as in the API.
            stages=[_stage_spec(row.cleaned_data) for row in rows] or None,
        )
        obj = form.instance
        show_saved(obj, pipeline)
        _report(stage_formset, new=list(pipeline.stages.order_by("order")))

    def delete_row(self, request, obj):
        services.delete_pipeline(org=obj.organization, actor=request.user, pipeline_id=obj.pk)


PIPELINE_FIELDS = ("name", "is_default", "rotting_days")
STAGE_FIELDS = ("name", "status", "probability", "rotting_days")


def _stage_spec(cleaned) -> dict:
    return {name: cleaned.get(name) for name in STAGE_FIELDS}


def _kept_rows(formset):
    """The inline's forms that stay: not deleted, and not a blank extra row."""
    return [
        row for row in formset.forms if not formset._should_delete_form(row) and (row.instance.pk or row.has_changed())
    ]


def _report(formset, *, new=(), changed=(), deleted=()) -> None:
    # What the admin's change message and log read from a saved formset.
    formset.new_objects, formset.changed_objects, formset.deleted_objects = list(new), list(changed), list(deleted)


def save_stage_rows(request, pipeline: Pipeline, formset) -> None:
    """Apply the stage inline through the stage services: deletes, edits, new stages, then the order.

    A stage holding leads is refused by ``delete_stage`` (409 in the API); the
    remaining stages are renumbered 1..n in the order the form shows.
    """
    org, actor = pipeline.organization, request.user
    formset.save(commit=False)  # fills new/changed/deleted objects from the cleaned forms
    for stage in formset.deleted_objects:
        services.delete_stage(org=org, actor=actor, pipeline_id=pipeline.pk, stage_id=stage.pk)
    for stage, fields in formset.changed_objects:
        changes = {name: getattr(stage, name) for name in fields if name in STAGE_FIELDS}
        if changes:
            services.update_stage(org=org, actor=actor, pipeline_id=pipeline.pk, stage_id=stage.pk, changes=changes)
    for stage in formset.new_objects:
        created = services.create_stage(org=org, actor=actor, pipeline_id=pipeline.pk, **_stage_spec(vars(stage)))
        stage.pk = created.pk
    # Every kept row at the position its order field asks; ties keep the current order, new rows after.
    rows = _kept_rows(formset)
    wanted = sorted(
        range(len(rows)), key=lambda i: (rows[i].cleaned_data.get("order") or 0, rows[i].instance.pk is None, i)
    )
    stage_ids = [rows[i].instance.pk for i in wanted]
    if stage_ids != list(pipeline.stages.order_by("order").values_list("pk", flat=True)):
        services.reorder_stages(org=org, actor=actor, pipeline_id=pipeline.pk, stage_ids=stage_ids)


class StageForm(OrgConsistentForm):
    class Meta:
        model = Stage
        fields = ("pipeline", "name", "order", "status", "probability", "rotting_days")

    def _get_validation_exclusions(self):
        # The order is a position the stage services make room at (and renumber), not a free slot to find.
        return {*super()._get_validation_exclusions(), "order"}


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
        data, pipeline = form.cleaned_data, obj.pipeline
        org, actor = pipeline.organization, request.user
        if not change:
            stage = services.create_stage(
                org=org, actor=actor, pipeline_id=pipeline.pk, order=data.get("order"), **_stage_spec(data)
            )
        else:
            changes = changed_values(form, STAGE_FIELDS)
            if changes:
                services.update_stage(org=org, actor=actor, pipeline_id=pipeline.pk, stage_id=obj.pk, changes=changes)
            if "order" in form.changed_data:
                stage_ids = list(pipeline.stages.exclude(pk=obj.pk).order_by("order").values_list("pk", flat=True))
                stage_ids.insert(max(data["order"], 1) - 1, obj.pk)
                services.reorder_stages(org=org, actor=actor, pipeline_id=pipeline.pk, stage_ids=stage_ids)
            stage = obj
        show_saved(obj, stage)

    def delete_row(self, request, obj):
        services.delete_stage(
            org=obj.pipeline.organization, actor=request.user, pipeline_id=obj.pipeline_id, stage_id=obj.pk
        )
