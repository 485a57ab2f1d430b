"""Automation rule routes: ``/pipelines/{orgId}/{pipelineId}/rules…``.

Any member may read rules and preview them (a preview lists only the leads
the caller sees); creating, changing and deleting them is configuration
(``Action.CONFIGURE``: OWNERs and ADMINs), since a rule acts on every lead of the pipeline.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema

from pipelines.models import Pipeline
from vchata.accounts.serializers import MessageResponse
from vchata.pagination import paginate
from vchata.responses import created, ok
from vchata.schema import errors
from vchata.tenancy import OrgScopedAPIView, get_in_org
from vchata.tenancy.permissions import Action

from . import serializers as s
from .conditions import affected_leads
from .selectors import rules_for_pipeline
from .services import create_rule, delete_rule, update_rule

PAGE_PARAMS = [
    OpenApiParameter("page", int, description="From 1 (default 1)"),
    OpenApiParameter("limit", int, description="1–100 (default 20)"),
]
TAGS = ["automation rules"]


class PipelineRulesBase(OrgScopedAPIView):
    def pipeline(self, pipeline_id: str) -> Pipeline:
        return get_in_org(Pipeline, self.org, pipeline_id)

    def rule(self, pipeline: Pipeline, rule_id: str):
        return get_in_org(rules_for_pipeline(org=self.org, pipeline=pipeline), self.org, rule_id)

    def validated(self, pipeline: Pipeline, *, partial: bool = False) -> dict:
        serializer = s.RuleInput(
            data=self.request.data, partial=partial, context={"org": self.org, "pipeline": pipeline}
        )
        serializer.is_valid(raise_exception=True)
        return s.rule_fields(serializer.validated_data)


class RulesView(PipelineRulesBase):
    @extend_schema(
        operation_id="pipeline_rules_list",
        parameters=PAGE_PARAMS,
        responses={200: s.RulesResponse, **errors(400, 404)},
        tags=TAGS,
    )
    def get(self, request, org_id, pipeline_id):
        """The pipeline's rules in evaluation order."""
        page = paginate(rules_for_pipeline(org=self.org, pipeline=self.pipeline(pipeline_id)), request.query_params)
        return ok(
            message="Rules retrieved successfully",
            rules=s.RuleSerializer(page.items, many=True).data,
            pagination=page.meta,
        )

    @extend_schema(
        operation_id="pipeline_rules_create",
        request=s.RuleInput,
        responses={201: s.RuleResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def post(self, request, org_id, pipeline_id):
        """Create a rule. It runs at once unless ``isActive`` is false."""
        pipeline = self.pipeline(pipeline_id)
        self.require(Action.CONFIGURE)
        rule = create_rule(org=self.org, pipeline=pipeline, fields=self.validated(pipeline))
        return created(message="Rule created successfully", rule=s.RuleSerializer(self.rule(pipeline, rule.pk)).data)


class RuleView(PipelineRulesBase):
    @extend_schema(operation_id="pipeline_rule_retrieve", responses={200: s.RuleResponse, **errors(404)}, tags=TAGS)
    def get(self, request, org_id, pipeline_id, rule_id):
        rule = self.rule(self.pipeline(pipeline_id), rule_id)
        return ok(message="Rule retrieved successfully", rule=s.RuleSerializer(rule).data)

    @extend_schema(
        operation_id="pipeline_rule_update",
        request=s.RuleInput,
        responses={200: s.RuleResponse, **errors(400, 403, 404)},
        tags=TAGS,
    )
    def patch(self, request, org_id, pipeline_id, rule_id):
        """Change any part of a rule; ``trigger``, ``conditions`` and ``action`` are each replaced whole."""
        pipeline = self.pipeline(pipeline_id)
        self.rule(pipeline, rule_id)  # 404 before 403/400: don't reveal rules to validation
        self.require(Action.CONFIGURE)
        update_rule(org=self.org, pipeline=pipeline, rule_id=rule_id, changes=self.validated(pipeline, partial=True))
        return ok(message="Rule updated successfully", rule=s.RuleSerializer(self.rule(pipeline, rule_id)).data)

    @extend_schema(operation_id="pipeline_rule_delete", responses={200: MessageResponse, **errors(403, 404)}, tags=TAGS)
    def delete(self, request, org_id, pipeline_id, rule_id):
        pipeline = self.pipeline(pipeline_id)
        self.rule(pipeline, rule_id)
        self.require(Action.CONFIGURE)
        delete_rule(org=self.org, pipeline=pipeline, rule_id=rule_id)
        return ok(message="Rule deleted successfully")


class RulePreviewView(PipelineRulesBase):
    @extend_schema(
        operation_id="pipeline_rule_preview",
        request=None,
        parameters=PAGE_PARAMS,
        responses={200: s.RulePreviewResponse, **errors(400, 404)},
        tags=TAGS,
    )
    def post(self, request, org_id, pipeline_id, rule_id):
        """The leads the rule would change now, changing nothing (works on inactive rules too).

        For an IDLE_IN_STAGE rule: the leads idle long enough that the next
        ``run_automations`` would act on them. For event rules: the leads that
        meet its conditions now, i.e. those it would act on if its trigger
        happened to them.
        """
        rule = self.rule(self.pipeline(pipeline_id), rule_id)
        leads = affected_leads(rule, now=timezone.now()).filter(self.lead_scope.q()).select_related("contact", "stage")
        page = paginate(leads, request.query_params)
        return ok(
            message=f"{page.total} lead{'' if page.total == 1 else 's'} would be affected",
            rule=s.RuleSerializer(rule).data,
            leads=s.PreviewLeadSerializer(page.items, many=True).data,
            pagination=page.meta,
        )
