"""Routes of the pipelines API (``/pipelines/{orgId}…``), no trailing slashes."""

from django.urls import path

from . import api

PIPELINE = "pipelines/<org_id:org_id>/<pipeline_id:pipeline_id>"

urlpatterns = [
    path("pipelines/<org_id:org_id>", api.PipelinesView.as_view(), name="pipelines"),
    path(PIPELINE, api.PipelineView.as_view(), name="pipeline"),
    path(f"{PIPELINE}/stages", api.StagesView.as_view(), name="pipeline-stages"),
    path(f"{PIPELINE}/stages/reorder", api.StageReorderView.as_view(), name="pipeline-stages-reorder"),
    path(f"{PIPELINE}/stages/<stage_id:stage_id>", api.StageView.as_view(), name="pipeline-stage"),
]
