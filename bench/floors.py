"""Floors: the same answers written by hand, as plain SQL on the same connection plus ``orjson``.

Each function returns the bytes of the app's answer to the same request
(same rows, same figures, same envelope; the board page's same HTML), so the
benchmark can check the two agree before it compares their times. No
framework, no ORM, no serializer: what is left is the database work and the
encoding, the least any implementation must spend.

A floor reads what the app reads where that is less work than recomputing it:
a list total the app serves from the shared cache is read from the same cache
entry here (``cached_total``), and the board poll reads the same cached column
fingerprints; the cases where the app has to compute (right after a write)
compute here too. Where the app's plan is not the least work (search: one
index scan for the total and another for the page), the floor is not
written the app's way (``lead_search``: one scan for both).
"""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import orjson
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from leads.counting import lead_changes, lead_counts
from leads.search import like_pattern
from leads.serializers.leads import ATTRIBUTION_KEYS
from pipelines.board.selectors import fingerprint_of
from vchata.counts import CountCache
from vchata.ids import new_id
from vchata.pagination import KeysetOrder, encode_cursor
from vchata.resilience.models import MissedInvalidation

DUMP = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS
DEFERRED_JOIN_OFFSET = 1000
# The list's default ordering; its cursors are signed by the app's own encoder so the answers compare equal.
NEWEST_FIRST = KeysetOrder(param="-createdAt", field="created_at", descending=True)


def dumps(payload) -> bytes:
    return orjson.dumps(payload, option=DUMP)


def _json(value) -> str:
    return orjson.dumps(value).decode()


def _rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _rate(part: int, whole: int) -> float:
    if not whole:
        return 0.0
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _money(amount) -> float:
    return float(Decimal(amount or 0).quantize(Decimal("0.01"), ROUND_HALF_UP))


def _average(total, count: int) -> float:
    return float((Decimal(total) / count).quantize(Decimal("0.01"), ROUND_HALF_UP)) if count and total else 0.0


def _days(seconds) -> float:
    if seconds is None:
        return 0.0
    return float((Decimal(seconds) / 86400).quantize(Decimal("0.1"), ROUND_HALF_UP))


# --- leads ------------------------------------------------------------------------

LEAD_COLUMNS = """
l.id, l.contact_id, l.pipeline_id, l.stage_id, l.source, l.value, l.status, l.assigned_to_id, l.notes,
l.utm_source, l.utm_medium, l.utm_campaign, l.utm_term, l.utm_content, l.campaign_id, l.social_account_id,
l.content_post_id, l.conversation_id, l.converted_at, l.custom_fields, l.last_activity_at, l.created_at, l.updated_at,
c.id, c.name, c.email, c.phone, c.company, c.created_at,
p.id, p.name, s.id, s.name, s."order",
sa.id, sa.platform, sa.platform_id, sa.name, sa.created_at,
cp.id, cp.social_account_id, cp.platform_post_id, cp.content, cp.url, cp.created_at,
l.attribution, l.lost_reason_id, l.title, l.expected_close_date, l.probability
"""
LEAD_JOINS = """
JOIN leads_contact AS c ON c.id = l.contact_id
JOIN pipelines_pipeline AS p ON p.id = l.pipeline_id
JOIN pipelines_stage AS s ON s.id = l.stage_id
LEFT JOIN leads_socialaccount AS sa ON sa.id = l.social_account_id
LEFT JOIN leads_contentpost AS cp ON cp.id = l.content_post_id
"""


def _joined(lead_rows: str) -> str:
    """``LEAD_COLUMNS`` of the leads ``lead_rows`` selects, read first (a subquery), then joined to their relations.

    Written as one flat join of the six tables, PostgreSQL spends ~3.4 ms planning it (``leads_lead`` has 36
    indexes) for ~0.5 ms of execution; the subquery (kept one: a LIMIT or OFFSET) plans in ~1 ms.
    """
    return f"SELECT {LEAD_COLUMNS} FROM ({lead_rows}) AS l {LEAD_JOINS} "


def _lead(row) -> dict:
    return {
        "id": row[0],
        "contactId": row[1],
        "pipelineId": row[2],
        "stageId": row[3],
        "source": row[4],
        "value": _number(row[5]),
        "status": row[6],
        "assignedToId": row[7],
        "notes": row[8] or None,
        "utmSource": row[9],
        "utmMedium": row[10],
        "utmCampaign": row[11],
        "utmTerm": row[12],
        "utmContent": row[13],
        "campaignId": row[14],
        "socialAccountId": row[15],
        "contentPostId": row[16],
        "conversationId": row[17],
        "converted": row[6] == "CONVERTED",
        "convertedAt": row[18],
        "lostReasonId": row[46],
        "title": row[47],
        "expectedCloseDate": row[48],
        "probability": row[49],
        "customFields": row[19] if isinstance(row[19], dict) else orjson.loads(row[19]),
        "lastActivityAt": row[20],
        "attribution": _attribution(row[45]),
        "createdAt": row[21],
        "updatedAt": row[22],
    }


def _attribution(stored) -> dict:
    stored = stored if isinstance(stored, dict) else orjson.loads(stored or "{}")
    return {key: stored.get(key) for key in ATTRIBUTION_KEYS}


def _contact(row, at: int = 23) -> dict:
    return {
        "id": row[at],
        "name": row[at + 1],
        "email": row[at + 2] or None,
        "phone": row[at + 3] or None,
        "company": row[at + 4] or None,
        "createdAt": row[at + 5],
    }


def _social(row) -> tuple[dict | None, dict | None]:
    account = (
        {"id": row[34], "platform": row[35], "platformId": row[36], "name": row[37], "createdAt": row[38]}
        if row[34]
        else None
    )
    post = (
        {
            "id": row[39],
            "socialAccountId": row[40],
            "platformPostId": row[41],
            "content": row[42] or None,
            "url": row[43] or None,
            "createdAt": row[44],
        }
        if row[39]
        else None
    )
    return account, post


def _kept(generations: CountCache, org_id: str, key: str):
    """What the app keeps under ``key`` in the shared cache for the org's current generation, else None.

    ``vchata.counts``: the entry carries the generation it was computed under;
    both keys come in one round trip, as the app reads them, and a hit is
    served only if the database holds no invalidation the cache missed (one
    indexed query, as the app makes).
    """
    if not settings.LEAD_COUNT_CACHE:
        return None
    generation_key = generations.generation_key(org_id)
    found = cache.get_many([generation_key, key])
    generation, entry = found.get(generation_key), found.get(key)
    if generation is None or entry is None or entry[0] != generation:
        return None
    missed = _rows(
        f"SELECT id FROM {MissedInvalidation._meta.db_table} WHERE namespace = %s AND scope_id = %s",
        [generations.namespace, org_id],
    )
    return None if missed else entry[1]


def lead_list(
    org_id: str,
    *,
    page: int = 1,
    limit: int = 50,
    stage_id: str | None = None,
    after: tuple[datetime, str, int] | None = None,
    cache_total: bool = True,
) -> bytes:
    """A page by ``page`` (OFFSET), or by ``after`` = (created_at, id, rows before) of the previous page's last row.

    The total is the app's cached one when it has one (``cache_total``), else a COUNT.
    LIMIT and OFFSET are written into the SQL, as the ORM writes them: as parameters PostgreSQL
    can't keep a generic plan of the prepared statement (it guesses a tenth of the table for
    ``LIMIT $2``), so it planned the statement on every run.
    """
    where, params = ["l.organization_id = %s"], [org_id]
    filters = []
    if stage_id:
        where.append("l.stage_id = %s")
        params.append(stage_id)
        filters.append(("stageId", [stage_id]))
    condition = " AND ".join(where)
    total = _kept(lead_counts, org_id, lead_counts.count_key(org_id, filters)) if cache_total else None
    if total is None:
        total = _rows(f"SELECT count(*) FROM leads_lead AS l WHERE {condition}", params)[0][0]
    order = "ORDER BY l.created_at DESC, l.id DESC"
    if after is not None:
        # Keyset: the index range after the previous page's last row, one row more to know if a page follows.
        created_at, last_id, offset = after
        page = offset // limit + 1
        rows = _rows(
            _joined(
                f"SELECT * FROM leads_lead AS l WHERE {condition} AND (l.created_at, l.id) < (%s, %s) {order} "
                f"LIMIT {limit + 1:d}"
            )
            + order,
            [*params, created_at, last_id],
        )
    else:
        offset = (page - 1) * limit
        if offset >= total:
            rows = []
        elif offset >= DEFERRED_JOIN_OFFSET:
            # Deep pages: skip index entries (an index-only walk), then read and join only the page's rows.
            rows = _rows(
                _joined(
                    "SELECT * FROM leads_lead WHERE id IN ("
                    f"SELECT l.id FROM leads_lead AS l WHERE {condition} {order} "
                    f"LIMIT {limit + 1:d} OFFSET {offset:d}) OFFSET 0"
                )
                + order,
                params,
            )
        else:
            rows = _rows(
                _joined(
                    f"SELECT * FROM leads_lead AS l WHERE {condition} {order} LIMIT {limit + 1:d} OFFSET {offset:d}"
                )
                + order,
                params,
            )
    return _list_page(rows, total=total, page=page, limit=limit, offset=offset)


def lead_search(org_id: str, text: str, *, limit: int = 50) -> bytes:
    """The first page of a search and its exact total from one scan of the search index.

    The matches (a few thousand at most for a name, an email or a company) are
    read once into a CTE; the total counts them and the page joins only its own
    rows. The app reads the same index twice, once per query of its paginator.
    """
    rows = _rows(
        f"""
        WITH matches AS MATERIALIZED (
            SELECT id, created_at FROM leads_lead WHERE organization_id = %s AND search_text LIKE lower(%s)
        ), page AS (
            SELECT id FROM matches ORDER BY created_at DESC, id DESC LIMIT %s
        )
        SELECT (SELECT count(*) FROM matches), {LEAD_COLUMNS}
        FROM page JOIN leads_lead AS l ON l.id = page.id {LEAD_JOINS}
        ORDER BY l.created_at DESC, l.id DESC
        """,
        [org_id, like_pattern(text), limit + 1],
    )
    total = rows[0][0] if rows else 0
    return _list_page([row[1:] for row in rows], total=total, page=1, limit=limit, offset=0)


def lead_search_the_old_way(org_id: str, text: str, *, limit: int = 50) -> bytes:
    """The search as the app ran it before the search index (migration 0003's shape): the live-SQL column.

    A count and a page over ``id IN (UNION of the contacts' and the notes' trigram matches)``.
    """
    pattern = f"%{text.upper()}%"
    matches = """l.organization_id = %s AND l.id IN (
        SELECT m.id FROM leads_lead AS m JOIN leads_contact AS mc ON mc.id = m.contact_id
        WHERE m.organization_id = %s AND mc.organization_id = %s
          AND (upper(mc.name) LIKE %s OR upper(mc.email) LIKE %s OR upper(mc.company) LIKE %s)
        UNION
        SELECT n.id FROM leads_lead AS n WHERE n.organization_id = %s AND upper(n.notes) LIKE %s)"""
    params = [org_id, org_id, org_id, pattern, pattern, pattern, org_id, pattern]
    total = _rows(f"SELECT count(*) FROM leads_lead AS l WHERE {matches}", params)[0][0]
    rows = _rows(
        f"SELECT {LEAD_COLUMNS} FROM leads_lead AS l {LEAD_JOINS} WHERE {matches} "
        "ORDER BY l.created_at DESC, l.id DESC LIMIT %s",
        [*params, limit + 1],
    )
    return _list_page(rows, total=total, page=1, limit=limit, offset=0)


def _list_page(rows: list[tuple], *, total: int, page: int, limit: int, offset: int) -> bytes:
    has_more, rows = len(rows) > limit, rows[:limit]
    leads = []
    for row in rows:
        lead = _lead(row)
        account, post = _social(row)
        lead |= {
            "contact": _contact(row),
            "pipeline": {
                "id": row[29],
                "name": row[30],
                "stages": [{"id": row[31], "name": row[32], "order": row[33]}],
            },
            "socialAccount": account,
            "contentPost": post,
        }
        leads.append(lead)
    next_cursor = None
    if has_more:
        last = SimpleNamespace(created_at=rows[-1][21], pk=rows[-1][0])
        next_cursor = encode_cursor(NEWEST_FIRST, last, offset + len(rows))
    pagination = {"total": total, "page": page, "limit": limit, "hasMore": has_more, "nextCursor": next_cursor}
    return dumps({"success": True, "leads": leads, "pagination": pagination, "message": "Leads retrieved successfully"})


def lead_detail(org_id: str, lead_id: str, activities: int = 100) -> bytes:
    one = _joined("SELECT * FROM leads_lead WHERE organization_id = %s AND id = %s LIMIT 1")
    row = _rows(one, [org_id, lead_id])[0]
    lead = _lead(row)
    account, post = _social(row)
    recent = _rows(
        "SELECT id, lead_id, type, description, metadata, actor_id, created_at FROM leads_activity "
        "WHERE lead_id = %s ORDER BY created_at DESC, id DESC LIMIT %s",
        [lead_id, activities],
    )
    lead |= {
        "contact": _contact(row),
        "pipeline": {"id": row[29], "name": row[30]},
        "stage": {"id": row[31], "name": row[32], "order": row[33]},
        "socialAccount": account,
        "contentPost": post,
        "activities": [
            {
                "id": a[0],
                "leadId": a[1],
                "type": a[2],
                "description": a[3],
                "metadata": a[4] if isinstance(a[4], dict) else orjson.loads(a[4]),
                "actorId": a[5],
                "createdAt": a[6],
            }
            for a in recent
        ],
    }
    return dumps({"success": True, "lead": lead, "message": "Lead retrieved successfully"})


CHANGE_INSERT = (
    "INSERT INTO leads_leadchange (id, organization_id, created_at, updated_at, lead_id, created, actor_kind, "
    "actor_user_id, actor_rule_id, actor_api_key_id, actor_name, changes, note) "
    "VALUES (%s, %s, %s, %s, %s, %s, 'USER', %s, '', '', 'Bench owner', %s, '')"
)
OUTBOX_INSERT = (
    "INSERT INTO integrations_outboxevent (id, organization_id, created_at, updated_at, type, data) "
    "VALUES (%s, %s, %s, %s, %s, %s)"
)


def _record(cursor, org_id: str, actor_id: str, lead_id: str, now, *, created: bool, changes: dict, event: str, data):
    """The writes every lead change also makes: its change record and its webhook outbox event."""
    cursor.execute(CHANGE_INSERT, [new_id("change"), org_id, now, now, lead_id, created, actor_id, _json(changes)])
    cursor.execute(OUTBOX_INSERT, [new_id("evt"), org_id, now, now, event, _json({"actorId": actor_id, **data})])


def move_stage(org_id: str, actor_id: str, lead_id: str, stage_id: str) -> bytes:
    """Lock, close the open visit, open the new one, log the move (and the status change), save, record
    the change and its outbox event: the app's writes, one statement each."""
    now = datetime.now(UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.stage_id, l.status, l.pipeline_id, s.name FROM leads_lead AS l "
            "JOIN pipelines_stage AS s ON s.id = l.stage_id WHERE l.organization_id = %s AND l.id = %s FOR UPDATE",
            [org_id, lead_id],
        )
        current_stage, status, pipeline_id, current_name = cursor.fetchone()
        cursor.execute(
            "SELECT name, status FROM pipelines_stage WHERE organization_id = %s AND pipeline_id = %s AND id = %s",
            [org_id, pipeline_id, stage_id],
        )
        name, new_status = cursor.fetchone()
        cursor.execute(
            "UPDATE leads_stagevisit SET left_at = %s WHERE lead_id = %s AND left_at IS NULL", [now, lead_id]
        )
        cursor.execute(
            "INSERT INTO leads_stagevisit (organization_id, lead_id, stage_id, entered_at) VALUES (%s, %s, %s, %s)",
            [org_id, lead_id, stage_id, now],
        )
        activities = [
            (
                "STAGE_CHANGED",
                f"Moved from {current_name} to {name}",
                {"fromStageId": current_stage, "toStageId": stage_id, "notes": ""},
            )
        ]
        if new_status and new_status != status:
            activities.append(
                ("STATUS_CHANGED", f"Status changed from {status} to {new_status}", {"from": status, "to": new_status})
            )
            status = new_status
        cursor.executemany(
            "INSERT INTO leads_activity (id, organization_id, created_at, updated_at, lead_id, type, description, "
            "metadata, actor_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (new_id("activity"), org_id, now, now, lead_id, kind, text, orjson.dumps(meta).decode(), actor_id)
                for kind, text, meta in activities
            ],
        )
        previous_status = activities[-1][2]["from"] if len(activities) > 1 else status
        cursor.execute(
            "UPDATE leads_lead SET stage_id = %s, status = %s, "
            "converted_at = CASE WHEN %s = 'CONVERTED' THEN %s END, last_activity_at = %s, updated_at = %s "
            "WHERE id = %s",
            [stage_id, status, status, now, now, now, lead_id],
        )
        changes = {"stageId": [current_stage, stage_id]}
        if previous_status != status:
            changes["status"] = [previous_status, status]
        lead = {"id": lead_id, "pipelineId": pipeline_id, "stageId": stage_id, "status": status, "updatedAt": now}
        stage = {"id": stage_id, "name": name}
        _record(cursor, org_id, actor_id, lead_id, now, created=False, changes=changes, event="lead.stage_changed",
                data={"lead": lead, "stage": stage})  # fmt: skip
    return dumps(
        {
            "success": True,
            "lead": {"id": lead_id, "stageId": stage_id, "status": status, "updatedAt": now},
            "message": "Lead moved to new stage successfully",
        }
    )


def create_with_contact(org_id: str, actor_id: str, pipeline_id: str, contact: dict, source: str, value) -> bytes:
    now = datetime.now(UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM leads_contact WHERE organization_id = %s AND email <> '' AND lower(email) = lower(%s)",
            [org_id, contact["email"]],
        )
        found = cursor.fetchone()
        contact_id = found[0] if found else new_id("contact")
        if not found:
            cursor.execute(
                "INSERT INTO leads_contact (id, organization_id, created_at, updated_at, name, email, phone, company) "
                "VALUES (%s, %s, %s, %s, %s, %s, '', %s)",
                [contact_id, org_id, now, now, contact["name"], contact["email"], contact.get("company", "")],
            )
        cursor.execute(
            'SELECT id, status FROM pipelines_stage WHERE organization_id = %s AND pipeline_id = %s ORDER BY "order" '
            "LIMIT 1",
            [org_id, pipeline_id],
        )
        stage_id, stage_status = cursor.fetchone()
        status = stage_status or "NEW"
        lead_id = new_id("lead")
        cursor.execute(
            "INSERT INTO leads_lead (id, organization_id, created_at, updated_at, contact_id, pipeline_id, stage_id, "
            "status, source, value, notes, custom_fields, last_activity_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', '{}', %s)",
            [lead_id, org_id, now, now, contact_id, pipeline_id, stage_id, status, source, value, now],
        )
        cursor.execute(
            "INSERT INTO leads_stagevisit (organization_id, lead_id, stage_id, entered_at) VALUES (%s, %s, %s, %s)",
            [org_id, lead_id, stage_id, now],
        )
        cursor.execute(
            "INSERT INTO leads_activity (id, organization_id, created_at, updated_at, lead_id, type, description, "
            "metadata, actor_id) VALUES (%s, %s, %s, %s, %s, 'CREATED', 'Lead created', %s, %s)",
            [new_id("activity"), org_id, now, now, lead_id, _json({"stageId": stage_id, "source": source}), actor_id],
        )
        initial = {"contactId": [None, contact_id], "pipelineId": [None, pipeline_id], "stageId": [None, stage_id],
                   "status": [None, status], "source": [None, source], "value": [None, value]}  # fmt: skip
        made = {"id": lead_id, "contactId": contact_id, "pipelineId": pipeline_id, "stageId": stage_id,
                "status": status, "source": source, "value": value, "createdAt": now}  # fmt: skip
        _record(cursor, org_id, actor_id, lead_id, now, created=True, changes=initial, event="lead.created",
                data={"lead": made})  # fmt: skip
    lead = {
        "id": lead_id,
        "contactId": contact_id,
        "pipelineId": pipeline_id,
        "stageId": stage_id,
        "source": source,
        "value": _number(Decimal(str(value))),
        "status": status,
        "assignedToId": None,
        "notes": None,
        "utmSource": None,
        "utmMedium": None,
        "utmCampaign": None,
        "utmTerm": None,
        "utmContent": None,
        "campaignId": None,
        "socialAccountId": None,
        "contentPostId": None,
        "conversationId": None,
        "converted": False,
        "convertedAt": None,
        "lostReasonId": None,
        "title": None,
        "expectedCloseDate": None,
        "probability": None,
        "customFields": {},
        "lastActivityAt": now,
        "attribution": _attribution({}),
        "createdAt": now,
        "updatedAt": now,
    }
    contact_json = {
        "id": contact_id,
        "name": contact["name"],
        "email": contact["email"],
        "phone": None,
        "company": contact.get("company") or None,
        "createdAt": now,
    }
    return dumps(
        {"success": True, "lead": lead, "contact": contact_json, "message": "Lead and contact created successfully"}
    )


# --- analytics --------------------------------------------------------------------

FIGURES = "count(*), count(*) FILTER (WHERE status = 'CONVERTED'), sum(value), count(value)"


def _figures(count: int, converted: int, total, valued: int) -> dict:
    return {
        "conversionRate": _rate(converted, count),
        "averageValue": _average(total, valued),
        "totalValue": _money(total),
    }


def stats(org_id: str) -> bytes:
    row = _rows(
        f"SELECT {FIGURES}, count(*) FILTER (WHERE status = 'NEW'), count(*) FILTER (WHERE status = 'QUALIFIED'), "
        "count(*) FILTER (WHERE status = 'CONTACTED'), count(*) FILTER (WHERE status = 'LOST') "
        "FROM leads_lead WHERE organization_id = %s",
        [org_id],
    )[0]
    figures = _figures(*row[:4])
    body = {
        "totalLeads": row[0],
        "newLeads": row[4],
        "qualifiedLeads": row[5],
        "contactedLeads": row[6],
        "convertedLeads": row[1],
        "lostLeads": row[7],
        **figures,
    }
    return dumps({"success": True, "stats": body, "message": "Lead statistics retrieved successfully"})


def sources(org_id: str) -> bytes:
    rows = _rows(
        f"SELECT source, {FIGURES} FROM leads_lead WHERE organization_id = %s "
        "GROUP BY source ORDER BY 2 DESC, source ASC NULLS LAST",
        [org_id],
    )
    body = [{"source": row[0], "count": row[1], **_figures(*row[1:])} for row in rows]
    return dumps({"success": True, "sources": body, "message": "Source analytics retrieved successfully"})


# The same two reports read from the lead rollup without days (analytics/rollup_sql.py): sums of per-group figures.
ROLLED = (
    "coalesce(sum(lead_count), 0)::bigint, coalesce(sum(converted_count), 0)::bigint, "
    "sum(value_total), coalesce(sum(valued_count), 0)::bigint"
)


def _status_sum(status: str) -> str:
    return f"coalesce(sum({status.lower()}_count), 0)::bigint"


def stats_rolled(org_id: str) -> bytes:
    row = _rows(
        f"SELECT {ROLLED}, "
        f"{_status_sum('NEW')}, {_status_sum('QUALIFIED')}, {_status_sum('CONTACTED')}, {_status_sum('LOST')} "
        "FROM analytics_lead_totals WHERE organization_id = %s",
        [org_id],
    )[0]
    body = {
        "totalLeads": row[0],
        "newLeads": row[4],
        "qualifiedLeads": row[5],
        "contactedLeads": row[6],
        "convertedLeads": row[1],
        "lostLeads": row[7],
        **_figures(*row[:4]),
    }
    return dumps({"success": True, "stats": body, "message": "Lead statistics retrieved successfully"})


def sources_rolled(org_id: str) -> bytes:
    rows = _rows(
        f"SELECT source, {ROLLED} FROM analytics_lead_totals WHERE organization_id = %s "
        "GROUP BY source HAVING sum(lead_count) > 0 ORDER BY 2 DESC, source ASC NULLS LAST",
        [org_id],
    )
    body = [{"source": row[0], "count": row[1], **_figures(*row[1:])} for row in rows]
    return dumps({"success": True, "sources": body, "message": "Source analytics retrieved successfully"})


def campaigns(org_id: str) -> bytes:
    rows = _rows(
        f"""
        SELECT k.id, k.name, {FIGURES.replace("status", "l.status").replace("value", "l.value")}
        FROM leads_lead AS l
        LEFT JOIN leads_campaign AS by_key
          ON l.campaign_id IS NULL AND by_key.organization_id = %s AND by_key.utm_campaign = l.utm_campaign
        JOIN leads_campaign AS k ON k.id = coalesce(l.campaign_id, by_key.id)
        WHERE l.organization_id = %s
        GROUP BY k.id, k.name ORDER BY 3 DESC, k.utm_campaign
        """,
        [org_id, org_id],
    )
    body = [{"campaignId": row[0], "campaignName": row[1], "leadCount": row[2], **_figures(*row[2:])} for row in rows]
    return dumps({"success": True, "campaigns": body, "message": "Campaign analytics retrieved successfully"})


def campaigns_rolled(org_id: str) -> bytes:
    """The campaigns report from the campaign rollup: groups by campaign key, joined to the org's campaigns."""
    rows = _rows(
        f"""
        SELECT k.id, k.name, {ROLLED}
        FROM analytics_campaign_totals AS t
        JOIN leads_campaign AS k ON k.organization_id = t.organization_id AND k.utm_campaign = t.campaign_key
        WHERE t.organization_id = %s
        GROUP BY k.id, k.name, k.utm_campaign HAVING sum(t.lead_count) > 0 ORDER BY 3 DESC, k.utm_campaign
        """,
        [org_id],
    )
    body = [{"campaignId": row[0], "campaignName": row[1], "leadCount": row[2], **_figures(*row[2:])} for row in rows]
    return dumps({"success": True, "campaigns": body, "message": "Campaign analytics retrieved successfully"})


def pipeline_rolled(org_id: str, pipeline_id: str) -> bytes:
    """The pipeline report from the lead and stage-visit rollups: a row per stage, source and assignee."""
    now = datetime.now(UTC)
    name = _rows("SELECT name FROM pipelines_pipeline WHERE id = %s", [pipeline_id])[0][0]
    stages = _rows('SELECT id, name FROM pipelines_stage WHERE pipeline_id = %s ORDER BY "order"', [pipeline_id])
    occupancy = {
        stage_id: (count, converted, micros)
        for stage_id, count, converted, micros in _rows(
            "SELECT stage_id, sum(lead_count)::bigint, sum(converted_count)::bigint, sum(convert_micros) "
            "FROM analytics_lead_totals WHERE organization_id = %s AND pipeline_id = %s GROUP BY stage_id",
            [org_id, pipeline_id],
        )
    }
    dwell = dict(
        _rows(
            "SELECT stage_id, (sum(closed_micros) + sum(open_count) * %s - sum(open_entered_micros)) "
            "/ nullif(sum(closed_count) + sum(open_count), 0) / 1000000 "
            "FROM analytics_visit_totals WHERE organization_id = %s AND stage_id = ANY(%s) GROUP BY stage_id",
            [(now - EPOCH) // timedelta(microseconds=1), org_id, [stage[0] for stage in stages]],
        )
    )
    total = sum(count for count, _, _ in occupancy.values())
    converted = sum(c for _, c, _ in occupancy.values())
    to_convert = sum(m for _, _, m in occupancy.values()) / converted / 1000000 if converted else None
    body = {
        "id": pipeline_id,
        "name": name,
        "stages": [
            {
                "id": stage_id,
                "name": stage_name,
                "leadCount": occupancy.get(stage_id, (0,))[0],
                "averageTimeInStage": _days(dwell.get(stage_id)),
            }
            for stage_id, stage_name in stages
        ],
        "overallConversionRate": _rate(converted, total),
        "averageTimeToConvert": _days(to_convert),
    }
    return dumps({"success": True, "pipeline": body, "message": "Pipeline analytics retrieved successfully"})


def pipeline(org_id: str, pipeline_id: str) -> bytes:
    now = datetime.now(UTC)
    name = _rows("SELECT name FROM pipelines_pipeline WHERE id = %s", [pipeline_id])[0][0]
    stages = _rows('SELECT id, name FROM pipelines_stage WHERE pipeline_id = %s ORDER BY "order"', [pipeline_id])
    occupancy = dict(
        _rows(
            "SELECT stage_id, count(*) FROM leads_lead WHERE organization_id = %s AND pipeline_id = %s "
            "GROUP BY stage_id",
            [org_id, pipeline_id],
        )
    )
    dwell = dict(
        _rows(
            "SELECT v.stage_id, extract(epoch FROM avg(coalesce(v.left_at, %s) - v.entered_at)) "
            "FROM leads_stagevisit AS v JOIN pipelines_stage AS s ON s.id = v.stage_id "
            "WHERE v.organization_id = %s AND s.pipeline_id = %s GROUP BY v.stage_id",
            [now, org_id, pipeline_id],
        )
    )
    total, converted, to_convert = _rows(
        "SELECT count(*), count(*) FILTER (WHERE status = 'CONVERTED'), "
        "extract(epoch FROM avg(converted_at - created_at) FILTER (WHERE status = 'CONVERTED')) "
        "FROM leads_lead WHERE organization_id = %s AND pipeline_id = %s",
        [org_id, pipeline_id],
    )[0]
    body = {
        "id": pipeline_id,
        "name": name,
        "stages": [
            {
                "id": stage_id,
                "name": stage_name,
                "leadCount": occupancy.get(stage_id, 0),
                "averageTimeInStage": _days(dwell.get(stage_id)),
            }
            for stage_id, stage_name in stages
        ],
        "overallConversionRate": _rate(converted, total),
        "averageTimeToConvert": _days(to_convert),
    }
    return dumps({"success": True, "pipeline": body, "message": "Pipeline analytics retrieved successfully"})


def _funnel_reached_live(org_id: str, pipeline_id: str, steps, exits) -> tuple:
    """The old way: per lead over its stage visits, then counted per stage."""
    exit_columns = "".join(
        f", count(*) FILTER (WHERE v.stage_id = '{stage[0]}') AS exit_{i}" for i, stage in enumerate(exits)
    )
    step_counts = "".join(f", count(*) FILTER (WHERE progress >= {stage[2]})" for stage in steps)
    exit_counts = "".join(f", count(*) FILTER (WHERE exit_{i} > 0)" for i in range(len(exits)))
    return _rows(
        f"""
        SELECT count(*){step_counts}{exit_counts} FROM (
            SELECT v.lead_id, max(s."order") FILTER (WHERE s.status IS DISTINCT FROM 'LOST') AS progress{exit_columns}
            FROM leads_stagevisit AS v JOIN pipelines_stage AS s ON s.id = v.stage_id
            WHERE v.organization_id = %s AND s.pipeline_id = %s GROUP BY v.lead_id
        ) AS per_lead
        """,
        [org_id, pipeline_id],
    )[0]  # fmt: skip


def _funnel_reached_rolled(org_id: str, pipeline_id: str, steps, exits) -> tuple:
    """From the org's leads grouped by the set of stages they visited: how far each set got."""
    groups = _rows(
        "SELECT stage_ids, sum(lead_count)::bigint FROM analytics_org_path_totals "
        "WHERE organization_id = %s AND stage_ids && %s::varchar[] GROUP BY stage_ids",
        [org_id, [stage[0] for stage in (*steps, *exits)]],
    )
    order = {stage[0]: stage[2] for stage in steps}
    total, step_counts, exit_counts = 0, [0] * len(steps), [0] * len(exits)
    for stage_ids, leads in groups:
        total += leads
        progress = max((order[stage_id] for stage_id in stage_ids if stage_id in order), default=-1)
        for i, stage in enumerate(steps):
            step_counts[i] += leads if progress >= stage[2] else 0
        for i, stage in enumerate(exits):
            exit_counts[i] += leads if stage[0] in stage_ids else 0
    return (total, *step_counts, *exit_counts)


def _funnel_open_live(org_id: str, pipeline_id: str) -> tuple:
    return _rows(
        "SELECT count(*), sum(l.value), sum(l.value * s.probability) FROM leads_lead AS l "
        "JOIN pipelines_stage AS s ON s.id = l.stage_id "
        "WHERE l.organization_id = %s AND l.pipeline_id = %s AND l.status NOT IN ('CONVERTED', 'LOST')",
        [org_id, pipeline_id],
    )[0]


def _funnel_open_rolled(org_id: str, pipeline_id: str) -> tuple:
    return _rows(
        "SELECT sum(t.new_count + t.qualified_count + t.contacted_count)::bigint, sum(t.open_value_total), "
        "sum(t.open_value_total * s.probability) FROM analytics_stage_totals AS t "
        "JOIN pipelines_stage AS s ON s.id = t.stage_id WHERE t.organization_id = %s AND t.pipeline_id = %s",
        [org_id, pipeline_id],
    )[0]


def funnel(org_id: str, pipeline_id: str, *, rolled: bool = False) -> bytes:
    """The funnel: reach counts and open leads from the rollups, or (the old way) from the visits and leads."""
    name = _rows("SELECT name FROM pipelines_pipeline WHERE id = %s", [pipeline_id])[0][0]
    stages = _rows(
        'SELECT id, name, "order", status, probability FROM pipelines_stage WHERE pipeline_id = %s ORDER BY "order"',
        [pipeline_id],
    )
    exits = [stage for stage in stages if stage[3] == "LOST"]
    steps = [stage for stage in stages if stage[3] != "LOST"]
    reached = (_funnel_reached_rolled if rolled else _funnel_reached_live)(org_id, pipeline_id, steps, exits)
    open_count, open_value, weighted = (_funnel_open_rolled if rolled else _funnel_open_live)(org_id, pipeline_id)
    counts = {stage[0]: reached[1 + i] for i, stage in enumerate(steps)}
    counts |= {stage[0]: reached[1 + len(steps) + i] for i, stage in enumerate(exits)}
    following = {a[0]: b[0] for a, b in zip(steps, steps[1:], strict=False)}
    body = {
        "pipelineId": pipeline_id,
        "pipelineName": name,
        "totalLeads": reached[0],
        "stages": [
            {
                "id": stage[0],
                "name": stage[1],
                "order": stage[2],
                "probability": stage[4],
                "isExit": stage[3] == "LOST",
                "reached": counts[stage[0]],
                "conversionRate": _rate(counts[following[stage[0]]], counts[stage[0]])
                if stage[0] in following
                else None,
            }
            for stage in stages
        ],
        "openLeads": open_count or 0,
        "openValue": _money(open_value),
        "weightedValue": _money(None if weighted is None else Decimal(weighted) / 100),
    }
    return dumps({"success": True, "funnel": body, "message": "Pipeline funnel retrieved successfully"})


# --- board ------------------------------------------------------------------------


def board_changes(org_id: str, pipeline_id: str, seen: dict[str, str], *, cached: bool = True) -> bytes:
    """An open board's poll when nothing changed: the body of a 204 (empty), after comparing fingerprints.

    The column fingerprints come from where the app keeps them, the shared
    cache under the org's lead-changes generation (``cached``); when that was
    just dropped by a write (``cached=False``) they are read as the app must
    then: each column's count from the per-stage lead rollup, its latest change
    from the ``(stage, -updated_at)`` index.
    """
    current = _kept(lead_changes, org_id, lead_changes.value_key(org_id, f"board:{pipeline_id}")) if cached else None
    if current is None:
        rows = _rows(
            """
            SELECT s.id, coalesce(t.lead_count, 0),
                   (SELECT max(l.updated_at) FROM leads_lead AS l WHERE l.stage_id = s.id)
            FROM pipelines_stage AS s
            LEFT JOIN analytics_stage_totals AS t
              ON t.organization_id = s.organization_id AND t.pipeline_id = s.pipeline_id AND t.stage_id = s.id
            WHERE s.organization_id = %s AND s.pipeline_id = %s
            """,
            [org_id, pipeline_id],
        )
        current = {stage_id: fingerprint_of(count, last) for stage_id, count, last in rows}
    if current != seen:
        raise RuntimeError("the board changed: the poll floor only answers an up-to-date board")
    return b""
