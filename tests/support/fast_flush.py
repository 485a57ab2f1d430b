"""Empty the tables after a transactional test with DELETE instead of one big TRUNCATE (PostgreSQL).

Django's flush truncates every table, and a TRUNCATE makes new files for each table
and index (55 tables, 300+ indexes here) that the commit then syncs to disk: 1.5-3 s
per transactional test on this machine, whether a table held a row or not. The
tests leave a handful of rows, so deleting them is nearly free. Triggers (the
rollups' and the foreign keys' own) are switched off for that one transaction, as
TRUNCATE skips them too, so the order of the tables does not matter. That takes a
superuser (CI and the local setup connect as postgres); anyone else, and flushes
that reset sequences, keep Django's TRUNCATE.

Either way the flush also empties the analytics rollup tables: they are the
triggers' tables, not models, so Django's flush leaves them out, and rollups of
leads that are gone would outlive them (a lead path keyed by a lead id the next
test makes again collides with it).
"""

from django.db.backends.postgresql.operations import DatabaseOperations

_truncate = DatabaseOperations.sql_flush


def _is_superuser(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return cursor.fetchone()[0]


def _with_rollups(connection, tables) -> list[str]:
    rollups = [name for name in connection.introspection.table_names() if name.startswith("analytics_")]
    return [*tables, *sorted(set(rollups) - set(tables))]


def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if not tables:
        return []
    tables = _with_rollups(self.connection, tables)
    if reset_sequences or not _is_superuser(self.connection):
        return _truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    # execute_sql_flush runs these in one transaction, so SET LOCAL ends with it.
    return [
        "SET LOCAL session_replication_role = replica;",
        *(f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables),
    ]


def pytest_configure(config):
    DatabaseOperations.sql_flush = sql_flush
