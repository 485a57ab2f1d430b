"""Statement and lock timeouts for the database work of served requests (PostgreSQL).

A request waiting on a lock that a stuck transaction holds, or running a query
the planner got badly wrong, would hold its worker and its connection until
gunicorn kills the worker; a handful of them take a server down. With a timeout
PostgreSQL cancels the statement instead, and the request answers 503 with
``Retry-After`` (``vchata.dbfaults``).

- ``DB_STATEMENT_TIMEOUT`` (seconds) bounds each statement of an API or page
  request: reads above all; the API's writes are row-sized and finish far
  within it.
- ``DB_LOCK_TIMEOUT`` bounds how long a statement waits for a lock: a write
  queued behind another transaction's row lock, any statement behind a
  migration's table lock.
- The admin keeps the lock timeout but no statement timeout: its imports and
  bulk actions over many leads are long by nature.
- Management commands (migrate, the cron jobs) get neither: only a process
  that serves requests loads this middleware.

They are session settings, sent on the raw connection only when a request
needs other values than its connection already has: once per connection when
requests are alike. Like Django's own connection set-up (the time zone), that
is not among the queries a test counts. Behind PgBouncer in transaction mode a
session setting doesn't stay with its client: set the timeouts on the database
role (``ALTER ROLE … SET statement_timeout = …``) and these variables to 0.
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created

Timeouts = tuple[int, int]  # (statement_timeout, lock_timeout) in milliseconds; 0 is none

_for_this_request: ContextVar[Timeouts | None] = ContextVar("vchata_db_timeouts", default=None)
_SET = "SELECT set_config('statement_timeout', %s, false), set_config('lock_timeout', %s, false)"


def timeouts_for(path: str) -> Timeouts:
    lock = round(settings.DB_LOCK_TIMEOUT * 1000)
    statement = 0 if path.startswith("/admin/") else round(settings.DB_STATEMENT_TIMEOUT * 1000)
    return statement, lock


def apply_timeouts(connection, timeouts: Timeouts) -> None:
    """Give ``connection`` these session timeouts unless it has them already."""
    if connection.vendor != "postgresql" or connection.connection is None:
        return
    if getattr(connection, "_vchata_timeouts", None) == (connection.connection, timeouts):
        return
    connection.close_if_health_check_failed()  # what its first query would do: a dead connection is replaced
    raw = connection.connection
    if raw is None:
        return  # closed: the next one gets the timeouts when it opens
    with connection.wrap_database_errors:
        raw.execute(_SET, [f"{timeouts[0]}ms", f"{timeouts[1]}ms"])
    # Inside a transaction (a test's) a rollback undoes the setting, so it is not remembered.
    connection._vchata_timeouts = None if connection.in_atomic_block else (raw, timeouts)


def _on_connection_created(sender, connection, **kwargs) -> None:
    timeouts = _for_this_request.get()
    if timeouts is not None:
        apply_timeouts(connection, timeouts)


class DatabaseTimeoutsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # A connection opened while a request is served gets that request's timeouts.
        connection_created.connect(_on_connection_created, dispatch_uid="vchata.dbtimeouts")

    def __call__(self, request):
        timeouts = timeouts_for(request.path)
        token = _for_this_request.set(timeouts)
        try:
            for connection in connections.all(initialized_only=True):
                apply_timeouts(connection, timeouts)
            return self.get_response(request)
        finally:
            _for_this_request.reset(token)
