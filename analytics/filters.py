"""The query parameters every analytics route accepts, validated once.

``pipelineId``, ``createdAfter`` and ``createdBefore`` narrow the leads a
report covers. A ``pipelineId`` that names no pipeline of the organization
(unknown, malformed or another org's) is a 404 on every analytics route, the
same answer the pipeline route must give, so one parameter never means two
things across the family.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from rest_framework import serializers

from pipelines.models import Pipeline
from vchata.accounts.models import Organization
from vchata.exceptions import NotFound
from vchata.tenancy import get_in_org
from vchata.tenancy.permissions import ALL_LEADS, LeadScope


class AnalyticsQuery(serializers.Serializer):
    pipelineId = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Only leads of this pipeline. A pipeline that is not the organization's: 404.",
    )
    createdAfter = serializers.DateTimeField(
        required=False,
        error_messages={"overflow": "createdAfter is out of range"},
        help_text="Only leads created at or after this instant (ISO 8601; a date means midnight UTC).",
    )
    createdBefore = serializers.DateTimeField(
        required=False,
        error_messages={"overflow": "createdBefore is out of range"},
        help_text="Only leads created strictly before this instant (ISO 8601).",
    )

    def validate(self, attrs):
        after, before = attrs.get("createdAfter"), attrs.get("createdBefore")
        if after and before and after > before:
            raise serializers.ValidationError("createdAfter must not be later than createdBefore")
        return attrs


@dataclass(frozen=True)
class LeadFilter:
    """Which leads a report covers: ``pipeline`` None is every pipeline of the org, ``scope`` what the viewer sees."""

    org: Organization
    pipeline: Pipeline | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    scope: LeadScope = ALL_LEADS

    def q(self, prefix: str = "") -> Q:
        """The condition on leads, reached through ``prefix`` (e.g. ``"lead__"`` from a stage visit)."""
        condition = Q(**{f"{prefix}organization": self.org})
        if self.pipeline is not None:
            condition &= Q(**{f"{prefix}pipeline": self.pipeline})
        if self.created_after is not None:
            condition &= Q(**{f"{prefix}created_at__gte": self.created_after})
        if self.created_before is not None:
            condition &= Q(**{f"{prefix}created_at__lt": self.created_before})
        return condition & self.scope.q(prefix)

    @property
    def by_creation(self) -> bool:
        return self.created_after is not None or self.created_before is not None

    @property
    def narrows_leads(self) -> bool:
        """Whether the report covers only some of the pipeline's leads (so stage visits must be joined to them)."""
        return self.by_creation or self.scope.restricted


def validated(query_params, query: type[AnalyticsQuery] = AnalyticsQuery) -> dict:
    """The query string checked by ``query`` (the filters, or a route's filters and its own parameters): 400 if bad."""
    serializer = query(data=query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def lead_filter_of(
    data: dict, org: Organization, *, default_pipeline: bool = False, scope: LeadScope = ALL_LEADS
) -> LeadFilter:
    """The ``LeadFilter`` of validated filters (404 on a foreign pipeline).

    With ``default_pipeline``, no ``pipelineId`` means the org's default pipeline
    (the per-pipeline reports); a missing default is a 404 too.
    """
    pipeline_id = data.get("pipelineId") or None
    if pipeline_id is not None:
        pipeline = get_in_org(Pipeline, org, pipeline_id)
    elif default_pipeline:
        pipeline = Pipeline.objects.for_org(org).filter(is_default=True).first()
        if pipeline is None:
            raise NotFound("The organization has no default pipeline; pass pipelineId")
    else:
        pipeline = None
    return LeadFilter(
        org=org,
        pipeline=pipeline,
        created_after=data.get("createdAfter"),
        created_before=data.get("createdBefore"),
        scope=scope,
    )


def lead_filter_from(
    query_params, org: Organization, *, default_pipeline: bool = False, scope: LeadScope = ALL_LEADS
) -> LeadFilter:
    """Validate the query string into a ``LeadFilter`` (400 on bad dates, 404 on a foreign pipeline)."""
    return lead_filter_of(validated(query_params), org, default_pipeline=default_pipeline, scope=scope)
