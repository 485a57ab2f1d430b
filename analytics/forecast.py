"""The forecast: what the open leads are worth, month by month of their expected close date. One query.

A lead counts while it is open (status neither CONVERTED nor LOST). Its weight
is its own ``probability`` when set, else its stage's. Besides the months asked
for (from the current UTC month on, empty months as zeros), two figures keep
the rest of the open pipeline in sight instead of silently dropping it:

- ``overdue``: open leads whose expected close date is before the current month
  (the deal slipped and nobody moved the date);
- ``unscheduled``: open leads with no expected close date.

Leads closing after the last month shown are not counted anywhere.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db.models import Case, Count, DateField, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from leads.models import Lead

from .filters import LeadFilter
from .rollup_sql import FORECAST_TOTALS
from .rollups import rolled
from .selectors import CLOSED_STATUSES, money

DEFAULT_MONTHS = 6
MAX_MONTHS = 24


@dataclass(frozen=True)
class ForecastFigures:
    count: int
    total_value: Decimal
    weighted_value: Decimal


NOTHING = ForecastFigures(count=0, total_value=Decimal("0.00"), weighted_value=Decimal("0.00"))


@dataclass(frozen=True)
class ForecastMonth:
    month: date  # the first day of the month
    figures: ForecastFigures

    @property
    def key(self) -> str:
        return self.month.strftime("%Y-%m")


@dataclass(frozen=True)
class Forecast:
    months: list[ForecastMonth]
    overdue: ForecastFigures
    unscheduled: ForecastFigures

    @property
    def total_value(self) -> Decimal:
        return sum((month.figures.total_value for month in self.months), Decimal("0.00"))

    @property
    def weighted_value(self) -> Decimal:
        return sum((month.figures.weighted_value for month in self.months), Decimal("0.00"))


def month_starts(first: date, count: int) -> list[date]:
    """``count`` first-days-of-month from ``first``'s month on."""
    year, month = first.year, first.month
    starts = []
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return starts


def _figures(row: dict) -> ForecastFigures:
    weighted = row["weighted"]
    return ForecastFigures(
        count=row["count"],
        total_value=money(row["total"]),
        weighted_value=money(None if weighted is None else Decimal(str(weighted)) / 100),
    )


def _rolled_buckets(lead_filter: LeadFilter, first: date, after_last: date) -> dict | None:
    """Per bucket (a month, the month before ``first`` for overdue, None unscheduled), from the rollup."""
    rows = rolled(
        FORECAST_TOTALS,
        lead_filter,
        group_by=("close_month", "stage_id"),
        measures=("lead_count", "value_total", "own_chance_value", "stage_chance_value"),
        where=(("(close_month IS NULL OR close_month < %s)", [after_last]),),
        join=("LEFT JOIN pipelines_stage AS s ON s.id = g.stage_id", []),
        joined=("s.probability",),
    )
    if rows is None:
        return None
    overdue = first - timedelta(days=1)
    buckets = {}
    for row in rows:
        if not row["lead_count"]:
            continue
        month = row["close_month"]
        key = overdue.replace(day=1) if month is not None and month < first else month
        bucket = buckets.setdefault(key, {"count": 0, "total": Decimal(0), "weighted": Decimal(0)})
        bucket["count"] += row["lead_count"]
        bucket["total"] += row["value_total"]
        bucket["weighted"] += row["own_chance_value"] + row["stage_chance_value"] * (row["probability"] or 0)
    return {key: _figures(bucket) for key, bucket in buckets.items()}


def lead_forecast(lead_filter: LeadFilter, *, months: int = DEFAULT_MONTHS, now: datetime | None = None) -> Forecast:
    """Open leads by month of expected close date, ``months`` months from the current UTC month: one query."""
    today = (now or timezone.now()).astimezone(UTC).date()
    starts = month_starts(today, months + 1)
    first, after_last = starts[0], starts[-1]
    by_bucket = _rolled_buckets(lead_filter, first, after_last)
    if by_bucket is None:
        by_bucket = _live_buckets(lead_filter, first, after_last)
    return Forecast(
        months=[ForecastMonth(month=start, figures=by_bucket.get(start, NOTHING)) for start in starts[:-1]],
        overdue=next((figures for bucket, figures in by_bucket.items() if bucket and bucket < first), NOTHING),
        unscheduled=by_bucket.get(None, NOTHING),
    )


def _live_buckets(lead_filter: LeadFilter, first: date, after_last: date) -> dict:
    # Every close date before this month falls in the month before it, so one GROUP BY gives
    # the overdue bucket too; no date (NULL) is its own group, the unscheduled leads.
    bucket = TruncMonth(
        Case(
            When(expected_close_date__lt=first, then=Value(first - timedelta(days=1))),
            default=F("expected_close_date"),
            output_field=DateField(),
        ),
        output_field=DateField(),
    )
    rows = (
        Lead.objects.filter(lead_filter.q())
        .exclude(status__in=CLOSED_STATUSES)
        .filter(Q(expected_close_date__isnull=True) | Q(expected_close_date__lt=after_last))
        .order_by()
        .values(bucket=bucket)
        .annotate(
            count=Count("*"),
            total=Sum("value"),
            weighted=Sum(
                F("value") * Coalesce("probability", "stage__probability"),
                output_field=DecimalField(max_digits=20, decimal_places=2),
            ),
        )
    )
    return {_as_date(row["bucket"]): _figures(row) for row in rows}


def _as_date(value) -> date | None:
    # TruncMonth of a date is a date on PostgreSQL; SQLite may hand back a datetime.
    return value.date() if isinstance(value, datetime) else value
