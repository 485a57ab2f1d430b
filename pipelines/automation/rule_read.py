"""The rules an event wakes, read by hand-written SQL: every lead write reads them, and usually finds none.

The same rows as ``Rule.objects.for_org(org).filter(<listening>, pipeline_id=…, is_active=True)
.select_related("action_user").prefetch_related("condition_stages").order_by("order", "created_at")``,
in as many statements (the stages' prefetch only when a rule is found), without compiling that query
on every write.
"""

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import prefetch_related_objects

from vchata.raw_joins import aliased_columns, joined_instance

from .models import Rule


@cache
def _select() -> str:
    rule_columns = ", ".join(f'r."{field.column}"' for field in Rule._meta.concrete_fields)
    user_columns = aliased_columns(get_user_model(), "u")
    users = get_user_model()._meta.db_table
    return (
        f"SELECT {rule_columns}, {user_columns} FROM {Rule._meta.db_table} AS r "
        f"LEFT JOIN {users} AS u ON u.id = r.action_user_id "
        "WHERE r.organization_id = %s AND r.pipeline_id = %s AND r.is_active"
    )


def _listening(values: Mapping[str, Any]) -> tuple[str, list]:
    tests, params = [], []
    for name, value in values.items():
        column = Rule._meta.get_field(name).column
        if value is None:
            tests.append(f'r."{column}" IS NULL')
        else:
            tests.append(f'r."{column}" = %s')
            params.append(value)
    return " AND ".join(tests), params


def active_rules(
    org_id: str, pipeline_id: str, listening: Iterable[Mapping[str, Any]], exclude: Iterable[str] = ()
) -> list[Rule]:
    """The active rules of the pipeline whose trigger is one of ``listening`` (``{field: value}`` each),
    but ``exclude``'s, in order; with their action's user and their condition stages."""
    sql, params = _select(), [org_id, pipeline_id]
    parts = [_listening(values) for values in listening]
    sql += " AND (" + " OR ".join(f"({part})" for part, _ in parts) + ")"
    for _, part_params in parts:
        params += part_params
    excluded = list(exclude)
    if excluded:
        sql += " AND NOT (r.id = ANY(%s))"
        params.append(excluded)
    sql += ' ORDER BY r."order" ASC, r.created_at ASC'
    rules = list(Rule.objects.raw(sql, params))
    if not rules:
        return rules
    user_model = get_user_model()
    for rule in rules:
        Rule.action_user.field.set_cached_value(rule, joined_instance(rule, user_model, "u"))
    prefetch_related_objects(rules, "condition_stages")
    return rules
