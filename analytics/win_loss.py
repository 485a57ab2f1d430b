"""Win/loss: how many closed leads were won, and why the others were lost. One query.

Won leads are those now CONVERTED; lost ones, those now LOST, one row per lost
reason (retired reasons included, so history keeps its names) and one for
leads lost without a reason. A won lead carries no reason (leaving LOST clears
it), so grouping every closed lead by reason puts the won ones in the
no-reason group, next to the lost-without-reason ones, and one GROUP BY says it all.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from leads.models import Lead
from pipelines.models import LeadStatus

from .filters import LeadFilter
from .rollup_sql import WIN_LOSS_TOTALS
from .rollups import rolled
from .selectors import CLOSED_STATUSES, money, rate

WON = Q(status=LeadStatus.CONVERTED)
LOST = Q(status=LeadStatus.LOST)


@dataclass(frozen=True)
class LostReasonFigures:
    reason_id: str | None  # None: lost without a reason
    name: str | None
    count: int
    value: Decimal


@dataclass(frozen=True)
class WinLoss:
    won_count: int
    won_value: Decimal
    lost_count: int
    lost_value: Decimal
    reasons: list[LostReasonFigures]  # most lost leads first

    @property
    def win_rate(self) -> float:
        """Won ÷ closed × 100, one decimal; 0 when nothing is closed."""
        return rate(self.won_count, self.won_count + self.lost_count)


def _rolled_rows(lead_filter: LeadFilter) -> list[dict] | None:
    """The closed leads' groups by lost reason, from the rollup, named (one query)."""
    rows = rolled(
        WIN_LOSS_TOTALS,
        lead_filter,
        group_by=("lost_reason_id",),
        measures=("won_count", "won_value", "lost_count", "lost_value"),
        join=("LEFT JOIN leads_lostreason AS r ON r.id = g.lost_reason_id", []),
        joined=("r.name", 'r."order"'),
    )
    if rows is None:
        return None
    return [
        {
            "lost_reason_id": row["lost_reason_id"],
            "lost_reason__name": row["name"],
            "lost_reason__order": row["order"],
            "won": row["won_count"],
            "won_value": row["won_value"],
            "lost": row["lost_count"],
            "lost_value": row["lost_value"],
        }
        for row in rows
    ]


def win_loss(lead_filter: LeadFilter) -> WinLoss:
    rows = _rolled_rows(lead_filter)
    if rows is None:
        rows = _live_rows(lead_filter)
    return _answer(rows)


def _live_rows(lead_filter: LeadFilter) -> list[dict]:
    return list(
        Lead.objects.filter(lead_filter.q(), status__in=CLOSED_STATUSES)
        .order_by()
        .values("lost_reason_id", "lost_reason__name", "lost_reason__order")
        .annotate(
            won=Count("pk", filter=WON),
            won_value=Sum("value", filter=WON),
            lost=Count("pk", filter=LOST),
            lost_value=Sum("value", filter=LOST),
        )
    )


def _answer(rows: list[dict]) -> WinLoss:
    # Most lost first; ties in the org's order of reasons, "no reason" last.
    lost_rows = sorted(
        (row for row in rows if row["lost"]),
        key=lambda row: (
            -row["lost"],
            row["lost_reason_id"] is None,
            row["lost_reason__order"] or 0,
            row["lost_reason__name"] or "",
        ),
    )
    reasons = [
        LostReasonFigures(
            reason_id=row["lost_reason_id"],
            name=row["lost_reason__name"],
            count=row["lost"],
            value=money(row["lost_value"]),
        )
        for row in lost_rows
    ]
    return WinLoss(
        won_count=sum(row["won"] for row in rows),
        won_value=money(sum((money(row["won_value"]) for row in rows), Decimal(0))),
        lost_count=sum(row["lost"] for row in rows),
        lost_value=money(sum((money(row["lost_value"]) for row in rows), Decimal(0))),
        reasons=reasons,
    )
