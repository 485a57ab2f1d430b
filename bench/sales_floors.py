"""Floors of the forecast and win/loss routes: from their rollups, and the old way's live SQL over the leads."""

from datetime import UTC, date, datetime
from decimal import Decimal

from .floors import _money, _rate, _rows, dumps

MONTHS = 6  # the forecast route's default

FORECAST_ROLLED = """
    SELECT t.close_month, sum(t.lead_count)::bigint, sum(t.value_total),
           sum(t.own_chance_value + t.stage_chance_value * coalesce(s.probability, 0))
    FROM analytics_org_forecast_totals AS t LEFT JOIN pipelines_stage AS s ON s.id = t.stage_id
    WHERE t.organization_id = %s AND (t.close_month IS NULL OR t.close_month < %s)
    GROUP BY t.close_month HAVING sum(t.lead_count) > 0
"""
FORECAST_LIVE = """
    SELECT date_trunc('month', l.expected_close_date)::date, count(*), sum(l.value),
           sum(l.value * coalesce(l.probability, s.probability))
    FROM leads_lead AS l LEFT JOIN pipelines_stage AS s ON s.id = l.stage_id
    WHERE l.organization_id = %s AND l.status NOT IN ('CONVERTED', 'LOST')
      AND (l.expected_close_date IS NULL OR l.expected_close_date < %s)
    GROUP BY 1
"""


def _month_starts(first: date, count: int) -> list[date]:
    starts, year, month = [], first.year, first.month
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return starts


def _figures(count, total, weighted) -> dict:
    return {
        "count": count,
        "totalValue": _money(total),
        "weightedValue": _money(None if weighted is None else Decimal(weighted) / 100),
    }


def forecast(org_id: str, *, rolled: bool = True) -> bytes:
    starts = _month_starts(datetime.now(UTC).date(), MONTHS + 1)
    first = starts[0]
    months, overdue, unscheduled = {}, [0, Decimal(0), Decimal(0)], (0, None, None)
    for month, count, total, weighted in _rows(FORECAST_ROLLED if rolled else FORECAST_LIVE, [org_id, starts[-1]]):
        if month is None:
            unscheduled = (count, total, weighted)
        elif month < first:
            overdue = [overdue[0] + count, overdue[1] + (total or 0), overdue[2] + (weighted or 0)]
        else:
            months[month] = (count, total, weighted)
    body = {
        "months": [
            {"month": start.strftime("%Y-%m"), **_figures(*months.get(start, (0, None, None)))} for start in starts[:-1]
        ],
        "overdue": _figures(*overdue),
        "unscheduled": _figures(*unscheduled),
    }
    return dumps({"success": True, "forecast": body, "message": "Forecast retrieved successfully"})


WIN_LOSS_ROLLED = """
    SELECT t.lost_reason_id, r.name, r."order", sum(t.won_count)::bigint, sum(t.won_value),
           sum(t.lost_count)::bigint, sum(t.lost_value)
    FROM analytics_org_win_loss_totals AS t LEFT JOIN leads_lostreason AS r ON r.id = t.lost_reason_id
    WHERE t.organization_id = %s GROUP BY t.lost_reason_id, r.name, r."order"
"""
WIN_LOSS_LIVE = """
    SELECT l.lost_reason_id, r.name, r."order", count(*) FILTER (WHERE l.status = 'CONVERTED'),
           sum(l.value) FILTER (WHERE l.status = 'CONVERTED'), count(*) FILTER (WHERE l.status = 'LOST'),
           sum(l.value) FILTER (WHERE l.status = 'LOST')
    FROM leads_lead AS l LEFT JOIN leads_lostreason AS r ON r.id = l.lost_reason_id
    WHERE l.organization_id = %s AND l.status IN ('CONVERTED', 'LOST') GROUP BY 1, 2, 3
"""


def win_loss(org_id: str, *, rolled: bool = True) -> bytes:
    rows = _rows(WIN_LOSS_ROLLED if rolled else WIN_LOSS_LIVE, [org_id])
    lost = sorted((row for row in rows if row[5]), key=lambda row: (-row[5], row[0] is None, row[2] or 0, row[1] or ""))
    won_count, lost_count = sum(row[3] for row in rows), sum(row[5] for row in rows)
    body = {
        "wonCount": won_count,
        "wonValue": _money(sum((row[4] or 0 for row in rows), Decimal(0))),
        "lostCount": lost_count,
        "lostValue": _money(sum((row[6] or 0 for row in rows), Decimal(0))),
        "winRate": _rate(won_count, won_count + lost_count),
        "reasons": [{"reasonId": row[0], "name": row[1], "count": row[5], "value": _money(row[6])} for row in lost],
    }
    return dumps({"success": True, "winLoss": body, "message": "Win/loss retrieved successfully"})
