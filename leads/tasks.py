"""Celery tasks of the leads app (autodiscovered as ``leads.tasks``; the Task *model* is ``leads.models.Task``)."""

from celery import shared_task

from .digest import send_task_digests as send_digests


@shared_task(name="leads.tasks.send_task_digests")
def send_task_digests() -> int:
    """Today's task digests not sent yet (safe to run twice: each is claimed once per day)."""
    return send_digests()
