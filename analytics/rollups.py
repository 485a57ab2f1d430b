"""Reading reports from ``LeadRollup`` instead of the leads, when that gives the same answer.

The rollup is kept by PostgreSQL triggers only, and holds whole UTC days of
creation, so it answers a filter on PostgreSQL whose date bounds are midnights
(or absent). Anything else — SQLite, a bound inside a day — returns None and
the caller reads the live table.
"""

from datetime import UTC, datetime, time

from django.db import connection
from django.db.models import Q, Sum

from pipelines.models import LeadStatus

from .filters import LeadFilter
from .models import LeadRollup


def _midnight(moment: datetime | None) -> bool:
    return moment is None or moment.astimezone(UTC).time() == time(0)


def rollup_groups(lead_filter: LeadFilter):
    """The rollup rows covering exactly ``lead_filter``'s leads, or None when the rollup can't answer it."""
    if connection.vendor != "postgresql":
        return None
    if not (_midnight(lead_filter.created_after) and _midnight(lead_filter.created_before)):
        return None
    rows = LeadRollup.objects.filter(organization_id=lead_filter.org.pk).order_by()
    if lead_filter.pipeline is not None:
        rows = rows.filter(pipeline_id=lead_filter.pipeline.pk)
    if lead_filter.created_after is not None:
        rows = rows.filter(created_day__gte=lead_filter.created_after.astimezone(UTC).date())
    if lead_filter.created_before is not None:
        rows = rows.filter(created_day__lt=lead_filter.created_before.astimezone(UTC).date())
    if lead_filter.scope.restricted:
        rows = rows.filter(Q(assignee_id=lead_filter.scope.assignee_id) | Q(assignee_id__isnull=True))
    return rows


def rolled_figures() -> dict:
    """``_lead_figures`` over rollup rows, prefixed ``rolled_`` (an alias can't reuse a column's name)."""
    return {
        "rolled_lead_count": Sum("lead_count"),
        "rolled_converted_count": Sum("lead_count", filter=Q(status=LeadStatus.CONVERTED)),
        "rolled_value_total": Sum("value_total"),
        "rolled_valued_count": Sum("valued_count"),
    }


def unrolled(row: dict, *counts: str) -> dict:
    """A rolled row under the live query's names, its counts ints (sums are numeric, or None over no rows)."""
    named = {key.removeprefix("rolled_"): value for key, value in row.items()}
    return named | {name: int(named[name] or 0) for name in ("lead_count", "converted_count", "valued_count", *counts)}
