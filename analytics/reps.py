"""Per rep: the leads assigned to each person, open, won and lost, with their value. One GROUP BY.

Unassigned leads are a row of their own (last). Someone who leaves the org
hands their leads back to the unassigned pool, so every row is a member.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from leads.models import Lead
from pipelines.models import LeadStatus

from .filters import LeadFilter
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


def rep_breakdown(lead_filter: LeadFilter) -> list[RepFigures]:
    """One row per assignee with leads in the filter, most won value first; the unassigned leads last."""
    rows = (
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
