"""``/pipelines/{orgId}…``: pipelines and their stages (automation rules: ``pipelines.automation.api``).

Views are thin: validate, call one service of ``pipelines.services``, answer
the pipeline (with its stages in order) from one read.
"""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema

from vchata.accounts.models import Organization
from vchata.exceptions import NotFound
from vchata.inputs import validated
from vchata.pagination import DEFAULT_LIMIT, MAX_LIMIT, paginate
from vchata.responses import created, ok
from vchata.schema import errors
from vchata.tenancy import OrgScopedAPIView, get_in_org, not_found_message
from vchata.tenancy.permissions import Action

from . import serializers as s
from . import services
from .models import Pipeline, Stage

TAGS = ["pipelines"]
PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number, from 1.", default=1),
    OpenApiParameter("limit", int, description=f"Items per page, 1–{MAX_LIMIT}.", default=DEFAULT_LIMIT),
]
CREATE_EXAMPLE = OpenApiExample(
    "A pipeline with its own stages",
    request_only=True,
    value={
        "name": "Partnerships",
        "stages": [
            {"name": "Prospect", "status": "NEW", "probability": 10},
            {"name": "In talks", "status": "CONTACTED", "probability": 40},
            {"name": "Signed", "status": "CONVERTED", "probability": 100},
        ],
    },
)


def pipelines_with_stages(*, org: Organization) -> QuerySet[Pipeline]:
    """The org's pipelines, default first, each with ``ordered_stages`` (two queries for any page)."""
    stages = Prefetch("stages", queryset=Stage.objects.order_by("order"), to_attr="ordered_stages")
    return Pipeline.objects.for_org(org).prefetch_related(stages).order_by("-is_default", "name", "id")


def pipeline_with_stages(*, org: Organization, pipeline_id: str) -> Pipeline:
    return get_in_org(pipelines_with_stages(org=org), org, pipeline_id)


class PipelinesView(OrgScopedAPIView):
    @extend_schema(
        operation_id="pipelines_list",
        summary="List pipelines with their stages",
        parameters=PAGE_PARAMETERS,
        responses={200: s.PipelineListResponse, **errors(400, 404)},
        tags=TAGS,
    )
    def get(self, request, org_id):
        page = paginate(pipelines_with_stages(org=self.org), request.query_params)
        return ok(
            message="Pipelines retrieved successfully",
            pipelines=s.PipelineSerializer(page.items, many=True).data,
            pagination=page.meta,
        )

    @extend_schema(
        operation_id="pipelines_create",
        summary="Create a pipeline",
        request=s.PipelineInput,
        responses={201: s.PipelineResponse, **errors(400, 403, 404)},
        examples=[CREATE_EXAMPLE],
        tags=TAGS,
    )
    def post(self, request, org_id):
        self.require(Action.CONFIGURE)
        data = validated(s.PipelineInput, request.data)
        pipeline = services.create_pipeline(org=self.org, **data)
        pipeline = pipeline_with_stages(org=self.org, pipeline_id=pipeline.pk)
        return created(message="Pipeline created successfully", pipeline=s.PipelineSerializer(pipeline).data)


class PipelineView(OrgScopedAPIView):
    @extend_schema(
        operation_id="pipelines_retrieve",
        summary="Get a pipeline with its stages",
        responses={200: s.PipelineResponse, **errors(404)},
        tags=TAGS,
    )
    def get(self, request, org_id, pipeline_id):
        pipeline = pipeline_with_stages(org=self.org, pipeline_id=pipeline_id)
        return ok(message="Pipeline retrieved successfully", pipeline=s.PipelineSerializer(pipeline).data)

    @extend_schema(
        operation_id="pipelines_update",
        summary="Rename a pipeline, change its rotting days or make it the default",
        request=s.PipelineUpdateInput,
        responses={200: s.PipelineResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def patch(self, request, org_id, pipeline_id):
        pipeline_with_stages(org=self.org, pipeline_id=pipeline_id)
        self.require(Action.CONFIGURE)
        changes = validated(s.PipelineUpdateInput, request.data)
        services.update_pipeline(org=self.org, actor=request.user, pipeline_id=pipeline_id, changes=changes)
        pipeline = pipeline_with_stages(org=self.org, pipeline_id=pipeline_id)
        return ok(message="Pipeline updated successfully", pipeline=s.PipelineSerializer(pipeline).data)

    @extend_schema(
        operation_id="pipelines_destroy",
        summary="Delete a pipeline",
        description="Refused (409) while it has leads, and for the organization's default pipeline.",
        responses={200: s.PipelineMessageResponse, **errors(403, 404, 409)},
        tags=TAGS,
    )
    def delete(self, request, org_id, pipeline_id):
        get_in_org(Pipeline, self.org, pipeline_id)
        self.require(Action.CONFIGURE)
        services.delete_pipeline(org=self.org, actor=request.user, pipeline_id=pipeline_id)
        return ok(message="Pipeline deleted successfully")


class StagesView(OrgScopedAPIView):
    @extend_schema(
        operation_id="stages_create",
        summary="Add a stage to a pipeline",
        request=s.StageInput,
        responses={201: s.StageResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def post(self, request, org_id, pipeline_id):
        pipeline_with_stages(org=self.org, pipeline_id=pipeline_id)
        self.require(Action.CONFIGURE)
        data = validated(s.StageInput, request.data)
        stage = services.create_stage(org=self.org, actor=request.user, pipeline_id=pipeline_id, **data)
        return created(message="Stage created successfully", stage=s.StageSerializer(stage).data)


class StageView(OrgScopedAPIView):
    @extend_schema(
        operation_id="stages_update",
        summary="Rename a stage or change its status, probability or rotting days",
        request=s.StageUpdateInput,
        responses={200: s.StageResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def patch(self, request, org_id, pipeline_id, stage_id):
        pipeline = pipeline_with_stages(org=self.org, pipeline_id=pipeline_id)
        if not any(stage.pk == stage_id for stage in pipeline.ordered_stages):
            raise NotFound(not_found_message(Stage))
        self.require(Action.CONFIGURE)
        changes = validated(s.StageUpdateInput, request.data)
        stage = services.update_stage(
            org=self.org, actor=request.user, pipeline_id=pipeline_id, stage_id=stage_id, changes=changes
        )
        return ok(message="Stage updated successfully", stage=s.StageSerializer(stage).data)

    @extend_schema(
        operation_id="stages_destroy",
        summary="Delete a stage",
        description="Refused (409) while leads are in it, and for a pipeline's last stage.",
        responses={200: s.PipelineMessageResponse, **errors(403, 404, 409)},
        tags=TAGS,
    )
    def delete(self, request, org_id, pipeline_id, stage_id):
        get_in_org(Stage.objects.filter(pipeline_id=pipeline_id), self.org, stage_id)
        self.require(Action.CONFIGURE)
        services.delete_stage(org=self.org, actor=request.user, pipeline_id=pipeline_id, stage_id=stage_id)
        return ok(message="Stage deleted successfully")


class StageReorderView(OrgScopedAPIView):
    @extend_schema(
        operation_id="stages_reorder",
        summary="Reorder a pipeline's stages",
        request=s.ReorderStagesInput,
        responses={200: s.PipelineResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def post(self, request, org_id, pipeline_id):
        pipeline_with_stages(org=self.org, pipeline_id=pipeline_id)
        self.require(Action.CONFIGURE)
        data = validated(s.ReorderStagesInput, request.data)
        services.reorder_stages(org=self.org, actor=request.user, pipeline_id=pipeline_id, **data)
        pipeline = pipeline_with_stages(org=self.org, pipeline_id=pipeline_id)
        return ok(message="Stages reordered successfully", pipeline=s.PipelineSerializer(pipeline).data)
