"""Who belongs to which organization: the one membership query of the API and the pages.

Every org request runs it, so its SQL is written once (from the models' own
columns, when first needed) rather than compiled by the ORM each time, which
cost more than the query itself. It still reads the primary on every request:
a membership removed a moment ago loses access on the very next request.
"""

import functools

from django.db import connections, router

from vchata.accounts.models import Membership, Organization, User
from vchata.exceptions import NotFound

ORG_NOT_FOUND = "Organization not found or you don't have access"

_JOINED = ((Membership, "m"), (Organization, "o"), (User, "u"))


@functools.cache
def _membership_sql() -> tuple[str, list[tuple[type, list[str], int, int]]]:
    """The query and, per model, its attribute names and the slice of the row holding them."""
    columns, layout = [], []
    for model, alias in _JOINED:
        fields = model._meta.concrete_fields
        layout.append((model, [f.attname for f in fields], len(columns), len(columns) + len(fields)))
        columns += [f"{alias}.{f.column}" for f in fields]
    m, o, u = (model._meta.db_table for model, _ in _JOINED)
    sql = (
        f"SELECT {', '.join(columns)} FROM {m} AS m "
        f"JOIN {o} AS o ON o.id = m.organization_id JOIN {u} AS u ON u.id = m.user_id "
        "WHERE m.user_id = %s AND m.organization_id = %s LIMIT 1"
    )
    return sql, layout


@functools.cache
def _converters(alias: str, model) -> list[tuple]:
    """Per column, what the ORM applies to what it reads (datetimes, JSON… as the backend returns them)."""
    connection = connections[alias]
    out = []
    for field in model._meta.concrete_fields:
        col = field.get_col(model._meta.db_table)
        out.append((col, connection.ops.get_db_converters(col) + field.get_db_converters(connection)))
    return out


def membership_of(user_id, org_id: str) -> Membership | None:
    """The user's membership of the org with the organization and the user, in one query; None if not a member."""
    if user_id is None:
        return None
    alias = router.db_for_read(Membership)
    connection = connections[alias]
    sql, layout = _membership_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, org_id])
        row = cursor.fetchone()
    if row is None:
        return None
    membership, organization, user = (
        model.from_db(alias, names, _converted(alias, connection, model, row[start:end]))
        for model, names, start, end in layout
    )
    Membership.organization.field.set_cached_value(membership, organization)
    Membership.user.field.set_cached_value(membership, user)
    return membership


def _converted(alias: str, connection, model, values) -> list:
    out = []
    for value, (col, converters) in zip(values, _converters(alias, model), strict=True):
        for convert in converters:
            value = convert(value, col, connection)
        out.append(value)
    return out


def org_for_member(user: User, org_id: str) -> Organization:
    return member_of(user, org_id).organization


def member_of(user: User, org_id: str) -> Membership:
    """The signed-in user's membership of the org, or ``NotFound`` (the same for "no such org" and "not yours")."""
    membership = membership_of(user.pk, org_id) if getattr(user, "is_authenticated", False) else None
    if membership is None:
        # Same answer for "no such org" and "not yours": ids must not be probed.
        raise NotFound(ORG_NOT_FOUND)
    return membership
