"""Fill a PostgreSQL database with one realistic organization of N leads, fast.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vchata_bench \\
        .venv/bin/python bench/fill.py --leads 1000000

Creates the database if needed, migrates it, then makes an organization (its
owner can sign in: the email and password are printed) with members, three
pipelines, campaigns, contacts, leads whose stage history was lived through
(visits with entered/left times, one open visit per lead, statuses and
``converted_at`` that follow the stages), a ``CREATED`` activity per lead and
a few manual ones. Sources, utm campaigns and values are skewed like real
traffic. Rows go in through ``COPY`` in one transaction; the secondary indexes of the
four big tables are dropped first and rebuilt at the end (``--keep-indexes``
to skip that), and everything rolls back if the load fails.

Foreign-key triggers are switched off for the load (``session_replication_role
= replica``, superuser only) because every id is generated here, consistently;
``--check-fks`` keeps them. Unique and check constraints are always enforced.
Each run adds a new organization, so the benchmark can pick the largest.
"""

import argparse
import base64
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vchata.settings")

# ---- ids: the format of vchata.ids.new_id, generated in bulk ----------------------------

_RFC4648 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CROCKFORD = b"0123456789abcdefghjkmnpqrstvwxyz"
_TO_CROCKFORD = bytes.maketrans(_RFC4648, _CROCKFORD)


def bulk_ids(prefix: str, millis: list[int]) -> list[str]:
    """One ``prefix_<26 chars>`` id per timestamp, exactly as ``vchata.ids.new_id`` spells them.

    The body is the 130-bit number ``millis << 80 | 80 random bits`` in
    Crockford base32. Shifted left by 30 bits it fills 20 bytes, which base32
    encodes to exactly 32 characters, so one ``b32encode`` call does a whole
    batch and each id is the first 26 characters of its 32.
    """
    randomness = os.urandom(10 * len(millis))
    packed = b"".join(
        ((ms << 80 | int.from_bytes(randomness[i * 10 : i * 10 + 10], "big")) << 30).to_bytes(20, "big")
        for i, ms in enumerate(millis)
    )
    text = base64.b32encode(packed).translate(_TO_CROCKFORD).decode("ascii")
    head = f"{prefix}_"
    return [head + text[i * 32 : i * 32 + 26] for i in range(len(millis))]


def to_millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


# ---- the shape of the data ----------------------------------------------------------------

SOURCES = ["website", "social_media", "referral", "google_ads", "email", "event", "partner", None]
SOURCE_WEIGHTS = [40, 24, 12, 10, 6, 3, 2, 3]
UTM_SOURCES = ["google", "facebook", "instagram", "linkedin", "newsletter", "tiktok"]
UTM_MEDIUMS = ["cpc", "social", "email", "organic", "display"]
UTM_KEYS = [f"campaign_{n:02d}" for n in range(40)]  # Zipf-skewed: a few keys take most leads
UTM_CUM_WEIGHTS = list(accumulate(1 / (rank + 1) for rank in range(len(UTM_KEYS))))
CAMPAIGN_KEYS = UTM_KEYS[:30]  # the org runs 30 of the 40 keys it sees as campaigns
MANUAL_ACTIVITIES = ["NOTE", "CALL", "EMAIL_SENT", "EMAIL_RECEIVED", "MEETING", "SMS", "TASK"]

# (name, stages as (name, status, probability, mean days spent)) and the share of leads.
PIPELINES = [
    (
        "Partnerships",
        [
            ("Intro", "NEW", 10, 4),
            ("Proposal", "QUALIFIED", 40, 9),
            ("Negotiation", "CONTACTED", 70, 15),
            ("Signed", "CONVERTED", 100, 0),
            ("Dropped", "LOST", 0, 0),
        ],
        0.25,
    ),
    (
        "Enterprise",
        [
            ("Discovery", "NEW", 5, 6),
            ("Demo", None, 20, 8),
            ("Security review", None, 40, 20),
            ("Proposal", "QUALIFIED", 60, 12),
            ("Contract", "CONTACTED", 80, 18),
            ("Won", "CONVERTED", 100, 0),
            ("Lost", "LOST", 0, 0),
        ],
        0.15,
    ),
]
DEFAULT_MEAN_DAYS = {"New": 2, "Qualified": 6, "Contacted": 11, "Converted": 0, "Lost": 0}
HISTORY_DAYS = 730


class StagePlan:
    """A pipeline's stages with what the generator needs: the happy path and the exit."""

    def __init__(self, pipeline_id: str, stages: list[tuple[str, str | None, int, float]]):
        # stages: (stage id, status, order, mean days)
        self.pipeline_id = pipeline_id
        self.path = [s for s in stages if s[1] != "LOST"]
        self.exit = next((s for s in stages if s[1] == "LOST"), None)


def lived_history(plan: StagePlan, created: datetime, now: datetime, rng: random.Random):
    """The visits of one lead from its creation to now: [(stage, entered, left or None)].

    At each stage the lead stays an exponential time, then stalls there
    (open visit), advances, skips a stage, goes back, or is lost. Converted
    and lost leads stay where they ended.
    """
    visits = []
    position, moment = 0, created
    stage = plan.path[0]
    while True:
        if stage[1] in ("CONVERTED", "LOST") or rng.random() < 0.3:
            visits.append((stage, moment, None))
            return visits
        dwell = timedelta(days=rng.expovariate(1 / stage[3]) if stage[3] else 0.01)
        if moment + dwell >= now:
            visits.append((stage, moment, None))
            return visits
        left = moment + dwell
        visits.append((stage, moment, left))
        moment = left
        roll = rng.random()
        if roll < 0.2 and plan.exit is not None:
            stage = plan.exit
            continue
        if roll < 0.26 and position > 0:
            position -= 1
        elif roll < 0.32 and position + 2 < len(plan.path):
            position += 2
        else:
            position += 1
        position = min(position, len(plan.path) - 1)
        stage = plan.path[position]


# ---- COPY plumbing -------------------------------------------------------------------------


class Table:
    """Column order for COPY: the columns we generate, then every other column at its model default."""

    def __init__(self, model, columns: list[str]):
        from django.db import connection

        self.name = model._meta.db_table
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise SystemExit(f"{self.name}: no columns {sorted(unknown)}")
        # Identity columns (auto ids) are left to the database.
        rest = [f for column, f in fields.items() if column not in columns and not getattr(f, "db_returning", False)]
        defaults = []
        for field in rest:
            if not field.has_default() and not field.null:
                raise SystemExit(f"{self.name}.{field.column} is required and the filler does not know it")
            value = field.get_default() if field.has_default() else None
            # JSON defaults go in as text, which COPY parses into jsonb.
            defaults.append(
                json.dumps(value) if isinstance(value, dict | list) else field.get_db_prep_save(value, connection)
            )
        self.columns = columns + [f.column for f in rest]
        self.defaults = tuple(defaults)

    def copy(self, cursor, rows: Iterator[tuple]) -> int:
        count = 0
        column_list = ", ".join(f'"{c}"' for c in self.columns)
        with cursor.copy(f'COPY "{self.name}" ({column_list}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row + self.defaults)
                count += 1
        return count


# ---- the filler ----------------------------------------------------------------------------


def ensure_database() -> None:
    """Create the DATABASE_URL's database when it does not exist yet."""
    import dj_database_url
    import psycopg

    config = dj_database_url.config()
    if "postgresql" not in config.get("ENGINE", ""):
        raise SystemExit("DATABASE_URL must point at PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/vchata_bench)")
    params = {"host": config["HOST"], "port": config["PORT"] or 5432, "user": config["USER"], "dbname": "postgres"}
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    with psycopg.connect(**params, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{config["NAME"]}"')
            print(f"created database {config['NAME']}")


def make_org(rng: random.Random, now: datetime):
    from leads.models import Campaign
    from pipelines.models import Stage
    from pipelines.services import create_pipeline
    from vchata.accounts.models import Membership, User
    from vchata.accounts.services import create_organization

    tag = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    password = "bench-pass-2024"
    owner = User.objects.create_user(email=f"bench-{tag}@vchata.dev", password=password, name="Bench Owner")
    org = create_organization(owner=owner, name=f"Bench Org {tag}")
    members = [owner] + [
        User.objects.create_user(email=f"bench-{tag}-rep{n}@vchata.dev", name=f"Rep {n}") for n in range(8)
    ]
    Membership.objects.bulk_create(Membership(organization=org, user=user) for user in members[1:])
    for name, stages, _share in PIPELINES:
        create_pipeline(
            org=org,
            name=name,
            stages=[{"name": s, "status": status, "probability": p} for s, status, p, _days in stages],
        )
    plans, shares = [], []
    share_of = {name: share for name, _stages, share in PIPELINES}
    mean_days = {stage[0]: stage[3] for _name, stages, _share in PIPELINES for stage in stages} | DEFAULT_MEAN_DAYS
    for pipeline in org.pipeline_set.all():
        rows = Stage.objects.filter(pipeline=pipeline).order_by("order").values_list("id", "status", "order", "name")
        plans.append(
            StagePlan(pipeline.pk, [(sid, status, order, mean_days[name]) for sid, status, order, name in rows])
        )
        # The default pipeline takes what the others leave.
        shares.append(share_of.get(pipeline.name, 1 - sum(share_of.values())))
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            organization=org,
            name=f"Campaign {key[-2:]}",
            utm_campaign=key,
            budget=Decimal(rng.randrange(1_000, 50_000)),
            starts_at=now - timedelta(days=rng.randrange(30, HISTORY_DAYS)),
        )
        for key in CAMPAIGN_KEYS
    )
    return org, owner, password, [m.pk for m in members], plans, shares, {c.utm_campaign: c.pk for c in campaigns}


def lead_ages(count: int, rng: random.Random) -> list[float]:
    """Days before now each lead was created, oldest first; recent leads are more numerous (a growing business).

    Oldest first, so ids and creation times grow through the load as they do
    in production, and every index takes its new rows at its right-hand edge.
    """
    return sorted((HISTORY_DAYS * rng.random() ** 1.6 for _ in range(count)), reverse=True)


def generate_chunk(
    *, org_id, ages, now, rng, plans, shares, member_ids, campaign_by_key
) -> tuple[list, list, list, list]:
    """Rows for one lead per age: contacts, leads, stage visits, activities."""
    count = len(ages)
    created = [now - timedelta(days=age) for age in ages]
    created_ms = [to_millis(c) for c in created]
    contact_ids = bulk_ids("contact", created_ms)
    lead_ids = bulk_ids("lead", created_ms)
    pipeline_picks = rng.choices(plans, weights=shares, k=count)
    sources = rng.choices(SOURCES, weights=SOURCE_WEIGHTS, k=count)

    contacts, leads, visits, activities = [], [], [], []
    activity_times = []
    for i in range(count):
        born = created[i]
        lead_id = lead_ids[i]
        contacts.append((contact_ids[i], org_id, born, born, f"Contact {lead_id[-8:]}", f"{lead_id[5:]}@example.com"))
        plan = pipeline_picks[i]
        history = lived_history(plan, born, now, rng)
        status, converted_at = "NEW", None
        for stage, entered, left in history:
            if stage[1]:
                status = stage[1]
            visits.append((org_id, lead_id, stage[0], entered, left))
        current, last_entered = history[-1][0], history[-1][1]
        if status == "CONVERTED":  # a terminal stage: the lead converted when it entered it
            converted_at = last_entered
        roll = rng.random()
        utm_key = rng.choices(UTM_KEYS, cum_weights=UTM_CUM_WEIGHTS)[0] if roll < 0.55 else None
        campaign_id = campaign_by_key.get(utm_key) if utm_key and rng.random() < 0.4 else None
        if campaign_id is None and roll > 0.9:  # tagged by hand, no utm
            campaign_id = campaign_by_key[rng.choice(CAMPAIGN_KEYS)]
        value = (
            None if rng.random() < 0.18 else Decimal(round(rng.lognormvariate(7.2, 0.8), 2)).quantize(Decimal("0.01"))
        )
        updated = max(last_entered, born)
        leads.append(
            (
                lead_id,
                org_id,
                born,
                updated,
                contact_ids[i],
                plan.pipeline_id,
                current[0],
                status,
                sources[i],
                value,
                "",
                rng.choice(UTM_SOURCES) if utm_key else None,
                rng.choice(UTM_MEDIUMS) if utm_key else None,
                utm_key,
                rng.choice(member_ids) if rng.random() < 0.7 else None,
                campaign_id,
                converted_at,
                "{}",
                updated,
            )
        )
        activities.append((org_id, born, born, lead_id, "CREATED", "Lead created", None))
        activity_times.append(born)
        if rng.random() < 0.3:
            moment = born + (now - born) * rng.random()
            kind = rng.choice(MANUAL_ACTIVITIES)
            activities.append(
                (
                    org_id,
                    moment,
                    moment,
                    lead_id,
                    kind,
                    f"{kind.replace('_', ' ').lower()} logged",
                    rng.choice(member_ids),
                )
            )
            activity_times.append(moment)
    activity_ids = bulk_ids("activity", [to_millis(t) for t in activity_times])
    activities = [(activity_ids[i], *row) for i, row in enumerate(activities)]
    return contacts, leads, visits, activities


def drop_secondary_indexes(cursor, tables: list[str]) -> list[str]:
    """Drop the indexes that back no constraint; return the statements that rebuild them.

    Building an index once, by sorting, is far cheaper than updating it row
    by row during a load. Unique ones are rebuilt too, so they still check.
    """
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index AS i
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)
        """,
        [tables],
    )
    found = cursor.fetchall()
    for name, _definition in found:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]


def fill(leads: int, chunk: int, seed: int, check_fks: bool, keep_indexes: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from leads.models import Activity, Contact, Lead, StageVisit

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    org, owner, password, member_ids, plans, shares, campaign_by_key = make_org(rng, now)

    tables = {
        "contacts": Table(Contact, ["id", "organization_id", "created_at", "updated_at", "name", "email"]),
        "leads": Table(
            Lead,
            [
                "id",
                "organization_id",
                "created_at",
                "updated_at",
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
                "assigned_to_id",
                "campaign_id",
                "converted_at",
                "custom_fields",
                "last_activity_at",
            ],
        ),
        "visits": Table(StageVisit, ["organization_id", "lead_id", "stage_id", "entered_at", "left_at"]),
        "activities": Table(
            Activity,
            ["id", "organization_id", "created_at", "updated_at", "lead_id", "type", "description", "actor_id"],
        ),
    }
    totals = dict.fromkeys(tables, 0)
    started = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        if not check_fks:
            try:
                cursor.execute("SET session_replication_role = replica")
            except Exception as exc:  # not a superuser: keep the triggers
                raw.rollback()
                print(f"foreign-key triggers stay on ({exc.__class__.__name__})")
    ages = lead_ages(leads, rng)
    # One transaction: if anything fails, the dropped indexes come back with the rollback.
    with transaction.atomic(), raw.cursor() as cursor:
        rebuild = [] if keep_indexes else drop_secondary_indexes(cursor, [t.name for t in tables.values()])
        done = 0
        while done < leads:
            size = min(chunk, leads - done)
            rows = generate_chunk(
                org_id=org.pk,
                ages=ages[done : done + size],
                now=now,
                rng=rng,
                plans=plans,
                shares=shares,
                member_ids=member_ids,
                campaign_by_key=campaign_by_key,
            )
            for key, table_rows in zip(tables, rows, strict=True):
                totals[key] += tables[key].copy(cursor, iter(table_rows))
            done += size
            rate = done / (time.perf_counter() - started)
            print(f"  {done:>9,} leads  ({rate:,.0f} leads/s)", flush=True)
        copied = time.perf_counter()
        for definition in rebuild:
            cursor.execute(definition)
        if rebuild:
            print(f"  {len(rebuild)} indexes rebuilt in {time.perf_counter() - copied:.1f}s", flush=True)
    with raw.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")
    load_seconds = time.perf_counter() - started
    raw.autocommit = True
    with raw.cursor() as cursor:
        for table in tables.values():
            cursor.execute(f'VACUUM (ANALYZE) "{table.name}"')
        cursor.execute("ANALYZE")  # the small tables too (campaigns, stages), for the planner
    print(
        f"org {org.pk} ({org.name}): "
        + ", ".join(f"{n:,} {key}" for key, n in totals.items())
        + f" in {load_seconds:.1f}s (+ {time.perf_counter() - started - load_seconds:.1f}s VACUUM ANALYZE)"
    )
    print(f"sign in as {owner.email} / {password}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=100_000, help="how many leads (default 100,000)")
    parser.add_argument("--chunk", type=int, default=50_000, help="leads generated per COPY batch (default 50,000)")
    parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    parser.add_argument("--check-fks", action="store_true", help="keep foreign-key triggers on during the load")
    parser.add_argument(
        "--keep-indexes", action="store_true", help="update indexes row by row instead of rebuilding them after"
    )
    args = parser.parse_args(argv)
    if args.leads < 1 or args.chunk < 1:
        parser.error("--leads and --chunk must be positive")
    ensure_database()
    fill(args.leads, args.chunk, args.seed, args.check_fks, args.keep_indexes)


if __name__ == "__main__":
    main()
