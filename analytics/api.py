"""The analytics routes: validate the filters, call one selector, answer the envelope."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers

from vchata.responses import ok
from vchata.schema import errors
from vchata.tenancy import OrgScopedAPIView

from . import selectors
from . import serializers as s
from .filters import AnalyticsQuery, lead_filter_from, lead_filter_of, validated
from .forecast import DEFAULT_MONTHS, MAX_MONTHS, lead_forecast
from .win_loss import win_loss

FILTERS_NOTE = (
    " Filters: `pipelineId` (a pipeline that is not the organization's: 404), `createdAfter` (inclusive) and "
    "`createdBefore` (exclusive), ISO 8601; a malformed date: 400."
)


def _example(name: str, **payload) -> OpenApiExample:
    return OpenApiExample(name, value={"success": True, **payload}, response_only=True, status_codes=["200"])


STATS_EXAMPLE = _example(
    "Lead statistics",
    stats={
        "totalLeads": 150,
        "newLeads": 25,
        "qualifiedLeads": 45,
        "contactedLeads": 30,
        "convertedLeads": 15,
        "lostLeads": 5,
        "conversionRate": 10.0,
        "averageValue": 1250,
        "totalValue": 187500,
    },
    message="Lead statistics retrieved successfully",
)
SOURCES_EXAMPLE = _example(
    "Source analytics",
    sources=[
        {"source": "website", "count": 75, "conversionRate": 12.0, "averageValue": 1100, "totalValue": 82500},
        {"source": "social_media", "count": 45, "conversionRate": 8.9, "averageValue": 1400, "totalValue": 63000},
    ],
    message="Source analytics retrieved successfully",
)
CAMPAIGNS_EXAMPLE = _example(
    "Campaign analytics",
    campaigns=[
        {
            "campaignId": "campaign_123",
            "campaignName": "Summer Sale 2024",
            "leadCount": 30,
            "conversionRate": 15.0,
            "averageValue": 1800,
            "totalValue": 54000,
        }
    ],
    message="Campaign analytics retrieved successfully",
)
PIPELINE_EXAMPLE = _example(
    "Pipeline analytics",
    pipeline={
        "id": "pipeline_789",
        "name": "Sales Pipeline",
        "stages": [
            {"id": "stage_1", "name": "New", "leadCount": 25, "averageTimeInStage": 2.5},
            {"id": "stage_2", "name": "Qualified", "leadCount": 45, "averageTimeInStage": 7.2},
            {"id": "stage_3", "name": "Contacted", "leadCount": 30, "averageTimeInStage": 14.1},
        ],
        "overallConversionRate": 10.0,
        "averageTimeToConvert": 23.8,
    },
    message="Pipeline analytics retrieved successfully",
)
FUNNEL_EXAMPLE = _example(
    "Pipeline funnel",
    funnel={
        "pipelineId": "pipeline_789",
        "pipelineName": "Sales Pipeline",
        "totalLeads": 100,
        "stages": [
            {
                "id": "stage_1",
                "name": "New",
                "order": 1,
                "probability": 10,
                "isExit": False,
                "reached": 100,
                "conversionRate": 60.0,
            },
            {
                "id": "stage_2",
                "name": "Qualified",
                "order": 2,
                "probability": 30,
                "isExit": False,
                "reached": 60,
                "conversionRate": 50.0,
            },
            {
                "id": "stage_3",
                "name": "Contacted",
                "order": 3,
                "probability": 60,
                "isExit": False,
                "reached": 30,
                "conversionRate": 33.3,
            },
            {
                "id": "stage_4",
                "name": "Converted",
                "order": 4,
                "probability": 100,
                "isExit": False,
                "reached": 10,
                "conversionRate": None,
            },
            {
                "id": "stage_5",
                "name": "Lost",
                "order": 5,
                "probability": 0,
                "isExit": True,
                "reached": 20,
                "conversionRate": None,
            },
        ],
        "openLeads": 70,
        "openValue": 84000,
        "weightedValue": 21300,
    },
    message="Pipeline funnel retrieved successfully",
)

FORECAST_EXAMPLE = _example(
    "Forecast",
    forecast={
        "months": [
            {"month": "2026-12", "count": 3, "totalValue": 12000, "weightedValue": 5400},
            {"month": "2027-01", "count": 1, "totalValue": 2500.5, "weightedValue": 250.05},
            {"month": "2027-02", "count": 0, "totalValue": 0, "weightedValue": 0},
        ],
        "overdue": {"count": 1, "totalValue": 800, "weightedValue": 240},
        "unscheduled": {"count": 7, "totalValue": 21000, "weightedValue": 4200},
    },
    message="Forecast retrieved successfully",
)
WIN_LOSS_EXAMPLE = _example(
    "Win/loss",
    winLoss={
        "wonCount": 4,
        "wonValue": 18000,
        "lostCount": 3,
        "lostValue": 7500.5,
        "winRate": 57.1,
        "reasons": [
            {"reasonId": "reason_01hq3m5v2k8yq9x0z6w4t7r1sa", "name": "Price", "count": 2, "value": 6000},
            {"reasonId": None, "name": None, "count": 1, "value": 1500.5},
        ],
    },
    message="Win/loss retrieved successfully",
)


class LeadStatsView(OrgScopedAPIView):
    @extend_schema(
        summary="Get lead statistics",
        description="Counts of leads by current status, conversion rate and value figures." + FILTERS_NOTE,
        parameters=[AnalyticsQuery],
        responses={200: s.LeadStatsResponse, **errors(400, 404)},
        examples=[STATS_EXAMPLE],
        tags=["analytics"],
    )
    def get(self, request, org_id):
        stats = selectors.lead_stats(lead_filter_from(request.query_params, self.org, scope=self.lead_scope))
        return ok(stats=s.LeadStatsSerializer(stats).data, message="Lead statistics retrieved successfully")


class SourceAnalyticsView(OrgScopedAPIView):
    @extend_schema(
        summary="Get source analytics",
        description="One row per lead source, most leads first (leads without a source: `source` null)." + FILTERS_NOTE,
        parameters=[AnalyticsQuery],
        responses={200: s.SourceAnalyticsResponse, **errors(400, 404)},
        examples=[SOURCES_EXAMPLE],
        tags=["analytics"],
    )
    def get(self, request, org_id):
        rows = selectors.source_breakdown(lead_filter_from(request.query_params, self.org, scope=self.lead_scope))
        return ok(
            sources=s.SourceAnalyticsSerializer(rows, many=True).data,
            message="Source analytics retrieved successfully",
        )


class CampaignAnalyticsView(OrgScopedAPIView):
    @extend_schema(
        summary="Get campaign analytics",
        description="One row per campaign that has leads, most leads first. A lead belongs to the campaign its "
        "`campaignId` names; a lead without one, to the campaign whose `utmCampaign` key equals the lead's "
        "`utmCampaign`; so a lead counts for one campaign at most." + FILTERS_NOTE,
        parameters=[AnalyticsQuery],
        responses={200: s.CampaignAnalyticsResponse, **errors(400, 404)},
        examples=[CAMPAIGNS_EXAMPLE],
        tags=["analytics"],
    )
    def get(self, request, org_id):
        rows = selectors.campaign_breakdown(lead_filter_from(request.query_params, self.org, scope=self.lead_scope))
        return ok(
            campaigns=s.CampaignAnalyticsSerializer(rows, many=True).data,
            message="Campaign analytics retrieved successfully",
        )


class PipelineAnalyticsView(OrgScopedAPIView):
    @extend_schema(
        summary="Get pipeline analytics",
        description="Stage occupancy and time in stage, conversion rate and time to convert of one pipeline "
        "(default: the organization's default pipeline)." + FILTERS_NOTE,
        parameters=[AnalyticsQuery],
        responses={200: s.PipelineAnalyticsResponse, **errors(400, 404)},
        examples=[PIPELINE_EXAMPLE],
        tags=["analytics"],
    )
    def get(self, request, org_id):
        lead_filter = lead_filter_from(request.query_params, self.org, default_pipeline=True, scope=self.lead_scope)
        performance = selectors.pipeline_performance(lead_filter)
        return ok(
            pipeline=s.PipelineAnalyticsSerializer(performance).data,
            message="Pipeline analytics retrieved successfully",
        )


class FunnelView(OrgScopedAPIView):
    @extend_schema(
        summary="Get the pipeline funnel",
        description="For each stage in order, how many leads ever reached it (from their stage history) and the "
        "step conversion rate to the next stage, plus the weighted value of the open leads. "
        "Stages that set LOST are exits: they are listed with the leads that entered them but are not steps."
        + FILTERS_NOTE,
        parameters=[AnalyticsQuery],
        responses={200: s.FunnelResponse, **errors(400, 404)},
        examples=[FUNNEL_EXAMPLE],
        tags=["analytics"],
    )
    def get(self, request, org_id):
        lead_filter = lead_filter_from(request.query_params, self.org, default_pipeline=True, scope=self.lead_scope)
        funnel = selectors.pipeline_funnel(lead_filter)
        return ok(funnel=s.FunnelSerializer(funnel).data, message="Pipeline funnel retrieved successfully")


class ForecastQuery(AnalyticsQuery):
    months = serializers.IntegerField(
        required=False,
        default=DEFAULT_MONTHS,
        min_value=1,
        max_value=MAX_MONTHS,
        help_text=f"How many months to show, the current UTC month first (1–{MAX_MONTHS}, default {DEFAULT_MONTHS}).",
    )


class ForecastView(OrgScopedAPIView):
    @extend_schema(
        summary="Get the forecast",
        description="Open leads (not CONVERTED or LOST) by month of `expectedCloseDate`, from the current UTC month "
        "on, with their total and weighted value; plus the open leads whose close date has passed (`overdue`) "
        "and those without one (`unscheduled`). Leads closing after the last month are not counted. "
        "`pipelineId` (another organization's: 404), `createdAfter` and `createdBefore` narrow the leads as on "
        "every analytics route; a bad `months` or date: 400.",
        parameters=[ForecastQuery],
        responses={200: s.ForecastResponse, **errors(400, 404)},
        examples=[FORECAST_EXAMPLE],
        tags=["analytics"],
    )
    def get(self, request, org_id):
        data = validated(request.query_params, ForecastQuery)
        forecast = lead_forecast(lead_filter_of(data, self.org, scope=self.lead_scope), months=data["months"])
        return ok(forecast=s.ForecastSerializer(forecast).data, message="Forecast retrieved successfully")


class WinLossView(OrgScopedAPIView):
    @extend_schema(
        summary="Get won and lost leads by lost reason",
        description="Leads whose status is now CONVERTED (won) or LOST, with their values, the win rate and the "
        "lost ones per lost reason. `pipelineId` (another organization's: 404), `createdAfter` and "
        "`createdBefore` narrow the leads as on every analytics route; the viewer's lead visibility applies.",
        parameters=[AnalyticsQuery],
        responses={200: s.WinLossResponse, **errors(400, 404)},
        examples=[WIN_LOSS_EXAMPLE],
        tags=["analytics"],
    )
    def get(self, request, org_id):
        lead_filter = lead_filter_from(request.query_params, self.org, scope=self.lead_scope)
        figures = win_loss(lead_filter)
        return ok(winLoss=s.WinLossSerializer(figures).data, message="Win/loss retrieved successfully")
