"""Per rep: the leads assigned to each person, open, won and lost, with their value. Two
queries of the rollups (one GROUP BY of the leads where there are none).

Unassigned leads are a row of their own (last). Someone who leaves the org
hands their leads back to the unassigned pool, so every row is a member.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from leads.models import Lead
from pipelines.models import LeadStatus

from .filters import LeadFilter
from .rollup_sql import LEAD_TOTALS, WIN_LOSS_TOTALS
from .rollups import rolled
from .selectors import CLOSED_STATUSES, money

OPEN = ~Q(status__in=CLOSED_STATUSES)
WON = Q(status=LeadStatus.CONVERTED)
LOST = Q(status=LeadStatus.LOST)


@dataclass(frozen=True)
class RepFigures:
    user_id: str | None  # None: the unassigned leads
    name: str
    open_count: int
    won_count: int
    lost_count: int
    open_value: Decimal
    won_value: Decimal


def _rolled_rows(lead_filter: LeadFilter) -> list[dict] | None:
    """Per assignee, from the lead rollup (counts by status, open value) and win/loss's (won value): two queries."""
    rows = rolled(
        LEAD_TOTALS,
        lead_filter,
        group_by=("assignee_id",),
        measures=("lead_count", "new_count", "qualified_count", "contacted_count", "converted_count", "lost_count",
                  "open_value_total"),
        join=("LEFT JOIN accounts_user AS u ON u.id = g.assignee_id", []),
        joined=("u.name", "u.email"),
        having="sum(g.lead_count) > 0",
    )  # fmt: skip
    if rows is None:
        return None
    won = rolled(WIN_LOSS_TOTALS, lead_filter, group_by=("assignee_id",), measures=("won_value",))
    won_value = {row["assignee_id"]: row["won_value"] for row in won}
    return [
        {
            "assigned_to_id": row["assignee_id"],
            "assigned_to__name": row["name"],
            "assigned_to__email": row["email"],
            "open_count": row["new_count"] + row["qualified_count"] + row["contacted_count"],
            "won_count": row["converted_count"],
            "lost_count": row["lost_count"],
            "open_value": row["open_value_total"],
            "won_value": won_value.get(row["assignee_id"]),
        }
        for row in rows
    ]


def rep_breakdown(lead_filter: LeadFilter) -> list[RepFigures]:
    """One row per assignee with leads in the filter, most won value first; the unassigned leads last."""
    rows = _rolled_rows(lead_filter)
    if rows is None:
        rows = _live_rows(lead_filter)
    figures = [
        RepFigures(
            user_id=row["assigned_to_id"],
            name=row["assigned_to__name"] or row["assigned_to__email"] or "Unassigned",
            open_count=row["open_count"],
            won_count=row["won_count"],
            lost_count=row["lost_count"],
            open_value=money(row["open_value"]),
            won_value=money(row["won_value"]),
        )
        for row in rows
    ]
    # A row per member at most, so ordering them here costs nothing.
    return sorted(
        figures,
        key=lambda rep: (rep.user_id is None, -rep.won_value, -rep.open_value, rep.name.lower(), rep.user_id or ""),
    )


def _live_rows(lead_filter: LeadFilter):
    return (
        Lead.objects.filter(lead_filter.q())
        .order_by()
        .values("assigned_to_id", "assigned_to__name", "assigned_to__email")
        .annotate(
            open_count=Count("pk", filter=OPEN),
            won_count=Count("pk", filter=WON),
            lost_count=Count("pk", filter=LOST),
            open_value=Sum("value", filter=OPEN),
            won_value=Sum("value", filter=WON),
        )
    )
