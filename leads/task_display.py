"""How a task reads in the pages: its type's label and when it is due ("Call · tomorrow 10:00").

Days and times are the current time zone's: the organization's on its pages
(``vchata.tenancy.time_zones``), as the task lists (``leads.selectors.filter_tasks``)
and the digest split days.
"""

from datetime import datetime

from django.utils import timezone

TYPE_LABELS = {"CALL": "Call", "EMAIL": "Email", "MEETING": "Meeting", "TODO": "To-do"}


def type_label(task_type: str) -> str:
    return TYPE_LABELS.get(task_type, task_type.title())


def due_label(due_at: datetime, now: datetime | None = None) -> str:
    """ "today 10:00", "tomorrow 10:00", "yesterday 10:00", "Mon 10:00" (this week), "Dec 12, 10:00", "Dec 12, 2027"."""
    now = timezone.localtime(now or timezone.now())
    due = timezone.localtime(due_at)
    days = (due.date() - now.date()).days
    clock = due.strftime("%H:%M")
    if days == 0:
        return f"today {clock}"
    if days == 1:
        return f"tomorrow {clock}"
    if days == -1:
        return f"yesterday {clock}"
    if 1 < days < 7:
        return f"{due.strftime('%a')} {clock}"
    if due.year == now.year:
        return f"{due.strftime('%b')} {due.day}, {clock}"
    return f"{due.strftime('%b')} {due.day}, {due.year}"


def is_overdue(task, now: datetime | None = None) -> bool:
    return task.completed_at is None and task.due_at < (now or timezone.now())
