"""The dashboard's sales panels: forecast, win/loss by reason, leads per week, per rep. Shaped for the template.

Each figure comes from one aggregate query of its module (five in all: forecast,
win/loss, reps, and created/converted per week); this only adds bar lengths,
a share of the largest figure on the same scale, so lengths stay proportional.
"""

from datetime import date

from .filters import LeadFilter
from .forecast import lead_forecast
from .reps import rep_breakdown
from .trends import weekly_leads, window
from .win_loss import win_loss


def bar(part, largest) -> float:
    """Length in percent of the largest figure, one decimal (0 when there is nothing to draw)."""
    return round(float(part) / float(largest) * 100, 1) if largest else 0.0


def sales_panels(lead_filter: LeadFilter, *, start: date | None, end: date | None, today: date) -> dict:
    forecast = lead_forecast(lead_filter)
    most_weighted = max((month.figures.weighted_value for month in forecast.months), default=0)

    outcome = win_loss(lead_filter)
    most_lost = max((reason.count for reason in outcome.reasons), default=0)

    weeks = window(start, end, today)
    per_week = weekly_leads(lead_filter, weeks)
    busiest = max((max(week.created, week.converted) for week in per_week), default=0)

    return {
        "forecast": forecast,
        "forecast_rows": [
            {"row": month, "bar": bar(month.figures.weighted_value, most_weighted)} for month in forecast.months
        ],
        "win_loss": outcome,
        "lost_rows": [{"row": reason, "bar": bar(reason.count, most_lost)} for reason in outcome.reasons],
        "week_window": weeks,
        "week_rows": [
            {"row": week, "created_bar": bar(week.created, busiest), "converted_bar": bar(week.converted, busiest)}
            for week in per_week
        ],
        "reps": rep_breakdown(lead_filter),
    }
