"""What the lead-side admins share: links between rows, stage labels, filters."""

from django.contrib import admin

from pipelines.models import Stage
from vchata.tenancy.admin import admin_link

__all__ = ["ORG_FILTER", "StageListFilter", "admin_link", "stage_label"]

ORG_FILTER = ("organization", admin.RelatedOnlyFieldListFilter)


def stage_label(stage: Stage) -> str:
    return f"{stage.pipeline.name} › {stage.name}"


class StageListFilter(admin.RelatedOnlyFieldListFilter):
    """Stages of the listed leads, labelled with their pipeline ("Sales › New")."""

    def field_choices(self, field, request, model_admin):
        used = model_admin.get_queryset(request).order_by().values("stage_id").distinct()
        stages = Stage.objects.filter(pk__in=used).select_related("pipeline").order_by("pipeline__name", "order")
        return [(stage.pk, stage_label(stage)) for stage in stages]
