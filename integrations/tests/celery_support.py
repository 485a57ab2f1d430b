"""Pointing this process's Celery app at a real broker for a test, then back to in-process tasks."""

from contextlib import contextmanager

from vchata.celery import app


def _drop_connections():
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def using_broker(url: str, *, keyprefix: str = ""):
    saved = {
        "task_always_eager": app.conf.task_always_eager,
        "broker_url": app.conf.broker_url,
        "broker_transport_options": dict(app.conf.broker_transport_options or {}),
    }
    options = {**saved["broker_transport_options"], "global_keyprefix": keyprefix}
    _drop_connections()
    app.conf.update(task_always_eager=False, broker_url=url, broker_transport_options=options)
    try:
        yield app
    finally:
        _drop_connections()
        app.conf.update(**saved)
