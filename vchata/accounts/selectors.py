"""Reads of the accounts app that are on every client's hot path."""

from django.db import connections, router

from .models import Membership, Organization, User

_ME_SQL = None


def _me_sql() -> str:
    u, m, o = User._meta.db_table, Membership._meta.db_table, Organization._meta.db_table
    return (
        "SELECT u.id, u.email, u.name, u.is_active, u.password, o.id, o.name, m.role, o.currency, "
        f"o.lead_visibility FROM {u} AS u LEFT JOIN {m} AS m ON m.user_id = u.id "
        f"LEFT JOIN {o} AS o ON o.id = m.organization_id WHERE u.id = %s ORDER BY o.name, o.id"
    )


def me_rows(user_id) -> list[tuple]:
    """The user (id, email, name, is_active, password) on every row, then one of their organizations
    (id, name, role, currency, lead visibility) by name; one row of NULL organization when they have none.
    """
    global _ME_SQL
    if _ME_SQL is None:
        _ME_SQL = _me_sql()
    with connections[router.db_for_read(User)].cursor() as cursor:
        cursor.execute(_ME_SQL, [user_id])
        return cursor.fetchall()
