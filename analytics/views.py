"""The analytics dashboard page. Every figure comes from ``analytics.selectors``; this only shapes them for charts."""

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.views.generic import TemplateView

from pipelines.models import LeadStatus, Pipeline
from vchata.tenancy.pages import OrgPageMixin

from . import selectors
from .filters import LeadFilter
from .panels import sales_panels

ALL_PIPELINES = "all"
RANGE_PRESETS = [(7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days")]
STATUS_ORDER = [
    (LeadStatus.NEW, "new_leads"),
    (LeadStatus.QUALIFIED, "qualified_leads"),
    (LeadStatus.CONTACTED, "contacted_leads"),
    (LeadStatus.CONVERTED, "converted_leads"),
    (LeadStatus.LOST, "lost_leads"),
]


class DashboardFilterForm(forms.Form):
    pipeline = forms.ChoiceField(label="Pipeline", required=False)
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, pipelines: list[Pipeline]):
        super().__init__(data)
        self.fields["pipeline"].choices = [
            *[(pipeline.pk, pipeline.name) for pipeline in pipelines],
            (ALL_PIPELINES, "All pipelines"),
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date must not be before the start date.")
        return cleaned


def percent(part, whole) -> float:
    """Bar length in percent of the largest bar (0 when there is nothing to draw)."""
    return round(float(part) / float(whole) * 100, 1) if whole else 0.0


def day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


class DashboardView(OrgPageMixin, TemplateView):
    template_name = "analytics/dashboard.html"

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context, status=400 if context["form"].errors else 200)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pipelines = list(Pipeline.objects.for_org(self.org).order_by("-is_default", "name"))
        default = next((p for p in pipelines if p.is_default), pipelines[0] if pipelines else None)
        form = DashboardFilterForm(self.request.GET or None, pipelines=pipelines)
        valid = form.is_valid() if form.is_bound else True
        data = form.cleaned_data if form.is_bound else {}
        chosen = data.get("pipeline") or (default.pk if default else ALL_PIPELINES)
        selected = next((p for p in pipelines if p.pk == chosen), None)
        start, end = (data.get("start"), data.get("end")) if valid else (None, None)
        lead_filter = LeadFilter(
            org=self.org,
            pipeline=selected,
            created_after=day_start(start) if start else None,
            created_before=day_start(end + timedelta(days=1)) if end else None,
            scope=self.lead_scope,
        )
        stats = selectors.lead_stats(lead_filter)
        sources = selectors.source_breakdown(lead_filter)
        campaigns = selectors.campaign_breakdown(lead_filter)
        # Stage figures and the funnel are per pipeline: "All pipelines" shows the default one's.
        stage_pipeline = selected or default
        performance = funnel = weighted = None
        if stage_pipeline is not None:
            per_pipeline = LeadFilter(
                org=self.org,
                pipeline=stage_pipeline,
                created_after=lead_filter.created_after,
                created_before=lead_filter.created_before,
                scope=lead_filter.scope,
            )
            performance = selectors.pipeline_performance(per_pipeline)
            funnel = selectors.pipeline_funnel(per_pipeline)
            weighted = selectors.weighted_pipeline(per_pipeline)
        context.update(
            nav="analytics",
            form=form,
            pipelines=pipelines,
            selected_pipeline=selected,
            stage_pipeline=stage_pipeline,
            start=start,
            end=end,
            presets=self.presets(chosen),
            all_time_query=urlencode({"pipeline": chosen}),
            stats=stats,
            status_bar=[
                {
                    "status": status.lower(),
                    "label": status.label,
                    "count": getattr(stats, attr),
                    "share": percent(getattr(stats, attr), stats.total_leads),
                }
                for status, attr in STATUS_ORDER
            ],
            sources=self.with_bars(sources, lambda row: row.figures.count),
            campaigns=self.with_bars(campaigns, lambda row: row.figures.count),
            performance=performance,
            stage_rows=self.stage_rows(performance),
            funnel=funnel,
            weighted=weighted,
            funnel_rows=self.with_bars(funnel.stages if funnel else [], lambda step: step.reached),
            **sales_panels(lead_filter, start=start, end=end, today=timezone.now().date()),
        )
        return context

    def presets(self, pipeline_id: str) -> list[dict]:
        today = timezone.localdate()
        return [
            {
                "label": label,
                "query": urlencode({"pipeline": pipeline_id, "start": (today - timedelta(days=days - 1)).isoformat()}),
                "start": today - timedelta(days=days - 1),
            }
            for days, label in RANGE_PRESETS
        ]

    @staticmethod
    def with_bars(rows, size) -> list[dict]:
        largest = max((size(row) for row in rows), default=0)
        return [{"row": row, "bar": percent(size(row), largest)} for row in rows]

    @staticmethod
    def stage_rows(performance) -> list[dict]:
        if performance is None:
            return []
        most_leads = max((stage.lead_count for stage in performance.stages), default=0)
        longest = max((stage.average_time_in_stage for stage in performance.stages), default=0)
        return [
            {
                "stage": stage,
                "count_bar": percent(stage.lead_count, most_leads),
                "time_bar": percent(stage.average_time_in_stage, longest),
            }
            for stage in performance.stages
        ]
