"""The board page's floor: the same HTML as the app's, from hand-written SQL and plain objects.

The page is the product's templates filled with figures; any implementation
renders the same templates to give the same HTML, so the floor renders them
too, with what they read fetched in as few queries as it can (the column
figures in one, every column's cards in one, the filter choices, the
switcher) and held in plain objects, not model instances.

``same_page`` compares the two, masking only the per-request CSRF token.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

from django.template.loader import get_template

from pipelines.board.forms import BoardFilterForm
from pipelines.board.selectors import (
    CARDS_PER_PAGE,
    BoardFilters,
    decode_instant,
    encode_cursor,
    fingerprint_of,
    idle_days,
    is_stale,
)
from pipelines.board.views import POLL_SECONDS
from vchata.accounts.models import User
from vchata.tenancy.permissions import ROLES_ALLOWED, Action

from .floors import _rows

CSRF_MASK = "csrf-token"
_CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


class _Person(SimpleNamespace):
    """A user as the templates show one: the model's own display rules, none of its machinery."""

    __str__ = User.__str__
    initials = User.initials
    is_authenticated = True


# Counts, value totals and the weighted value's two sums from the per-stage lead rollup
# (analytics/rollup_sql.py: one row per column), as the app reads them unfiltered; the latest change is one index probe.
COLUMNS = """
SELECT s.id, s.name, s.probability, coalesce(t.lead_count, 0), coalesce(t.value_total, 0),
       coalesce(t.own_chance_value, 0), coalesce(t.stage_chance_value, 0),
       (SELECT max(l.updated_at) FROM leads_lead AS l WHERE l.stage_id = s.id)
FROM pipelines_stage AS s
LEFT JOIN analytics_stage_totals AS t
  ON t.organization_id = s.organization_id AND t.pipeline_id = s.pipeline_id AND t.stage_id = s.id
WHERE s.organization_id = %s AND s.pipeline_id = %s
ORDER BY s."order"
"""
# The old way: every column's figures summed over its leads.
LIVE_COLUMNS = """
SELECT s.id, s.name, s.probability,
       (SELECT count(*) FROM leads_lead AS l WHERE l.stage_id = s.id),
       (SELECT sum(l.value) FROM leads_lead AS l WHERE l.stage_id = s.id),
       (SELECT sum(l.value * l.probability) FROM leads_lead AS l WHERE l.stage_id = s.id),
       (SELECT sum(l.value) FILTER (WHERE l.probability IS NULL) FROM leads_lead AS l WHERE l.stage_id = s.id),
       (SELECT max(l.updated_at) FROM leads_lead AS l WHERE l.stage_id = s.id)
FROM pipelines_stage AS s
WHERE s.organization_id = %s AND s.pipeline_id = %s
ORDER BY s."order"
"""

# Every column's first page in one statement: per stage, a walk of the (stage, -updated_at) index that
# stops after the page; then the contact, assignee, rotting days (the stage's or else the pipeline's)
# and the soonest open task's id, for those rows only. Instants come as integer microseconds: a
# timestamptz costs ~5 µs a value in Django's (pure Python) loader, an integer next to nothing.
CARDS = """
SELECT l.stage_id, l.id, l.value, l.source, l.status,
       (EXTRACT(EPOCH FROM coalesce(l.last_activity_at, l.created_at)) * 1000000)::bigint,
       (EXTRACT(EPOCH FROM l.updated_at) * 1000000)::bigint,
       c.name, c.company, u.id, u.name, u.email,
       coalesce(s.rotting_days, p.rotting_days),
       (SELECT t.id FROM leads_task AS t WHERE t.lead_id = l.id AND t.completed_at IS NULL
        ORDER BY t.due_at, t.id LIMIT 1)
FROM pipelines_stage AS s JOIN pipelines_pipeline AS p ON p.id = s.pipeline_id
CROSS JOIN LATERAL (
    SELECT * FROM leads_lead AS l WHERE l.stage_id = s.id ORDER BY l.updated_at DESC, l.id DESC LIMIT %s
) AS l
JOIN leads_contact AS c ON c.id = l.contact_id
LEFT JOIN accounts_user AS u ON u.id = l.assigned_to_id
WHERE s.organization_id = %s AND s.pipeline_id = %s AND l.organization_id = s.organization_id
ORDER BY s."order", l.updated_at DESC, l.id DESC
"""

# The soonest open tasks of the cards shown, by id (asked only when a card has one).
NEXT_TASKS = (
    "SELECT t.id, t.title, t.type, t.due_at FROM leads_task AS t WHERE t.organization_id = %s AND t.id = ANY(%s)"
)

# The distinct sources, one index probe each (as the app's ``lead_sources``), for the source filter.
SOURCES = """
WITH RECURSIVE sources(source) AS (
    SELECT min(source) FROM leads_lead WHERE organization_id = %(org)s AND source > ''
    UNION ALL
    SELECT (SELECT min(source) FROM leads_lead WHERE organization_id = %(org)s AND source > sources.source)
    FROM sources WHERE sources.source IS NOT NULL
)
SELECT source FROM sources WHERE source IS NOT NULL LIMIT 100
"""


def board(org_id: str, pipeline_id: str, viewer_id: str, *, columns_sql: str = COLUMNS) -> bytes:
    """``GET /app/{org}/pipelines/{pipeline}/`` for ``viewer_id``, unfiltered, with CSRF_MASK as its token."""
    now = datetime.now(UTC)
    ((org_name, currency, viewer_name, viewer_email),) = _rows(
        "SELECT o.name, o.currency, u.name, u.email FROM accounts_organization AS o, accounts_user AS u "
        "WHERE o.id = %s AND u.id = %s",
        [org_id, viewer_id],
    )
    org = SimpleNamespace(pk=org_id, name=org_name, currency=currency)
    pipelines = _records(
        ("pk", "name", "is_default"),
        "SELECT id, name, is_default FROM pipelines_pipeline WHERE organization_id = %s ORDER BY is_default DESC, name",
        [org_id],
    )
    pipeline = next(p for p in pipelines if p.pk == pipeline_id)
    if _rows("SELECT count(*) FROM pipelines_rule WHERE organization_id = %s AND pipeline_id = %s",
             [org_id, pipeline_id])[0][0]:  # fmt: skip
        raise NotImplementedError("the board floor renders pipelines without rules (the benchmark's have none)")
    pages: dict[str, list[SimpleNamespace]] = {}
    people: dict[str, _Person] = {}
    for stage_id, *row in _rows(CARDS, [CARDS_PER_PAGE + 1, org_id, pipeline_id]):
        pages.setdefault(stage_id, []).append(_card(row, now, people))
    columns = []
    for stage_id, stage_name, probability, count, total, own, rest, last_change in _rows(
        columns_sql, [org_id, pipeline_id]
    ):
        cards = pages.get(stage_id, [])
        more = len(cards) > CARDS_PER_PAGE
        cards = cards[:CARDS_PER_PAGE]
        columns.append(
            SimpleNamespace(
                stage=SimpleNamespace(pk=stage_id, name=stage_name, probability=probability),
                lead_count=count,
                total_value=total or Decimal("0"),
                weighted_value=(((own or 0) + (rest or 0) * probability) / Decimal(100)).quantize(Decimal("0.01")),
                fingerprint=fingerprint_of(count, last_change),
                cards=cards,
                next_cursor=encode_cursor(cards[-1]) if more else None,
            )
        )
    _attach_next_tasks(org_id, [card for column in columns for card in column.cards])
    members = _records(
        ("pk", "name", "email"),
        "SELECT u.id, u.name, u.email FROM accounts_user AS u JOIN accounts_membership AS m ON m.user_id = u.id "
        "WHERE m.organization_id = %s ORDER BY u.name, u.email",
        [org_id],
    )
    viewer_memberships = _rows(
        "SELECT o.id, o.name, m.role FROM accounts_membership AS m JOIN accounts_organization AS o "
        "ON o.id = m.organization_id WHERE m.user_id = %s ORDER BY o.name",
        [viewer_id],
    )
    memberships = [
        SimpleNamespace(organization_id=pk, organization=SimpleNamespace(name=name))
        for pk, name, _ in viewer_memberships
    ]
    role = next(role for pk, _, role in viewer_memberships if pk == org_id)
    sources = [source for (source,) in _rows(SOURCES, {"org": org_id})]
    context = {
        "org": org,
        "pipeline": pipeline,
        "columns": columns,
        "stages": [column.stage for column in columns],
        "total_leads": sum(column.lead_count for column in columns),
        "total_value": sum((column.total_value for column in columns), Decimal("0")),
        "weighted_value": sum((column.weighted_value for column in columns), Decimal("0")),
        "filters": BoardFilters(),
        "filter_query": "",
        "pipelines": pipelines,
        "filter_form": BoardFilterForm(None, members=members, sources=sources),
        "rules": [],
        "poll_seconds": POLL_SECONDS,
        "memberships": memberships,
        # What the page may offer the viewer: the role table of the permission module, by role.
        "can": {action.value: role in ROLES_ALLOWED[action] for action in Action},
        "user": _Person(name=viewer_name, email=viewer_email),
        "messages": [],
        "csrf_token": CSRF_MASK,
        # The session-ended banner's "Sign in again" link comes back to this page.
        "request": SimpleNamespace(get_full_path=lambda: f"/app/{org_id}/pipelines/{pipeline_id}/"),
    }
    return get_template("pipelines/board.html").render(context).encode()


def _records(names: tuple[str, ...], sql: str, params) -> list[SimpleNamespace]:
    """The rows of ``sql`` as plain objects with these attribute names, in column order."""
    return [SimpleNamespace(**dict(zip(names, row, strict=True))) for row in _rows(sql, params)]


def _attach_next_tasks(org_id: str, cards: list[SimpleNamespace]) -> None:
    waiting = [card for card in cards if card.next_task_id]
    tasks = {
        task_id: SimpleNamespace(title=title, type=kind, due_at=due_at, completed_at=None)
        for task_id, title, kind, due_at in (
            _rows(NEXT_TASKS, [org_id, [card.next_task_id for card in waiting]]) if waiting else []
        )
    }
    for card in cards:
        card.next_task = tasks.get(card.next_task_id)


def _card(row, now: datetime, people: dict[str, _Person]) -> SimpleNamespace:
    (pk, value, source, status, idle_since, updated_micros, name, company,
     user_id, user_name, email, rotting_days, next_task_id) = row  # fmt: skip
    idle = idle_days(decode_instant(idle_since), now)
    if user_id and user_id not in people:
        people[user_id] = _Person(name=user_name, email=email)
    return SimpleNamespace(
        pk=pk,
        value=value,
        source=source,
        updated_at=decode_instant(updated_micros),
        contact=SimpleNamespace(name=name, company=company),
        assigned_to=people[user_id] if user_id else None,
        idle_days=idle,
        stale=is_stale(status=status, idle_days=idle, has_open_task=bool(next_task_id), rotting_days=rotting_days),
        next_task_id=next_task_id,
    )


def same_page(app_body: bytes, floor_body: bytes) -> bool:
    """The same HTML, but for the CSRF token (a new masked one per response)."""
    return _CSRF.sub(rb"\1" + CSRF_MASK.encode(), app_body) == _CSRF.sub(rb"\1" + CSRF_MASK.encode(), floor_body)
