"""Leads over time: created and converted per ISO week (Monday to Sunday, UTC). Two queries.

*Created* counts the leads created in a week; *converted* the leads converted in
it (``converted_at``), whenever they were created, so the chart reads as the
activity of each week. Both follow the pipeline and visibility of the filter;
the filter's creation dates bound both series (a lead converted in range counts
in its week even when it was created before the range).

Both are summed from rollups by day (tens of rows a day, however many leads;
the parts of days at the range's edges from the live rows).
"""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncWeek

from leads.models import Lead

from .filters import LeadFilter
from .rollup_sql import CONVERSION_DAYS, OWNER_TOTALS_DAY
from .rollups import counted_by_day

DEFAULT_WEEKS = 12
MAX_WEEKS = 53  # a year and a bit: more would not read as bars


@dataclass(frozen=True)
class Window:
    """Whole ISO weeks: ``first`` is a Monday, ``weeks`` of them."""

    first: date
    weeks: int

    @property
    def mondays(self) -> list[date]:
        return [self.first + timedelta(weeks=n) for n in range(self.weeks)]

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(weeks=self.weeks)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def window(start: date | None, end: date | None, today: date) -> Window:
    """The weeks from ``start`` to ``end`` (default today); no start: the last 12 weeks; at most the last 53."""
    last = monday_of(end or today)
    first = monday_of(start) if start else last - timedelta(weeks=DEFAULT_WEEKS - 1)
    weeks = min((last - first).days // 7 + 1, MAX_WEEKS)
    return Window(first=last - timedelta(weeks=weeks - 1), weeks=weeks)


@dataclass(frozen=True)
class WeekFigures:
    monday: date
    created: int
    converted: int

    @property
    def label(self) -> str:
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"


def _per_week(leads, column: str) -> dict[date, int]:
    rows = leads.order_by().values(week=TruncWeek(column, tzinfo=UTC)).annotate(count=Count("*"))
    return {row["week"].astimezone(UTC).date(): row["count"] for row in rows}


def _by_week(days: dict[date, int]) -> dict[date, int]:
    weeks: dict[date, int] = {}
    for day, count in days.items():
        weeks[monday_of(day)] = weeks.get(monday_of(day), 0) + count
    return weeks


def _rolled_per_week(rollup, lead_filter, everyone, since, until, column: str) -> dict[date, int]:
    days = counted_by_day(rollup, lead_filter, since, until, moment=column)
    if days is None:  # no rollups (SQLite)
        return _per_week(everyone.filter(**{f"{column}__gte": since, f"{column}__lt": until}), column)
    return _by_week(days)


def weekly_leads(lead_filter: LeadFilter, weeks: Window) -> list[WeekFigures]:
    """One row per week of ``weeks``, empty weeks as zeros; the edge weeks cut to the filter's dates."""
    since = max(weeks.start, lead_filter.created_after or weeks.start)
    until = min(weeks.end, lead_filter.created_before or weeks.end)
    # The filter's creation dates become the chart's range for both series: a lead converted
    # in range counts that week even when it was created before the range.
    everyone = Lead.objects.filter(replace(lead_filter, created_after=None, created_before=None).q())
    created = _rolled_per_week(OWNER_TOTALS_DAY, lead_filter, everyone, since, until, "created_at")
    converted = _rolled_per_week(CONVERSION_DAYS, lead_filter, everyone, since, until, "converted_at")
    return [
        WeekFigures(monday=monday, created=created.get(monday, 0), converted=converted.get(monday, 0))
        for monday in weeks.mondays
    ]
