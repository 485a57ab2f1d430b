"""Time each analytics route against one hand-written SQL query computing the same figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vchata_bench \\
        .venv/bin/python bench/analytics.py [--leads 100000] [--fresh] [--repeat 15]

(``make bench-analytics``.) The organization is the benchmark's, ``bench/org.py``:
the first run creates the database (``vchata_bench`` unless DATABASE_URL
says otherwise), migrates it and generates the org with ``--leads`` leads;
later runs reuse it (``--fresh`` drops the database and starts again). Each
route goes through the whole stack (Django test client: JWT authentication,
membership, throttles, selectors, serializers, JSON); each SQL query runs on
the same connection. The two alternate, after warm-up runs, and the script
prints median and p95 of each and the ratio of the medians (target: at most
1.5). It also checks that the route and the SQL give the same answer, so the
comparison is between equals. The pipeline and funnel reports cover the
org's default pipeline, half of its leads.
"""

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vchata.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vchata_bench")
# Production-like settings, with room for a long run: no DEBUG query log, no throttle in the way.
os.environ["DEBUG"] = "0"
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("JWT_ACCESS_MINUTES", "600")
os.environ.setdefault("THROTTLE_USER_RATE", "1000000/s")

STATUSES = ["NEW", "QUALIFIED", "CONTACTED", "CONVERTED", "LOST"]

STATS_SQL = """
SELECT count(*),
       count(*) FILTER (WHERE status = 'NEW'),
       count(*) FILTER (WHERE status = 'QUALIFIED'),
       count(*) FILTER (WHERE status = 'CONTACTED'),
       count(*) FILTER (WHERE status = 'CONVERTED'),
       count(*) FILTER (WHERE status = 'LOST'),
       coalesce(round(100.0 * count(*) FILTER (WHERE status = 'CONVERTED') / nullif(count(*), 0), 1), 0),
       coalesce(round(avg(value), 2), 0),
       coalesce(round(sum(value), 2), 0)
FROM leads_lead
WHERE organization_id = %(org)s
"""

SOURCES_SQL = """
SELECT source,
       count(*),
       round(100.0 * count(*) FILTER (WHERE status = 'CONVERTED') / count(*), 1),
       coalesce(round(avg(value), 2), 0),
       coalesce(round(sum(value), 2), 0)
FROM leads_lead
WHERE organization_id = %(org)s
GROUP BY source
ORDER BY count(*) DESC, source NULLS LAST
"""

CAMPAIGNS_SQL = """
SELECT c.id,
       c.name,
       count(*),
       round(100.0 * count(*) FILTER (WHERE l.status = 'CONVERTED') / count(*), 1),
       coalesce(round(avg(l.value), 2), 0),
       coalesce(round(sum(l.value), 2), 0)
FROM leads_lead AS l
LEFT JOIN leads_campaign AS own ON own.id = l.campaign_id
JOIN leads_campaign AS c  -- the lead's own campaign, else the one whose key is its utmCampaign
  ON c.organization_id = l.organization_id AND c.utm_campaign = coalesce(own.utm_campaign, l.utm_campaign)
WHERE l.organization_id = %(org)s
GROUP BY c.id
ORDER BY count(*) DESC, c.utm_campaign
"""

PIPELINE_SQL = """
WITH per_stage AS (
    SELECT stage_id,
           count(*) AS leads,
           count(*) FILTER (WHERE status = 'CONVERTED') AS converted,
           sum(converted_at - created_at) FILTER (WHERE status = 'CONVERTED') AS convert_time
    FROM leads_lead
    WHERE organization_id = %(org)s AND pipeline_id = %(pipeline)s
    GROUP BY stage_id
),
dwell AS (
    SELECT v.stage_id, avg(coalesce(v.left_at, now()) - v.entered_at) AS mean
    FROM leads_stagevisit AS v
    JOIN pipelines_stage AS s ON s.id = v.stage_id
    WHERE v.organization_id = %(org)s AND s.pipeline_id = %(pipeline)s
    GROUP BY v.stage_id
)
SELECT p.id, p.name, s.id, s.name,
       coalesce(ps.leads, 0),
       coalesce(round(extract(epoch FROM d.mean) / 86400, 1), 0),
       coalesce(round(100.0 * sum(ps.converted) OVER () / nullif(sum(ps.leads) OVER (), 0), 1), 0),
       coalesce(round(extract(epoch FROM sum(ps.convert_time) OVER ()) / 86400
                      / nullif(sum(ps.converted) OVER (), 0), 1), 0)
FROM pipelines_pipeline AS p
JOIN pipelines_stage AS s ON s.pipeline_id = p.id
LEFT JOIN per_stage AS ps ON ps.stage_id = s.id
LEFT JOIN dwell AS d ON d.stage_id = s.id
WHERE p.id = %(pipeline)s
ORDER BY s."order"
"""

FUNNEL_SQL = """
WITH progress AS (  -- per lead: the furthest non-exit stage it ever visited, and whether it took an exit
    SELECT max(s."order") FILTER (WHERE s.status IS DISTINCT FROM 'LOST') AS furthest,
           bool_or(s.status IS NOT DISTINCT FROM 'LOST') AS exited
    FROM leads_stagevisit AS v
    JOIN pipelines_stage AS s ON s.id = v.stage_id
    WHERE v.organization_id = %(org)s AND s.pipeline_id = %(pipeline)s
    GROUP BY v.lead_id
),
tally AS (SELECT furthest, exited, count(*) AS leads FROM progress GROUP BY furthest, exited),
reached AS (
    SELECT s.id, s.name, s."order", s.probability, s.status IS NOT DISTINCT FROM 'LOST' AS is_exit,
           (SELECT coalesce(sum(t.leads), 0) FROM tally AS t
            WHERE CASE WHEN s.status IS NOT DISTINCT FROM 'LOST' THEN t.exited
                       ELSE t.furthest >= s."order" END) AS reached
    FROM pipelines_stage AS s
    WHERE s.pipeline_id = %(pipeline)s
),
open_leads AS (
    SELECT count(*) AS leads, coalesce(round(sum(l.value), 2), 0) AS value,
           coalesce(round(sum(l.value * s.probability) / 100, 2), 0) AS weighted
    FROM leads_lead AS l
    JOIN pipelines_stage AS s ON s.id = l.stage_id
    WHERE l.organization_id = %(org)s AND l.pipeline_id = %(pipeline)s
      AND l.status NOT IN ('CONVERTED', 'LOST')
)
SELECT p.id, p.name, (SELECT coalesce(sum(leads), 0) FROM tally),
       r.id, r.name, r."order", r.probability, r.is_exit, r.reached,
       CASE WHEN r.is_exit OR lead(r.reached) OVER steps IS NULL THEN NULL
            WHEN r.reached = 0 THEN 0
            ELSE round(100.0 * lead(r.reached) OVER steps / r.reached, 1) END,
       o.leads, o.value, o.weighted
FROM pipelines_pipeline AS p, reached AS r, open_leads AS o
WHERE p.id = %(pipeline)s
WINDOW steps AS (PARTITION BY r.is_exit ORDER BY r."order")
ORDER BY r."order"
"""


def number(value):
    """SQL numerics as the JSON the API sends (floats), ints as ints."""
    return float(value) if isinstance(value, Decimal) else value


def stats_from(rows):
    (row,) = rows
    keys = ["totalLeads"] + [f"{s.lower()}Leads" for s in STATUSES] + ["conversionRate", "averageValue", "totalValue"]
    return dict(zip(keys, map(number, row), strict=True))


def sources_from(rows):
    keys = ["source", "count", "conversionRate", "averageValue", "totalValue"]
    return [dict(zip(keys, map(number, row), strict=True)) for row in rows]


def campaigns_from(rows):
    keys = ["campaignId", "campaignName", "leadCount", "conversionRate", "averageValue", "totalValue"]
    return [dict(zip(keys, map(number, row), strict=True)) for row in rows]


def pipeline_from(rows):
    first = rows[0]
    return {
        "id": first[0],
        "name": first[1],
        "stages": [{"id": r[2], "name": r[3], "leadCount": r[4], "averageTimeInStage": number(r[5])} for r in rows],
        "overallConversionRate": number(first[6]),
        "averageTimeToConvert": number(first[7]),
    }


def funnel_from(rows):
    first = rows[0]
    return {
        "pipelineId": first[0],
        "pipelineName": first[1],
        "totalLeads": number(first[2]),
        "stages": [
            {
                "id": r[3],
                "name": r[4],
                "order": r[5],
                "probability": r[6],
                "isExit": r[7],
                "reached": number(r[8]),
                "conversionRate": number(r[9]),
            }
            for r in rows
        ],
        "openLeads": first[10],
        "openValue": number(first[11]),
        "weightedValue": number(first[12]),
    }


# (label, route under /leads/{org}/, response key, SQL, SQL rows → the response's payload)
CASES = [
    ("stats", "stats", "stats", STATS_SQL, stats_from),
    ("sources", "analytics/sources", "sources", SOURCES_SQL, sources_from),
    ("campaigns", "analytics/campaigns", "campaigns", CAMPAIGNS_SQL, campaigns_from),
    ("pipeline", "analytics/pipeline", "pipeline", PIPELINE_SQL, pipeline_from),
    ("funnel", "analytics/funnel", "funnel", FUNNEL_SQL, funnel_from),
]


def same(route_value, sql_value, tolerance: float) -> bool:
    """Equal, except that day figures may differ by ``tolerance`` (the route and the SQL read "now" apart)."""
    if isinstance(route_value, dict) and isinstance(sql_value, dict):
        return route_value.keys() == sql_value.keys() and all(
            same(route_value[k], sql_value[k], tolerance if k.startswith("averageTime") else 0) for k in route_value
        )
    if isinstance(route_value, list) and isinstance(sql_value, list):
        return len(route_value) == len(sql_value) and all(
            same(a, b, tolerance) for a, b in zip(route_value, sql_value, strict=True)
        )
    if isinstance(route_value, int | float) and isinstance(sql_value, int | float) and tolerance:
        return abs(route_value - sql_value) <= tolerance + 1e-9
    return route_value == sql_value


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def time_case(client, path: str, query: str, params: dict, *, warmup: int, repeat: int):
    """The route and its SQL, alternately, ``warmup`` untimed then ``repeat`` timed runs each (milliseconds)."""
    from django.db import connection

    route_times, sql_times = [], []
    for run in range(warmup + repeat):
        timed = []
        # Alternate which goes first, so neither always finds the cache the other warmed.
        for which in ("route", "sql") if run % 2 == 0 else ("sql", "route"):
            started = time.perf_counter()
            if which == "route":
                response = client.get(path)
                payload = response.json()
            else:
                with connection.cursor() as cursor:
                    cursor.execute(query, params)
                    rows = cursor.fetchall()
            timed.append((which, time.perf_counter() - started))
        if run >= warmup:
            for which, seconds in timed:
                (route_times if which == "route" else sql_times).append(seconds * 1000)
    return response, payload, rows, route_times, sql_times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=100_000, help="leads of the generated org (default 100,000)")
    parser.add_argument("--fresh", action="store_true", help="drop the database and generate the org again")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of each (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first (default 2)")
    parser.add_argument("--only", nargs="*", help="only these reports: " + " ".join(c[0] for c in CASES))
    args = parser.parse_args(argv)
    if args.leads < 1:
        parser.error("--leads must be positive")

    import dj_database_url

    if "postgresql" not in dj_database_url.parse(os.environ["DATABASE_URL"])["ENGINE"]:
        raise SystemExit("DATABASE_URL must point at PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/vchata_bench)")
    from bench.database import database_name, ensure_database

    ensure_database(fresh=args.fresh)
    import django

    django.setup()
    from django.core.management import call_command

    from bench import org as bench_org
    from conftest import client_for

    call_command("migrate", verbosity=0)
    bench = bench_org.find()
    if bench is None:
        bench = bench_org.generate(args.leads)
        print()
    elif not args.leads * 0.99 <= bench.lead_count <= args.leads * 1.05:
        print(f"{database_name()} holds {bench.lead_count:,} leads, not {args.leads:,}: add --fresh to regenerate.")
        return 2
    org = bench.org
    client = client_for(bench.owner)
    # The per-pipeline reports cover the default pipeline; its id is a parameter of their SQL.
    pipeline = bench.pipelines[0]
    print(
        f"{database_name()}, {org.pk} ({org.name}): {bench.lead_count:,} leads, {pipeline.name} holds "
        f"{pipeline.leads.count():,}; {args.warmup} warm-up + {args.repeat} timed runs each\n"
    )

    header = f"{'report':<10} {'route median':>13} {'p95':>9} {'SQL median':>11} {'p95':>9} {'ratio':>6}  same answer"
    print(header)
    print("-" * len(header))
    worst = 0.0
    all_same = True
    for label, route, key, query, shape in CASES:
        if args.only and label not in args.only:
            continue
        path = f"/leads/{org.pk}/{route}"
        response, payload, rows, route_times, sql_times = time_case(
            client, path, query, {"org": org.pk, "pipeline": pipeline.pk}, warmup=args.warmup, repeat=args.repeat
        )
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {payload}")
        agrees = same(payload[key], shape(rows), tolerance=0.1)
        all_same &= agrees
        ratio = statistics.median(route_times) / statistics.median(sql_times)
        worst = max(worst, ratio)
        print(
            f"{label:<10} {statistics.median(route_times):>10.1f} ms {percentile(route_times, 0.95):>6.1f} ms "
            f"{statistics.median(sql_times):>8.1f} ms {percentile(sql_times, 0.95):>6.1f} ms {ratio:>6.2f}  "
            f"{'yes' if agrees else 'NO'}",
            flush=True,
        )
        if not agrees:
            print(f"  route: {payload[key]}\n  SQL:   {shape(rows)}")
    print(f"\nworst ratio {worst:.2f} (target ≤ 1.5)")
    return 0 if all_same else 1


if __name__ == "__main__":
    sys.exit(main())
