"""Tasks: the next steps on a lead (a call, an email, a meeting, a to-do), due at a time, for one member.

Creating a task writes no activity (an open task is a plan, not something done);
completing one logs a TASK activity on the lead through ``add_activity``, in
the same transaction, so the timeline shows the work, the lead's
``last_activity_at`` moves and rules on ``ACTIVITY_ADDED`` (type TASK) fire.
Reopening a task clears ``completed_at`` and writes nothing.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from vchata.accounts.models import Organization, User
from vchata.exceptions import InvalidInput
from vchata.tenancy import get_in_org

from ..models import Activity, Lead, Task
from .leads import add_activity

TASK_FIELDS = ("title", "type", "due_at")
NOT_A_MEMBER = "assignedToId does not match any member of this organization"


def _check_assignee(org: Organization, user: User | None) -> None:
    if user is not None and not org.memberships.filter(user=user).exists():
        raise InvalidInput([NOT_A_MEMBER])


@transaction.atomic
def create_task(
    *,
    org: Organization,
    actor: User | None,
    lead_id: str,
    title: str,
    type: str,
    due_at: datetime,
    assigned_to: User | None,
) -> Task:
    """A new open task on the lead; ``assigned_to`` None leaves it unassigned (callers default it to the actor)."""
    lead = get_in_org(Lead, org, lead_id)
    _check_assignee(org, assigned_to)
    return Task.objects.create(
        organization=org,
        lead=lead,
        title=title,
        type=type,
        due_at=due_at,
        assigned_to=assigned_to,
        created_by=actor,
    )


def _completion_text(task: Task) -> str:
    kind = {"TODO": "to-do"}.get(task.type, task.type.lower())
    return f"Completed {kind}: {task.title}"


@transaction.atomic
def update_task(*, org: Organization, actor: User | None, task_id: str, changes: Mapping[str, Any]) -> Task:
    """Apply a partial update (model field names, plus ``done``); completing logs a TASK activity."""
    task = get_in_org(Task, org, task_id, lock=True)
    for name in TASK_FIELDS:
        if name in changes:
            setattr(task, name, changes[name])
    if "assigned_to" in changes:
        _check_assignee(org, changes["assigned_to"])
        task.assigned_to = changes["assigned_to"]
    completing = changes.get("done") is True and task.completed_at is None
    if "done" in changes:
        if changes["done"] and task.completed_at is None:
            task.completed_at = timezone.now()
        elif not changes["done"]:
            task.completed_at = None
    task.save()
    if completing:
        add_activity(
            org=org,
            actor=actor,
            lead_id=task.lead_id,
            type=Activity.Type.TASK,
            description=_completion_text(task),
            metadata={"taskId": task.pk, "taskType": task.type, "title": task.title},
        )
    return task


@transaction.atomic
def delete_task(*, org: Organization, actor: User | None, task_id: str) -> None:
    get_in_org(Task, org, task_id, lock=True).delete()
