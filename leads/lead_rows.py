"""Leads of the API's list and detail read as plain rows: one statement, no model instances.

``as_rows(queryset)`` keeps the queryset as it is (filters, ordering, slices,
``pk__in`` pages, counts) and changes only what iterating it yields: a
``LeadRow`` per lead, a named tuple carrying every attribute the lead output
serializers read (its contact, pipeline, stage, social account and post as
named tuples too), so the same serializers answer the same bytes. Building
~250 model instances a page of 50 cost more than the database's work.

The statement reads the page's lead rows in a subquery first (the queryset's
own SQL, one table) and joins the five relations to those rows only. Written
as one flat join, as ``select_related`` writes it, PostgreSQL spends ~3.4 ms
planning the join orders of six tables, ``leads_lead`` with 36 indexes, for
~0.5 ms of execution (a 50-lead page of one stage at 1M leads; the subquery
shape plans in ~1 ms and runs the same index walk).

PostgreSQL only (its rows need no conversion but JSON's); on another database,
and for an ordering that isn't plain columns and annotations, iterating falls
back to model instances, which the serializers shape the same way.
"""

import functools
import re
from collections import namedtuple

import orjson
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.query import BaseIterable, ModelIterable

from pipelines.models import LeadStatus, Pipeline, Stage
from vchata.tenancy.permissions import ALL_LEADS, LeadScope

from .models import Activity, Contact, ContentPost, Lead, SocialAccount

# The lead's own columns the output serializers read (``LeadSerializer``), by attribute name.
LEAD_FIELDS = (
    "id",
    "contact_id",
    "pipeline_id",
    "stage_id",
    "status",
    "source",
    "value",
    "notes",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "assigned_to_id",
    "campaign_id",
    "social_account_id",
    "content_post_id",
    "conversation_id",
    "converted_at",
    "title",
    "expected_close_date",
    "probability",
    "lost_reason_id",
    "custom_fields",
    "last_activity_at",
    "attribution",
    "created_at",
    "updated_at",
)
_JSON_FIELDS = frozenset({"custom_fields", "attribution"})

# Each relation: the lead's attribute, its model, the lead column it hangs on, its columns, left-joined or not.
_RELATIONS = (
    ("contact", Contact, "contact_id", ("id", "name", "email", "phone", "company", "created_at"), False),
    ("pipeline", Pipeline, "pipeline_id", ("id", "name"), False),
    ("stage", Stage, "stage_id", ("id", "name", "order"), False),
    (
        "social_account",
        SocialAccount,
        "social_account_id",
        ("id", "platform", "platform_id", "name", "created_at"),
        True,
    ),
    (
        "content_post",
        ContentPost,
        "content_post_id",
        ("id", "social_account_id", "platform_post_id", "content", "url", "created_at"),
        True,
    ),
)
_RELATED_ROWS = {name: namedtuple(f"{model.__name__}Row", columns) for name, model, _, columns, _ in _RELATIONS}


# An activity as ``ActivitySerializer`` reads it.
ActivityRow = namedtuple("ActivityRow", ("id", "lead_id", "type", "description", "metadata", "actor_id", "created_at"))


class LeadRow(namedtuple("LeadRow", [*LEAD_FIELDS, *(name for name, *_ in _RELATIONS), "recent_activities"])):
    """A lead as the output serializers read it: ``Lead``'s attributes, its relations as named tuples."""

    __slots__ = ()

    @property
    def pk(self) -> str:
        return self.id

    @property
    def converted(self) -> bool:
        return self.status == LeadStatus.CONVERTED


# 19 digits in a row may be an integer past 64 bits, which orjson reads as a float (json keeps it exact).
_LONG_NUMBER = re.compile(r"\d{19}")


def json_value(text):
    """A JSON column's value as ``JSONField`` decodes it: orjson, or ``json`` where the two could differ."""
    if text is None or not isinstance(text, str):
        return text
    if not _LONG_NUMBER.search(text):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:  # e.g. 1e400, which json reads as infinity
            pass
    return Lead._meta.get_field("custom_fields").from_db_value(text, None, None)


def _quoted(name: str) -> str:
    return connections["default"].ops.quote_name(name)


def _outer_select() -> tuple[str, str]:
    """The outer statement's select list and joins, around the page's lead rows aliased ``l``."""
    columns = [f"l.{_quoted(field)}" for field in LEAD_FIELDS]
    joins = []
    for i, (_, model, lead_column, related_columns, nullable) in enumerate(_RELATIONS):
        alias = f"r{i}"
        columns += [f"{alias}.{_quoted(model._meta.get_field(column).column)}" for column in related_columns]
        kind = "LEFT OUTER JOIN" if nullable else "INNER JOIN"
        joins.append(f"{kind} {_quoted(model._meta.db_table)} AS {alias} ON {alias}.id = l.{_quoted(lead_column)}")
    return ", ".join(columns), " ".join(joins)


_COLUMNS, _JOINS = _outer_select()
_NOT_PLAIN = object()
_ALL_COLUMNS = (frozenset(), True)  # a query's deferred_loading when it defers nothing


def _order_terms(queryset: QuerySet) -> list[tuple[str, bool, bool | None, bool | None]] | object:
    """The queryset's ordering as (name, descending, nulls_first, nulls_last); ``_NOT_PLAIN`` for anything else.

    A name is a lead column or an annotation: the subquery selects both, so the outer
    statement sorts its rows by them exactly as the subquery did.
    """
    query = queryset.query
    ordering = query.order_by or (Lead._meta.ordering if query.default_ordering else ())
    if query.extra_order_by or query.distinct or query.combinator or query.deferred_loading != _ALL_COLUMNS:
        return _NOT_PLAIN
    terms = []
    for item in ordering:
        if isinstance(item, str):
            name, descending, nulls_first, nulls_last = item.lstrip("-"), item.startswith("-"), None, None
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            name, descending = item.expression.name, item.descending
            nulls_first, nulls_last = item.nulls_first, item.nulls_last
        elif isinstance(item, F):
            name, descending, nulls_first, nulls_last = item.name, False, None, None
        else:
            return _NOT_PLAIN
        name = "id" if name == "pk" else name
        if name not in LEAD_FIELDS and name not in query.annotation_select:
            return _NOT_PLAIN
        terms.append((name, descending, nulls_first, nulls_last))
    return terms


def _order_by_sql(terms) -> str:
    parts = []
    for name, descending, nulls_first, nulls_last in terms:
        part = f"l.{_quoted(name)}{' DESC' if descending else ' ASC'}"
        if nulls_first:
            part += " NULLS FIRST"
        elif nulls_last:
            part += " NULLS LAST"
        parts.append(part)
    return f" ORDER BY {', '.join(parts)}" if parts else ""


class LeadRows(BaseIterable):
    """Iterates a lead queryset as ``LeadRow``s read by one statement (``as_rows``)."""

    def __iter__(self):
        queryset = self.queryset
        connection = connections[queryset.db]
        terms = _order_terms(queryset)
        if connection.vendor != "postgresql" or terms is _NOT_PLAIN:
            yield from ModelIterable(queryset, self.chunked_fetch, self.chunk_size)
            return
        # The lead's own columns (and its annotations): compiled without select_related's joins, and
        # without values_list's field resolution (a third of the compiling).
        page = queryset.select_related(None)
        try:
            inner, params = page.query.get_compiler(queryset.db).as_sql()
        except EmptyResultSet:
            return
        if page.query.low_mark == 0 and page.query.high_mark is None:
            inner += " OFFSET 0"  # else PostgreSQL pulls the subquery up into one flat join, and plans that
        sql = f"SELECT {_COLUMNS} FROM ({inner}) AS l {_JOINS}{_order_by_sql(terms)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        yield from map(_lead_row, rows)


_LEAD_WIDTH = len(LEAD_FIELDS)
_JSON_AT = tuple(i for i, field in enumerate(LEAD_FIELDS) if field in _JSON_FIELDS)
_SLICES = []
_at = _LEAD_WIDTH
for _name, _, _, _columns, _nullable in _RELATIONS:
    _SLICES.append((_RELATED_ROWS[_name], _at, _at + len(_columns), _nullable))
    _at += len(_columns)


def _lead_row(row: tuple) -> LeadRow:
    own = list(row[:_LEAD_WIDTH])
    for i in _JSON_AT:
        own[i] = json_value(own[i])
    related = [
        None if nullable and row[start] is None else kind._make(row[start:end])
        for kind, start, end, nullable in _SLICES
    ]
    return LeadRow(*own, *related, None)


# Stand-ins for a statement's parameters, compiled once (``_statement``) and given their values per request.
_ORG, _LEAD, _ASSIGNEE = "\x00org", "\x00lead", "\x00assignee"


def _statement(queryset: QuerySet) -> tuple[str, tuple[str, ...]]:
    """``queryset``'s SQL, and which stand-in each of its parameters is (any other parameter is a mistake here)."""
    sql, params = queryset.query.get_compiler(DEFAULT_DB_ALIAS).as_sql()
    if not set(params) <= {_ORG, _LEAD, _ASSIGNEE}:
        raise ValueError(f"a parameter that is no stand-in: {params}")
    return sql, tuple(params)


@functools.cache
def _detail_statements(restricted: bool) -> tuple[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]]:
    """The lead with its relations (as ``LeadRows`` reads it), and its newest activities: compiled once per scope kind.

    Compiling the two querysets was a third of the detail's own time, for the same SQL every request.
    """
    from .selectors import DETAIL_ACTIVITIES

    scope = LeadScope(assignee_id=_ASSIGNEE) if restricted else ALL_LEADS
    lead = Lead.objects.filter(organization_id=_ORG, pk=_LEAD).filter(scope.q()).order_by()[:1]
    inner, params = _statement(lead)
    activities = Activity.objects.filter(lead_id=_LEAD).order_by("-created_at", "-id").values_list(*ActivityRow._fields)
    return (f"SELECT {_COLUMNS} FROM ({inner}) AS l {_JOINS}", params), _statement(activities[:DETAIL_ACTIVITIES])


def lead_with_activities(*, org_id: str, lead_id: str, scope: LeadScope) -> LeadRow | None:
    """The lead of the org that ``scope`` sees, with its newest activities (``recent_activities``); None if none.

    Two statements compiled once; PostgreSQL only (``readable_here``).
    """
    values = {_ORG: org_id, _LEAD: lead_id, _ASSIGNEE: scope.assignee_id}
    (lead_sql, lead_params), (activities_sql, activity_params) = _detail_statements(scope.restricted)
    with connections[router.db_for_read(Lead)].cursor() as cursor:
        cursor.execute(lead_sql, [values[p] for p in lead_params])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(activities_sql, [values[p] for p in activity_params])
        activities = [_activity_row(activity) for activity in cursor.fetchall()]
    return _lead_row(row)._replace(recent_activities=activities)


_METADATA_AT = ActivityRow._fields.index("metadata")


def _activity_row(row: tuple) -> ActivityRow:
    values = list(row)
    values[_METADATA_AT] = json_value(values[_METADATA_AT])
    return ActivityRow._make(values)


def readable_here() -> bool:
    """Whether leads are read as rows on the database lead reads go to (PostgreSQL)."""
    return connections[router.db_for_read(Lead)].vendor == "postgresql"


def as_rows(queryset: QuerySet[Lead]) -> QuerySet[Lead]:
    """``queryset``, iterating as ``LeadRow``s (its clones too: filters, slices and pages keep it)."""
    clone = queryset.all()
    clone._iterable_class = LeadRows
    return clone
