"""Django's PostgreSQL backend, checking a busy connection's health without a query.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request on a
persistent connection, so a connection the server dropped (a restart, ``pg_terminate_backend``, an
idle timeout) is replaced instead of failing the request. On a busy worker that is one more round
trip, and one more statement for PostgreSQL, per request: a fifth of ``/auth/me``'s own time.

A server that drops a connection says so on its socket (a FATAL error, then end of file): the socket
turns readable, and a healthy idle connection's never is, since the server sends nothing unasked.
So a connection that passed a check less than ``trusted_seconds`` ago, whose socket has nothing to
read, is healthy without a query. Anything else (a readable socket, a connection idle for longer, a
failed transaction) gets Django's ``SELECT 1`` as before. A query that fails anyway marks the
connection, and Django checks it with a query at the end of that request (``errors_occurred``).
"""

import select
import time

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus

QUIET_STATES = (TransactionStatus.IDLE, TransactionStatus.INTRANS)


class DatabaseWrapper(base.DatabaseWrapper):
    # Long enough to cover the gap between two requests of a busy worker, far shorter than a
    # server host takes to go away and come back (which leaves no word on the old socket).
    trusted_seconds = 1.0
    _checked_at = None

    def connect(self):
        super().connect()
        self._checked_at = time.monotonic()  # a new connection is healthy (Django skips its check too)

    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done or self.pool:
            return super().close_if_health_check_failed()
        now = time.monotonic()
        if self._checked_at is not None and now - self._checked_at < self.trusted_seconds and self._socket_quiet():
            self.health_check_done = True
        else:
            super().close_if_health_check_failed()
        if self.connection is not None:
            self._checked_at = now

    def _socket_quiet(self) -> bool:
        """Nothing from the server waits on this connection's socket, and no transaction has failed."""
        raw = self.connection
        try:
            if raw.closed or raw.info.transaction_status not in QUIET_STATES:
                return False
            poll = select.poll()
            poll.register(raw.pgconn.socket, select.POLLIN | select.POLLPRI)
            return not poll.poll(0)
        except Exception:  # a broken connection (psycopg raises on its socket): let the query decide
            return False
