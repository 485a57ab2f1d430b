"""The Celery application: background tasks on Redis, or in-process when there is no Redis.

With ``REDIS_URL`` (or ``CELERY_BROKER_URL``) tasks go to Redis and ``make
worker`` runs them; ``make beat`` sends the scheduled ones (settings'
``CELERY_BEAT_SCHEDULE``). Without a broker every task runs in the process
that sends it (``task_always_eager``), which callers only do after the
transaction commits, so ``make run`` needs nothing else installed.

Tasks acknowledge late and are rejected back to the queue when their worker
dies, so a killed worker loses nothing; every task is written to be run twice.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vchata.settings")

app = Celery("vchata")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
