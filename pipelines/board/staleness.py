"""When a card has rotted: how long its lead has been idle, against its stage's rotting days."""

from datetime import datetime

from pipelines.models import LeadStatus

# Closed leads never rot, however long they sit.
CLOSED_STATUSES = frozenset({LeadStatus.CONVERTED, LeadStatus.LOST})


def idle_days(since: datetime, now: datetime) -> int:
    # Clamped: a clock-skewed or back-dated timestamp must not read "-2 days".
    return max(0, (now - since).days)


def is_stale(*, status: str, idle_days: int, has_open_task: bool, rotting_days: int) -> bool:
    """Whether an open lead has rotted: no activity for ``rotting_days`` and no open task planned.

    A CONVERTED or LOST lead is never stale; an open task (even overdue) counts as a next step.
    """
    return status not in CLOSED_STATUSES and not has_open_task and idle_days >= rotting_days
