"""Which database errors mean "unavailable, try again" (a 503), and how soon to try.

A request that fails because the database could not be reached, had no
connection to spare, or gave up waiting (a lock or statement timeout, a
deadlock or serialization failure it resolved by cancelling us) did nothing
wrong: the same request can succeed a moment later. Those get a 503 with
``Retry-After``, never a 500. Errors that a retry would only repeat (a missing
table, a broken query, a violated constraint that nobody caught) stay 500s:
they are bugs.

PostgreSQL says which is which through the SQLSTATE of the error
(https://www.postgresql.org/docs/current/errcodes-appendix.html); a failed
connection attempt has none. SQLite only says "database is locked".
"""

from django.db import InterfaceError, OperationalError

# SQLSTATE classes and codes of a database that is away, full or busy.
_UNAVAILABLE_CLASSES = ("08", "53", "57")  # connection exception, insufficient resources, operator intervention
_BUSY_CODES = {"55P03", "57014", "40001", "40P01"}  # lock_not_available, query_canceled, serialization, deadlock

# Seconds a client should wait: a lock or a timeout clears quickly, a database that is away or full less so.
RETRY_AFTER_BUSY = 1
RETRY_AFTER_UNAVAILABLE = 5


def _sqlstate(error: BaseException) -> str | None:
    cause = error.__cause__ or error
    return getattr(cause, "sqlstate", None)


def retry_after(error: BaseException) -> int | None:
    """Seconds after which the request may succeed if ``error`` means the database is unavailable; else None."""
    if isinstance(error, InterfaceError):  # the connection is gone (closed under us)
        return RETRY_AFTER_UNAVAILABLE
    if not isinstance(error, OperationalError):
        return None
    sqlstate = _sqlstate(error)
    if sqlstate in _BUSY_CODES:
        return RETRY_AFTER_BUSY
    if sqlstate is not None:
        return RETRY_AFTER_UNAVAILABLE if sqlstate.startswith(_UNAVAILABLE_CLASSES) else None
    if "database is locked" in str(error):  # SQLite's busy timeout ran out
        return RETRY_AFTER_BUSY
    # No SQLSTATE: PostgreSQL could not be reached or refused the connection (too many clients).
    cause = error.__cause__
    return RETRY_AFTER_UNAVAILABLE if cause is not None and type(cause).__module__.startswith("psycopg") else None
