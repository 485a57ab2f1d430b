"""What the lead-side admins share: links between rows, stage labels, filters."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from pipelines.models import Stage

ORG_FILTER = ("organization", admin.RelatedOnlyFieldListFilter)


def admin_link(obj, text=None):
    if obj is None:
        return "—"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else obj)


def stage_label(stage: Stage) -> str:
    return f"{stage.pipeline.name} › {stage.name}"


class StageListFilter(admin.RelatedOnlyFieldListFilter):
    """Stages of the listed leads, labelled with their pipeline ("Sales › New")."""

    def field_choices(self, field, request, model_admin):
        used = model_admin.get_queryset(request).order_by().values("stage_id").distinct()
        stages = Stage.objects.filter(pk__in=used).select_related("pipeline").order_by("pipeline__name", "order")
        return [(stage.pk, stage_label(stage)) for stage in stages]
