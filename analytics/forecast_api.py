"""``GET /leads/{orgId}/analytics/forecast``: the open pipeline by month of expected close date."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers

from vchata.money import MoneyOutputField
from vchata.responses import ok
from vchata.schema import envelope, errors
from vchata.tenancy import OrgScopedAPIView

from .filters import AnalyticsQuery, lead_filter_from
from .forecast import DEFAULT_MONTHS, MAX_MONTHS, lead_forecast


class ForecastQuery(AnalyticsQuery):
    months = serializers.IntegerField(
        required=False,
        default=DEFAULT_MONTHS,
        min_value=1,
        max_value=MAX_MONTHS,
        help_text=f"How many months to show, the current UTC month first (1–{MAX_MONTHS}, default {DEFAULT_MONTHS}).",
    )


WEIGHTED = "Sum of value × probability ÷ 100, the lead's own probability when set, else its stage's; two decimals."


class ForecastFiguresSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Open leads (status neither CONVERTED nor LOST).")
    totalValue = MoneyOutputField(source="total_value", help_text="Sum of their values.")
    weightedValue = MoneyOutputField(source="weighted_value", help_text=WEIGHTED)


class ForecastMonthSerializer(serializers.Serializer):
    month = serializers.CharField(source="key", help_text="The month of the expected close date, YYYY-MM.")
    count = serializers.IntegerField(source="figures.count", help_text="Open leads expected to close that month.")
    totalValue = MoneyOutputField(source="figures.total_value", help_text="Sum of their values.")
    weightedValue = MoneyOutputField(source="figures.weighted_value", help_text=WEIGHTED)


class ForecastSerializer(serializers.Serializer):
    months = ForecastMonthSerializer(many=True, help_text="Every month asked for, in order; empty months are zeros.")
    overdue = ForecastFiguresSerializer(
        help_text="Open leads whose expected close date is before the current month (not in `months`)."
    )
    unscheduled = ForecastFiguresSerializer(help_text="Open leads without an expected close date (not in `months`).")


ForecastResponse = envelope("ForecastResponse", forecast=ForecastSerializer())

FORECAST_EXAMPLE = OpenApiExample(
    "Forecast",
    value={
        "success": True,
        "forecast": {
            "months": [
                {"month": "2026-12", "count": 3, "totalValue": 12000, "weightedValue": 5400},
                {"month": "2027-01", "count": 1, "totalValue": 2500.5, "weightedValue": 250.05},
                {"month": "2027-02", "count": 0, "totalValue": 0, "weightedValue": 0},
            ],
            "overdue": {"count": 1, "totalValue": 800, "weightedValue": 240},
            "unscheduled": {"count": 7, "totalValue": 21000, "weightedValue": 4200},
        },
        "message": "Forecast retrieved successfully",
    },
    response_only=True,
    status_codes=["200"],
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
        responses={200: ForecastResponse, **errors(400, 404)},
        examples=[FORECAST_EXAMPLE],
        tags=["analytics"],
    )
    def get(self, request, org_id):
        query = ForecastQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        lead_filter = lead_filter_from(request.query_params, self.org, scope=self.lead_scope)
        forecast = lead_forecast(lead_filter, months=query.validated_data["months"])
        return ok(forecast=ForecastSerializer(forecast).data, message="Forecast retrieved successfully")
