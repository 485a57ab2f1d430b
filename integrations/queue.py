"""Sending tasks: by name (no import of the task module), never failing the caller.

A send happens after a commit. When the broker can't be reached the row the
task would work on is already stored, and a periodic sweep sends it later,
so the failure is logged, not raised.
"""

import logging

from celery import current_app

logger = logging.getLogger("vchata.integrations")


def send_task(name: str, *args, countdown: float | None = None) -> bool:
    """Run ``name`` in a worker (or in-process, without a broker). False if it was not sent.

    ``countdown``: not before that many seconds; in-process, such a task is left to the sweep.
    """
    app = current_app
    if countdown and app.conf.task_always_eager:
        return False  # in-process there is no later: the periodic sweep (cron) runs it when due
    try:
        if app.conf.task_always_eager:
            app.tasks[name].apply(args=args)  # in-process; a failure is logged by the task itself
        else:
            app.send_task(name, args=args, countdown=countdown)
    except Exception:  # broker down, connection refused, timeout: the sweep picks the row up
        logger.warning("Could not send task %s%r; the sweep will retry it", name, args, exc_info=True)
        return False
    return True
