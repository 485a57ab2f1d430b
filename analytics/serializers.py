"""Output shapes of the analytics routes (camelCase, as documented); the selectors' dataclasses go in."""

from rest_framework import serializers

from vchata.money import MoneyOutputField
from vchata.schema import envelope

CONVERSION_RATE = "Leads whose status is CONVERTED ÷ leads × 100, one decimal; 0 when there are no leads."
AVERAGE_VALUE = "Mean value of the leads that have a value (2 decimals at most); 0 when none has one."
TOTAL_VALUE = "Sum of the leads' values (2 decimals at most); leads without a value add nothing."


def money(source: str, help_text: str) -> MoneyOutputField:
    return MoneyOutputField(source=source, help_text=help_text)


def percent(source: str, help_text: str = CONVERSION_RATE, **kwargs) -> serializers.FloatField:
    return serializers.FloatField(source=source, help_text=help_text, **kwargs)


def mean_days(source: str, help_text: str) -> serializers.FloatField:
    return serializers.FloatField(source=source, help_text=help_text)


class LeadStatsSerializer(serializers.Serializer):
    totalLeads = serializers.IntegerField(source="total_leads")
    newLeads = serializers.IntegerField(source="new_leads", help_text="Leads whose current status is NEW.")
    qualifiedLeads = serializers.IntegerField(source="qualified_leads", help_text="Current status QUALIFIED.")
    contactedLeads = serializers.IntegerField(source="contacted_leads", help_text="Current status CONTACTED.")
    convertedLeads = serializers.IntegerField(source="converted_leads", help_text="Current status CONVERTED.")
    lostLeads = serializers.IntegerField(source="lost_leads", help_text="Current status LOST.")
    conversionRate = percent("conversion_rate")
    averageValue = money("average_value", AVERAGE_VALUE)
    totalValue = money("total_value", TOTAL_VALUE)


class SourceAnalyticsSerializer(serializers.Serializer):
    source = serializers.CharField(allow_null=True, help_text="The leads' source; null for the leads without one.")
    count = serializers.IntegerField(source="figures.count")
    conversionRate = percent("figures.conversion_rate")
    averageValue = money("figures.average_value", AVERAGE_VALUE)
    totalValue = money("figures.total_value", TOTAL_VALUE)


class CampaignAnalyticsSerializer(serializers.Serializer):
    campaignId = serializers.CharField(source="campaign_id")
    campaignName = serializers.CharField(source="campaign_name")
    leadCount = serializers.IntegerField(source="figures.count")
    conversionRate = percent("figures.conversion_rate")
    averageValue = money("figures.average_value", AVERAGE_VALUE)
    totalValue = money("figures.total_value", TOTAL_VALUE)


class StageAnalyticsSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    leadCount = serializers.IntegerField(source="lead_count", help_text="Leads now in the stage.")
    averageTimeInStage = mean_days(
        "average_time_in_stage",
        "Mean days per visit to the stage, over every visit (completed, and ongoing ones measured up to now), "
        "one decimal; 0 when the stage has had no visit.",
    )


class PipelineAnalyticsSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    stages = StageAnalyticsSerializer(many=True, help_text="Every stage of the pipeline, in board order.")
    overallConversionRate = percent("overall_conversion_rate", "Converted ÷ leads of the pipeline × 100, one decimal.")
    averageTimeToConvert = mean_days(
        "average_time_to_convert",
        "Mean days from a lead's creation to its conversion, over the leads now CONVERTED, one decimal; "
        "0 when none is.",
    )


class FunnelStepSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    order = serializers.IntegerField()
    probability = serializers.IntegerField(help_text="The stage's win probability (0–100).")
    isExit = serializers.BooleanField(
        source="is_exit", help_text="An exit stage (one that sets LOST) records leaving the funnel, not progress."
    )
    reached = serializers.IntegerField(
        help_text="Leads that ever reached this step: their furthest stage visited (exit stages left out) is this "
        "step or a later one, so a skipped step still counts as passed and a revisit counts once. "
        "For an exit stage: leads that ever visited it."
    )
    conversionRate = percent(
        "conversion_rate",
        "Share of this step's leads that reached the next step (× 100, one decimal); null for the last step "
        "and for exit stages, 0 when no lead reached this step.",
        allow_null=True,
    )


class FunnelSerializer(serializers.Serializer):
    pipelineId = serializers.CharField(source="pipeline_id")
    pipelineName = serializers.CharField(source="pipeline_name")
    totalLeads = serializers.IntegerField(source="total_leads", help_text="Leads of the pipeline (after filters).")
    stages = FunnelStepSerializer(many=True)
    openLeads = serializers.IntegerField(source="open_leads", help_text="Leads whose status is not CONVERTED or LOST.")
    openValue = money("open_value", "Sum of the open leads' values.")
    weightedValue = money(
        "weighted_value",
        "Weighted pipeline value: sum over open leads of value × probability of their current stage ÷ 100.",
    )


# Envelopes, for the schema.
LeadStatsResponse = envelope("LeadStatsResponse", stats=LeadStatsSerializer())


SourceAnalyticsResponse = envelope("SourceAnalyticsResponse", sources=SourceAnalyticsSerializer(many=True))


CampaignAnalyticsResponse = envelope("CampaignAnalyticsResponse", campaigns=CampaignAnalyticsSerializer(many=True))


PipelineAnalyticsResponse = envelope("PipelineAnalyticsResponse", pipeline=PipelineAnalyticsSerializer())


FunnelResponse = envelope("FunnelResponse", funnel=FunnelSerializer())


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
