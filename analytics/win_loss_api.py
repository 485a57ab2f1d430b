"""``GET /leads/{orgId}/analytics/win-loss``: won and lost leads, and the lost ones by lost reason (``win_loss``)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers

from vchata.money import MoneyOutputField
from vchata.responses import ok
from vchata.schema import envelope, errors
from vchata.tenancy import OrgScopedAPIView

from .filters import AnalyticsQuery, lead_filter_from
from .win_loss import win_loss


class LostReasonFiguresSerializer(serializers.Serializer):
    reasonId = serializers.CharField(
        source="reason_id", allow_null=True, help_text="The lost reason; null for leads lost without one."
    )
    name = serializers.CharField(allow_null=True, help_text="Its name (retired reasons included); null for none.")
    count = serializers.IntegerField(help_text="Leads now LOST with this reason.")
    value = MoneyOutputField(help_text="Sum of their values.")


class WinLossSerializer(serializers.Serializer):
    wonCount = serializers.IntegerField(source="won_count", help_text="Leads now CONVERTED.")
    wonValue = MoneyOutputField(source="won_value", help_text="Sum of their values.")
    lostCount = serializers.IntegerField(source="lost_count", help_text="Leads now LOST.")
    lostValue = MoneyOutputField(source="lost_value", help_text="Sum of their values.")
    winRate = serializers.FloatField(
        source="win_rate", help_text="wonCount ÷ (wonCount + lostCount) × 100, one decimal; 0 when none is closed."
    )
    reasons = LostReasonFiguresSerializer(
        many=True, help_text="One row per lost reason with lost leads, most first; leads lost without one last."
    )


WinLossResponse = envelope("WinLossResponse", winLoss=WinLossSerializer())

WIN_LOSS_EXAMPLE = OpenApiExample(
    "Win/loss",
    value={
        "success": True,
        "winLoss": {
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
        "message": "Win/loss retrieved successfully",
    },
    response_only=True,
    status_codes=["200"],
)


class WinLossView(OrgScopedAPIView):
    @extend_schema(
        summary="Get won and lost leads by lost reason",
        description="Leads whose status is now CONVERTED (won) or LOST, with their values, the win rate and the "
        "lost ones per lost reason. `pipelineId` (another organization's: 404), `createdAfter` and "
        "`createdBefore` narrow the leads as on every analytics route; the viewer's lead visibility applies.",
        parameters=[AnalyticsQuery],
        responses={200: WinLossResponse, **errors(400, 404)},
        examples=[WIN_LOSS_EXAMPLE],
        tags=["analytics"],
    )
    def get(self, request, org_id):
        lead_filter = lead_filter_from(request.query_params, self.org, scope=self.lead_scope)
        figures = win_loss(lead_filter)
        return ok(winLoss=WinLossSerializer(figures).data, message="Win/loss retrieved successfully")
