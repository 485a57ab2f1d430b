"""The daily task digest: one email per member and organization, of their overdue and today's open tasks.

Sent by the ``send_task_digests`` Celery task (run every hour by
``CELERY_BEAT_SCHEDULE``), which sends each organization's digests once its
clock has passed ``TASK_DIGEST_HOUR`` (7:00 by default, in its time zone: a
Tokyo org's members get theirs at their 7:00, a Madrid org's at theirs; a run
missed at that hour is made up by the next), or by ``manage.py
send_task_digests``, which sends whatever is due now. "Today" is the
organization's day (its time zone), as in the task list's ``due`` filter. A member gets the tasks
assigned to them on leads they see (under ASSIGNED visibility a MEMBER's
task on someone else's lead stays out), and nothing when they have none. A
``TaskDigest`` row claims each (organization, member, day) before sending, so
running the job twice sends nothing twice; a failed send drops its claim, so
the next run tries again.
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from vchata.accounts.models import Membership
from vchata.tenancy.permissions import lead_scope

from .models import Task, TaskDigest
from .selectors import org_day

logger = logging.getLogger("vchata.leads")


def _link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _due_tasks(end: datetime) -> dict[tuple[str, str], list[Task]]:
    """Open tasks due before ``end`` with an assignee, by (organization id, user id), soonest first."""
    tasks = (
        Task.objects.filter(completed_at__isnull=True, due_at__lt=end, assigned_to__isnull=False)
        .select_related("lead__contact")
        .order_by("due_at", "id")
    )
    found: dict[tuple[str, str], list[Task]] = defaultdict(list)
    for task in tasks:
        found[(task.organization_id, task.assigned_to_id)].append(task)
    return found


def _claim(membership: Membership, day, count: int) -> TaskDigest | None:
    try:
        with transaction.atomic():
            return TaskDigest.objects.create(
                organization_id=membership.organization_id, user_id=membership.user_id, day=day, task_count=count
            )
    except IntegrityError:
        return None  # already sent today


def _message(membership: Membership, overdue: list[Task], today: list[Task], now: datetime) -> EmailMultiAlternatives:
    org = membership.organization
    for task in [*overdue, *today]:
        task.link = _link(reverse("lead-detail", args=[org.pk, task.lead_id]))
    context = {
        "user": membership.user,
        "organization": org,
        "overdue": overdue,
        "today": today,
        "date": now,
        "home_link": _link(reverse("org-home", args=[org.pk])),
    }
    count = len(overdue) + len(today)
    subject = f"{org.name}: {count} task{'s' if count != 1 else ''} for today"
    if overdue:
        subject += f" ({len(overdue)} overdue)"
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("leads/email/task_digest.txt", context),
        to=[membership.user.email],
    )
    email.attach_alternative(render_to_string("leads/email/task_digest.html", context), "text/html")
    return email


def send_task_digests(*, now: datetime | None = None, from_hour: int | None = None) -> int:
    """Send today's digests not sent yet to the organizations whose clock reads ``from_hour`` or later.

    ``from_hour`` defaults to ``TASK_DIGEST_HOUR``; 0 sends every organization's. Returns how many were sent.
    """
    now = now or timezone.now()
    from_hour = settings.TASK_DIGEST_HOUR if from_hour is None else from_hour
    # Every organization's day ends within 25 hours of now (a day that turns the clocks back is 25 hours long);
    # each member's list is then cut at the end of their organization's day.
    due = _due_tasks(now + timedelta(hours=25))
    if not due:
        return 0
    memberships = Membership.objects.filter(
        organization_id__in={org_id for org_id, _ in due},
        user_id__in={user_id for _, user_id in due},
        user__is_active=True,
    ).select_related("organization", "user")
    sent = 0
    for membership in memberships:
        tasks = due.get((membership.organization_id, membership.user_id))
        zone = membership.organization.time_zone
        if now.astimezone(ZoneInfo(zone)).hour < from_hour:
            continue  # still before the morning there: a later run sends it
        _, end = org_day(now, zone)
        tasks = [t for t in tasks or () if t.due_at < end]
        if not tasks:
            continue
        scope = lead_scope(membership)
        if scope.restricted:
            tasks = [t for t in tasks if t.lead.assigned_to_id in (None, membership.user_id)]
        if not tasks:
            continue
        overdue = [t for t in tasks if t.due_at < now]
        today = [t for t in tasks if t.due_at >= now]
        claim = _claim(membership, now.astimezone(ZoneInfo(zone)).date(), len(tasks))
        if claim is None:
            continue
        try:
            _message(membership, overdue, today, now).send()
        except Exception:
            logger.exception("Task digest to %s could not be sent", membership.user.email)
            claim.delete()
            continue
        sent += 1
    return sent
