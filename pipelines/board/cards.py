"""The board's cards, read as plain values: one row a card, no model instances.

A board page shows ~250 cards. Reading them as ``Lead`` instances with their
contact and assignee built ~750 model instances, and each card's three
timestamps went through Django's timestamptz loader, which is pure Python
(~5 µs a value); building and compiling the ORM query of five column walks
took ~5 ms more. Here a card is one row of plain values: its contact and
assignee joined, its idle-since and last-change instants as integer
microseconds, its soonest open task's id; the rotting days are the stages',
known already. The tasks themselves are one more query, only when a card
shown has one.

On PostgreSQL the columns' pages are one hand-written statement
(``walk_columns``): a ``LATERAL`` walk of the ``(stage, -updated_at)`` index
per stage, planned once however many columns there are. A search ranks its
matches instead, and other databases have no ``LATERAL``: those read the
leads an id queryset selects (``read_cards``).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, connections
from django.db.models import BigIntegerField, F, Func, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from leads.models import Lead, Task
from vchata.accounts.models import Organization, User

from .instants import decode_instant, encode_instant
from .staleness import idle_days, is_stale


class CardContact(NamedTuple):
    name: str
    company: str


class CardTask(NamedTuple):
    """A card's next open task: what ``leads.task_display`` reads of one."""

    title: str
    type: str
    due_at: datetime
    completed_at: None = None


@dataclass(frozen=True, slots=True)
class CardPerson:
    """An assignee as a card shows them, by ``User``'s own display rules."""

    name: str
    email: str

    __str__ = User.__str__
    initials = User.initials


@dataclass(slots=True)
class Card:
    pk: str
    stage_id: str
    value: Decimal | None
    source: str
    contact: CardContact
    assigned_to: CardPerson | None
    idle_days: int
    stale: bool
    updated_micros: int
    next_task_id: str | None
    next_task: CardTask | None = None

    @property
    def updated_at(self) -> datetime:
        return decode_instant(self.updated_micros)


class EpochMicros(Func):
    """An instant as integer microseconds since the epoch: PostgreSQL hands an integer over ~30× cheaper."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


def _micros(expression, vendor: str):
    # Elsewhere the instant itself, converted by ``_as_micros``.
    return EpochMicros(expression) if vendor == "postgresql" else expression


def _as_micros(value) -> int:
    return value if isinstance(value, int) else encode_instant(value)


COLUMNS = (
    "id",
    "stage_id",
    "value",
    "source",
    "status",
    "idle_since",
    "changed",
    "contact__name",
    "contact__company",
    "assigned_to_id",
    "assigned_to__name",
    "assigned_to__email",
    "next_task_id",
)


def read_cards(
    org: Organization, page_ids: QuerySet[Lead], *, rotting_days: dict[str, int], now: datetime
) -> list[Card]:
    """The cards of the leads ``page_ids`` selects, most recently changed first (``attach_tasks`` adds their tasks).

    ``rotting_days`` is each stage's (its own or else its pipeline's): what makes an idle card stale.
    """
    vendor = connections[page_ids.db].vendor
    soonest_open = (
        Task.objects.for_org(org).filter(lead=OuterRef("pk"), completed_at__isnull=True).order_by("due_at", "id")
    )
    rows = (
        Lead.objects.for_org(org)
        .filter(pk__in=page_ids)
        .annotate(
            idle_since=_micros(Coalesce(F("last_activity_at"), F("created_at")), vendor),
            changed=_micros(F("updated_at"), vendor),
            next_task_id=Subquery(soonest_open.values("pk")[:1]),
        )
        .values_list(*COLUMNS)
        .order_by("-updated_at", "-id")
    )
    return _cards(rows, rotting_days=rotting_days, now=now)


# Every stage's page, newest change first; ``{conditions}`` are the filters', on ``l``.
_WALK = """
SELECT l.id, l.stage_id, l.value, l.source, l.status,
       (EXTRACT(EPOCH FROM coalesce(l.last_activity_at, l.created_at)) * 1000000)::bigint,
       (EXTRACT(EPOCH FROM l.updated_at) * 1000000)::bigint,
       c.name, c.company, l.assigned_to_id, u.name, u.email,
       (SELECT t.id FROM leads_task AS t
        WHERE t.lead_id = l.id AND t.completed_at IS NULL AND t.organization_id = l.organization_id
        ORDER BY t.due_at, t.id LIMIT 1)
FROM pipelines_stage AS s
CROSS JOIN LATERAL (
    SELECT l.id, l.organization_id, l.stage_id, l.value, l.source, l.status, l.last_activity_at, l.created_at,
           l.updated_at, l.contact_id, l.assigned_to_id
    FROM leads_lead AS l
    WHERE l.stage_id = s.id{conditions}
    ORDER BY l.updated_at DESC, l.id DESC
    LIMIT %s
) AS l
JOIN leads_contact AS c ON c.id = l.contact_id
LEFT JOIN accounts_user AS u ON u.id = l.assigned_to_id
WHERE s.organization_id = %s AND s.id = ANY(%s) AND l.organization_id = s.organization_id
ORDER BY l.updated_at DESC, l.id DESC
"""


def walk_columns(
    org: Organization,
    stage_ids: list[str],
    conditions: list[tuple[str, list]],
    *,
    size: int,
    rotting_days: dict[str, int],
    now: datetime,
) -> list[Card]:
    """The first ``size`` cards of each stage that ``conditions`` (SQL on the lead ``l``, with params) keep.

    PostgreSQL only. The org is checked outside each walk, as ``_column_page`` explains.
    """
    sql = _WALK.format(conditions="".join(f" AND {condition}" for condition, _ in conditions))
    params = [value for _, values in conditions for value in values] + [size, org.pk, stage_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _cards(rows, rotting_days=rotting_days, now=now)


def _cards(rows, *, rotting_days: dict[str, int], now: datetime) -> list[Card]:
    """Cards from rows of ``COLUMNS``; the instants are microseconds or, off PostgreSQL, datetimes."""
    people: dict[str, CardPerson] = {}  # one per assignee, however many cards they hold
    cards = []
    for pk, stage_id, value, source, status, since, changed, name, company, user_id, user_name, email, task_id in rows:
        if user_id is not None and user_id not in people:
            people[user_id] = CardPerson(user_name, email)
        idle = idle_days(decode_instant(_as_micros(since)), now)
        cards.append(
            Card(
                pk=pk,
                stage_id=stage_id,
                value=value,
                source=source,
                contact=CardContact(name, company),
                assigned_to=people.get(user_id) if user_id is not None else None,
                idle_days=idle,
                stale=is_stale(
                    status=status,
                    idle_days=idle,
                    has_open_task=task_id is not None,
                    rotting_days=rotting_days[stage_id],
                ),
                updated_micros=_as_micros(changed),
                next_task_id=task_id,
            )
        )
    return cards


def attach_tasks(cards: Iterable[Card]) -> None:
    """Each card's next task, in one query by primary key, for the cards that have one (none: no query)."""
    waiting = [card for card in cards if card.next_task_id is not None]
    if not waiting:
        return
    tasks = {
        pk: CardTask(title, kind, due_at)
        for pk, title, kind, due_at in Task.objects.filter(pk__in=[card.next_task_id for card in waiting]).values_list(
            "pk", "title", "type", "due_at"
        )
    }
    for card in waiting:
        card.next_task = tasks.get(card.next_task_id)
