"""Analytics reads go to a read replica when ``DATABASE_REPLICA_URL`` is set.

Analytics are large aggregate scans that tolerate a second or two of
replication lag; everything else (the board, the API, the admin, and every
write) reads its own writes from the primary. The rule lives here, in one
place, instead of a ``.using()`` on each analytics query:

- ``ReplicaReadsMiddleware`` runs every GET/HEAD request served by a view of
  the ``REPLICA_READ_APPS`` packages (``analytics`` by default: its API and its
  dashboard page) inside ``replica_reads()``;
- ``PrimaryReplicaRouter`` sends reads made inside ``replica_reads()`` to the
  ``replica`` alias, except those of ``PRIMARY_ONLY_APPS``: users, memberships
  and tokens are read from the primary so that a member added a moment ago is
  not refused by a replica that has not caught up yet.

Without a ``replica`` database both are no-ops and everything uses ``default``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PRIMARY = "default"
# Authentication and authorization data: always fresh, always primary.
PRIMARY_ONLY_APPS = frozenset({"accounts", "auth", "contenttypes", "sessions", "token_blacklist", "admin"})

_replica_reads: ContextVar[bool] = ContextVar("vchata_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def reading_from_replica() -> bool:
    """True inside ``replica_reads()`` when a replica is configured."""
    return _replica_reads.get() and replica_configured()


@contextmanager
def replica_reads() -> Iterator[None]:
    """Route the ORM reads made inside this block to the replica (when there is one)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label not in PRIMARY_ONLY_APPS and reading_from_replica():
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: a row read from one may point at a row read from the other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replication copies the schema; migrations run on the primary only.
        return db == PRIMARY


def _serves_replica_app(view_func) -> bool:
    module = getattr(view_func, "__module__", "") or ""
    apps = getattr(settings, "REPLICA_READ_APPS", ("analytics",))
    return module.split(".", 1)[0] in apps


class ReplicaReadsMiddleware:
    """Run safe requests to the ``REPLICA_READ_APPS`` views inside ``replica_reads()``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            if getattr(request, "_replica_reads", False):
                _replica_reads.set(False)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in ("GET", "HEAD") and _serves_replica_app(view_func):
            request._replica_reads = True
            _replica_reads.set(True)
        return None
