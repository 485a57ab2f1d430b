"""Rows written in fewer SQL statements: the hot write paths pay one round trip per statement.

``insert_together`` writes the rows of several models in one statement (data-modifying CTEs:
``WITH w0 AS (INSERT …), w1 AS (INSERT …) INSERT …``); ``insert_new`` writes one row unless a
unique index already holds it (``ON CONFLICT DO NOTHING``), saying which, without the savepoint
an ``IntegrityError`` needs. The SQL is Django's own ``INSERT`` for each model (defaults,
``auto_now`` and prefixed ids applied as ``bulk_create`` does), so columns are never listed by
hand. Row triggers fire as for separate statements; post_save signals are not sent (as with
``bulk_create``): a caller whose model has receivers sends them (``saved``).

Only rows that no other row of the same statement depends on for a trigger belong together:
every part of one statement sees the database as it was before the statement, and the row
triggers of all its parts fire after all of it.

``NewRows`` may also carry one ``UPDATE`` (a move closing the lead's open stage visit): it is the
statement's main query and the inserts its ``WITH`` parts, and PostgreSQL runs the main query
before the ``WITH`` parts nothing reads, so the visit is closed before the new open one goes in
(a unique index holds one open visit per lead: the other order fails loudly, never silently).
"""

from functools import cache
from itertools import chain

from django.db import connections, router
from django.db.models import AutoField, Model, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.signals import post_save
from django.db.models.sql import InsertQuery, UpdateQuery

# The INSERT Django compiles for a shape of rows (model, fields, count, options), once it was seen to
# take its parameters field by field, row by row; None for a shape it doesn't (multi-row UNNEST).
_compiled_inserts: dict[tuple, str | None] = {}


def _param(value):
    """A parameter as compared (psycopg's JSON wrappers by what they wrap)."""
    return (type(value), getattr(value, "obj", value))


def _insert_sql(rows: list[Model], *, using: str, ignore_conflicts: bool = False, returning: bool = False):
    """Django's own INSERT of ``rows``: compiled the first time a shape is seen, then reused with the
    parameters made as its compiler makes them (``pre_save``, then ``get_db_prep_save``, per field)."""
    model = type(rows[0])
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.generated]
    if any(row.pk is None for row in rows):  # a database-made id (StageVisit): left to the database
        fields = [f for f in fields if not isinstance(f, AutoField)]
    connection = connections[using]
    shape = (model, tuple(f.attname for f in fields), len(rows), ignore_conflicts, returning, using)
    sql = _compiled_inserts.get(shape)
    if sql is not None:
        params = tuple(f.get_db_prep_save(f.pre_save(row, add=True), connection) for row in rows for f in fields)
        if not any(hasattr(value, "resolve_expression") for value in params):
            return sql, params
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE if ignore_conflicts else None)
    query.insert_values(fields, rows)
    compiler = query.get_compiler(using=using)
    if returning:
        compiler.returning_fields = [opts.pk]
    [(sql, params)] = compiler.as_sql()
    params = tuple(params)
    if shape not in _compiled_inserts:
        # Reused only if the parameters made field by field are the compiler's (values pre_save set kept).
        ours = tuple(f.get_db_prep_save(getattr(row, f.attname), connection) for row in rows for f in fields)
        same = len(ours) == len(params) and all(_param(a) == _param(b) for a, b in zip(ours, params, strict=True))
        _compiled_inserts[shape] = sql if same else None
    return sql, params


def _written(rows: list[Model], using: str) -> None:
    for row in rows:
        row._state.adding = False
        row._state.db = using


def _update_sql(queryset: QuerySet, values: dict, using: str):
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(values)
    sql, params = query.get_compiler(using=using).as_sql()
    return sql, tuple(params)


def insert_together(*groups: list[Model], update: tuple[QuerySet, dict] | None = None) -> None:
    """Insert every row of ``groups`` (each a list of one model's new instances) in one statement,
    run after ``update`` (``(queryset, {field: value})``) when one is given."""
    groups = tuple(group for group in groups if group)
    if not groups and update is None:
        return
    using = router.db_for_write(type(groups[0][0]) if groups else update[0].model)
    parts = [_insert_sql(group, using=using) for group in groups]
    if update is not None:
        parts.append(_update_sql(*update, using=using))  # the main query: it runs first
    if connections[using].vendor != "postgresql":  # no INSERT inside WITH (SQLite): one statement each
        with connections[using].cursor() as cursor:
            for sql, params in [*parts[len(groups) :], *parts[: len(groups)]]:  # the update first
                cursor.execute(sql, params)
        for group in groups:
            _written(group, using)
        return
    *first, (last_sql, last_params) = parts
    sql = last_sql
    if first:
        sql = "WITH " + ", ".join(f"w{i} AS ({part})" for i, (part, _) in enumerate(first)) + " " + last_sql
    params = tuple(chain.from_iterable(part_params for _, part_params in first)) + last_params
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
    for group in groups:
        _written(group, using)


class NewRows:
    """The rows a service call adds, kept until ``write`` inserts them all in one statement."""

    def __init__(self):
        self._groups: dict[type[Model], list[Model]] = {}
        self._update: tuple[QuerySet, dict] | None = None

    def add(self, row: Model | None) -> None:
        """Keep ``row`` for ``write`` (None, e.g. a change record of no change, is nothing to write)."""
        if row is not None:
            self._groups.setdefault(type(row), []).append(row)

    def update(self, queryset: QuerySet, **values) -> None:
        """``queryset.update(**values)`` in ``write``'s statement, before its inserts (one a call)."""
        if self._update is not None:
            raise ValueError("NewRows carries one UPDATE")
        self._update = (queryset, values)

    def write(self) -> None:
        insert_together(*self._groups.values(), update=self._update)
        self._groups = {}
        self._update = None


def insert_new(row: Model) -> bool:
    """Insert ``row`` (its id set), or nothing when a unique index already holds one like it: whether it did."""
    using = router.db_for_write(type(row))
    sql, params = _insert_sql([row], using=using, ignore_conflicts=True, returning=True)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        inserted = cursor.fetchone() is not None
    if inserted:
        _written([row], using)
    return inserted


def insert_new_reading(row: Model, read_sql: str, read_params) -> tuple[bool, object]:
    """``insert_new``, reading one value in the same statement: ``(inserted, value)``.

    ``read_sql`` is a one-value ``SELECT``; it sees the database as it was before the insert.
    """
    using = router.db_for_write(type(row))
    sql, params = _insert_sql([row], using=using, ignore_conflicts=True, returning=True)
    with connections[using].cursor() as cursor:
        sql = f"WITH new AS ({sql}) SELECT EXISTS (SELECT FROM new), ({read_sql})"
        cursor.execute(sql, params + tuple(read_params))
        inserted, value = cursor.fetchone()
    if inserted:
        _written([row], using)
    return inserted, value


def saved(row: Model, *, created: bool, update_fields=None) -> None:
    """Send ``post_save`` for a row written by this module (or a queryset's ``update`` of its fields),
    as ``save()`` would have."""
    post_save.send(
        sender=type(row),
        instance=row,
        created=created,
        update_fields=frozenset(update_fields) if update_fields is not None else None,
        raw=False,
        using=row._state.db or router.db_for_write(type(row)),
    )


@cache
def _update_fields_sql(model: type[Model], names: tuple[str, ...]) -> str:
    opts = model._meta
    columns = ", ".join(f'"{opts.get_field(name).column}" = %s' for name in names)
    return f'UPDATE "{opts.db_table}" SET {columns} WHERE "{opts.pk.column}" = %s'


def update_fields(row: Model, names: tuple[str, ...]) -> None:
    """Write these fields of ``row`` as they are (no ``auto_now``: set it), and send ``post_save`` naming
    them, as ``save(update_fields=names)`` would: by a statement built once, not compiled every time."""
    using = row._state.db or router.db_for_write(type(row))
    connection = connections[using]
    opts = row._meta
    params = [opts.get_field(name).get_db_prep_save(getattr(row, name), connection) for name in names]
    with connection.cursor() as cursor:
        cursor.execute(_update_fields_sql(type(row), names), [*params, row.pk])
    saved(row, created=False, update_fields=names)
