"""What the lead-side admins share: links between rows, stage labels, filters."""

from django.contrib import admin

from pipelines.admin import PipelineListFilter, StageListFilter
from pipelines.models import Stage
from vchata.tenancy.admin import admin_link

__all__ = ["ORG_FILTER", "PipelineListFilter", "StageListFilter", "admin_link", "stage_label"]

ORG_FILTER = ("organization", admin.RelatedOnlyFieldListFilter)


def stage_label(stage: Stage) -> str:
    return f"{stage.pipeline.name} › {stage.name}"
