"""Reading report figures from the rollups (``rollup_sql``) instead of the leads, with the same answer.

``rolled`` sums one rollup's measures per group for the leads a filter covers,
in one query: without a date filter from the table without days (a few
thousand rows at most); with one, the whole UTC days of the range from the
``…_day`` table plus, for a bound inside a day, that part of the day from the
live rows (the same expressions the triggers apply), all in one
``UNION ALL``. On SQLite there are no rollups: it returns None and the
caller reads the leads.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connections, router

from leads.models import Lead

from . import rollup_sql
from .filters import LeadFilter


@dataclass(frozen=True)
class Span:
    """A creation range split into whole UTC days ``[first_day, end_day)`` (None: unbounded) and edges."""

    whole_days: tuple[date | None, date | None] | None
    edges: tuple[tuple[datetime, datetime], ...] = ()


def _day_start(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(UTC).date(), time(0), tzinfo=UTC)


def split(after: datetime | None, before: datetime | None) -> Span:
    first = (
        None if after is None else _day_start(after) + (timedelta(0) if after == _day_start(after) else timedelta(1))
    )
    end = None if before is None else _day_start(before)
    if first is not None and end is not None and first >= end:
        return Span(None, ((after, before),) if after < before else ())
    edges = []
    if after is not None and after < first:
        edges.append((after, first))
    if before is not None and end < before:
        edges.append((end, before))
    return Span((first and first.date(), end and end.date()), tuple(edges))


def _conditions(lead_filter: LeadFilter, stage_ids, where) -> tuple[list[str], list]:
    conditions, params = ["organization_id = %s"], [lead_filter.org.pk]
    if lead_filter.pipeline is not None:
        conditions.append("pipeline_id = %s")
        params.append(lead_filter.pipeline.pk)
    if lead_filter.scope.restricted:
        conditions.append("(assignee_id = %s OR assignee_id IS NULL)")
        params.append(lead_filter.scope.assignee_id)
    if stage_ids is not None:
        conditions.append("stage_id = ANY(%s)")
        params.append(list(stage_ids))
    for sql, values in where:
        conditions.append(sql)
        params.extend(values)
    return conditions, params


def _condition_columns(lead_filter: LeadFilter, stage_ids) -> set[str]:
    columns = {"organization_id"}
    if lead_filter.pipeline is not None:
        columns.add("pipeline_id")
    if lead_filter.scope.restricted:
        columns.add("assignee_id")
    if stage_ids is not None:
        columns.add("stage_id")
    return columns


def _narrowest(rollup: rollup_sql.Rollup, dims: set[str], measures, *, daily: bool = False) -> rollup_sql.Rollup:
    """The rollup over the same rows with the fewest groups that still has these columns (by day or not)."""
    fits = [
        other
        for other in rollup_sql.ROLLUPS.values()
        if other.over == rollup.over
        and other.only == rollup.only
        and other.daily == daily
        and dims <= {column.name for column in other.dims}
        and set(measures) <= {column.name for column in other.measures}
    ]
    return min(fits, key=lambda other: len(other.dims))


def _whole_days(first: date | None, end: date | None, day: str = "created_day") -> tuple[list[str], list]:
    bounds = [(f"{day} >= %s", first), (f"{day} < %s", end)]
    return [sql for sql, day in bounds if day is not None], [day for _, day in bounds if day is not None]


def _total(column: rollup_sql.Column) -> str:
    total = f"coalesce(sum(g.{column.name}), 0)"
    return f"{total}::bigint AS {column.name}" if column.type == "bigint" else f"{total} AS {column.name}"


def rolled(
    rollup: rollup_sql.Rollup,
    lead_filter: LeadFilter,
    *,
    group_by: tuple[str, ...] = (),
    measures: tuple[str, ...],
    stage_ids=None,
    where: tuple[tuple[str, list], ...] = (),
    having: str = "",
    order_by: str = "",
    join: tuple[str, list] = ("", []),
    joined: tuple[str, ...] = (),
) -> list[dict] | None:
    """``measures`` summed per ``group_by`` over ``lead_filter``'s leads: one query; None where there are no rollups.

    ``where`` adds conditions on the rollup's columns (SQL and parameters);
    ``having`` and ``order_by`` are SQL over the output columns. ``join`` (SQL
    and parameters) joins the groups (``g``) to another table, whose ``joined``
    columns (``alias.column``) are output and grouped by too: names next to figures in the same query.
    """
    # The database the live reports read (the replica inside an analytics request, when there is one).
    connection = connections[router.db_for_read(Lead)]
    if connection.vendor != "postgresql":
        return None
    conditions, params = _conditions(lead_filter, stage_ids, where)
    columns = ", ".join((*group_by, *measures))
    span = split(lead_filter.created_after, lead_filter.created_before)
    needed = {*group_by, *_condition_columns(lead_filter, stage_ids)}
    # By day, the narrowest table unless ``where`` names columns that only the rollup's own has. The
    # edges' live rows come shaped as that table's, so ``created_day`` can be grouped by too.
    daily = rollup_sql.ROLLUPS[f"{rollup.name}_day"]
    if not where:
        daily = _narrowest(daily, needed, measures, daily=True)
    branches, values = [], []
    if not lead_filter.by_creation:
        table = _narrowest(rollup, needed, measures).table
        branches.append(f"SELECT {columns} FROM {table} WHERE {' AND '.join(conditions)}")
        values += params
    elif span.whole_days is not None:
        days, day_params = _whole_days(*span.whole_days)
        branches.append(f"SELECT {columns} FROM {daily.table} WHERE {' AND '.join(conditions + days)}")
        values += params + day_params
    org = rollup_sql.expression(rollup.dims[0].expression)
    for start, stop in span.edges:
        rows = rollup_sql.live_rows(daily, f"{org} = %s AND l.created_at >= %s AND l.created_at < %s")
        branches.append(f"SELECT {columns} FROM ({rows}) AS edge WHERE {' AND '.join(conditions)}")
        values += [lead_filter.org.pk, start, stop, *params]
    if not branches:  # an empty range
        branches.append(f"SELECT {columns} FROM {daily.table} WHERE false")
    totals = ", ".join(_total(rollup.measure(name)) for name in measures)
    keys = (*(f"g.{name}" for name in group_by), *joined)
    sql = f"SELECT {', '.join((*keys, totals))} FROM ({' UNION ALL '.join(branches)}) AS g {join[0]}"
    values += join[1]
    if keys:
        sql += f" GROUP BY {', '.join(keys)}"
    if having:
        sql += f" HAVING {having}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def counted_by_day(
    rollup: rollup_sql.Rollup, lead_filter: LeadFilter, since: datetime, until: datetime, *, moment: str
) -> dict[date, int] | None:
    """Leads per UTC day of ``rollup``'s day for ``moment`` (a lead column) in ``[since, until)``; one query.

    Whole days from the rollup, the parts of days at the edges from the live rows;
    the pipeline and visibility of ``lead_filter`` apply, not its creation dates.
    None where there are no rollups.
    """
    connection = connections[router.db_for_read(Lead)]
    if connection.vendor != "postgresql":
        return None
    conditions, params = _conditions(lead_filter, None, ())
    span = split(since, until)
    branches, values = [], []
    if span.whole_days is not None:
        days, day_params = _whole_days(*span.whole_days, day=rollup.day)
        branches.append(f"SELECT {rollup.day}, lead_count FROM {rollup.table} WHERE {' AND '.join(conditions + days)}")
        values += params + day_params
    for start, stop in span.edges:
        rows = rollup_sql.live_rows(rollup, f"l.organization_id = %s AND l.{moment} >= %s AND l.{moment} < %s")
        branches.append(f"SELECT {rollup.day}, lead_count FROM ({rows}) AS edge WHERE {' AND '.join(conditions)}")
        values += [lead_filter.org.pk, start, stop, *params]
    if not branches:  # an empty range
        return {}
    sql = f"SELECT {rollup.day}, sum(lead_count) FROM ({' UNION ALL '.join(branches)}) AS g GROUP BY {rollup.day}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return dict(cursor.fetchall())
