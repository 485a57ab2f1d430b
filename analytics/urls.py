"""Analytics routes. Included before ``leads.urls`` so ``stats`` and ``analytics`` never read as lead ids."""

from django.urls import path

from . import api

urlpatterns = [
    path("leads/<org_id:org_id>/stats", api.LeadStatsView.as_view(), name="lead-stats"),
    path("leads/<org_id:org_id>/analytics/sources", api.SourceAnalyticsView.as_view(), name="analytics-sources"),
    path("leads/<org_id:org_id>/analytics/campaigns", api.CampaignAnalyticsView.as_view(), name="analytics-campaigns"),
    path("leads/<org_id:org_id>/analytics/pipeline", api.PipelineAnalyticsView.as_view(), name="analytics-pipeline"),
    path("leads/<org_id:org_id>/analytics/funnel", api.FunnelView.as_view(), name="analytics-funnel"),
    path("leads/<org_id:org_id>/analytics/forecast", api.ForecastView.as_view(), name="analytics-forecast"),
    path("leads/<org_id:org_id>/analytics/win-loss", api.WinLossView.as_view(), name="analytics-win-loss"),
]
