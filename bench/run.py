"""The benchmark, in one command: ``python -m bench.run`` (``make bench``).

1. Makes (once) PostgreSQL database ``vchata_perf`` holding the realistic
   organization of ``bench/org.py`` (1,000,000 leads by default), and
   ANALYZEs it on every run.
2. For every case, in-process through the WSGI app: median and p95 over
   repeated requests, the SQL query count of one request, and the same for
   the case's *floor* (``bench/floors.py``: hand-written SQL + orjson giving
   the same answer), then the ratio app ÷ floor against the target; where
   a case has one, also the old way's live SQL (``bench/cases.py``).
3. Throughput: gunicorn with 2 workers and ``wrk`` (Debian package), requests
   per second of /auth/me, the lead detail and the list endpoint against a
   bare Django view with a fixed JSON body (the ceiling).
4. Memory: a worker's RSS before and after 10,000 mixed requests.

Options: ``--leads N`` (a different size needs ``--fresh``), ``--fresh``
(drop and regenerate), ``--repeats N``, ``--only NAME`` (cases whose name
contains it), ``--skip-http`` (no gunicorn parts).
"""

import argparse
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vchata_perf")
# Long runs outlive the default 15-minute access token.
os.environ.setdefault("JWT_ACCESS_MINUTES", "600")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true", help="drop the benchmark database and generate it again")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--only", default="", help="run only the cases whose name contains this")
    parser.add_argument("--skip-http", action="store_true", help="skip the gunicorn throughput and memory runs")
    parser.add_argument("--memory-requests", type=int, default=10_000)
    parser.add_argument("--http-only", action="store_true", help="only the gunicorn throughput and memory runs")
    args = parser.parse_args(argv)

    from bench.database import database_name, ensure_database

    ensure_database(fresh=args.fresh)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production static files, as deployed
    from vchata.celery import app as celery_app

    # No worker consumes the bench's queue (the fan-out tasks its writes send): emptied here, it
    # doesn't grow by thousands of messages every run.
    celery_app.control.purge()

    from bench import org as bench_org

    found = bench_org.find()
    if found is None:
        found = bench_org.generate(args.leads)
    elif found.lead_count < args.leads * 0.99 or found.lead_count > args.leads * 1.05:
        print(f"{database_name()} holds {found.lead_count:,} leads, not {args.leads:,}: add --fresh to regenerate.")
        return 2

    from django.db import connection

    with connection.cursor() as cursor:
        # Statistics of every table, as autovacuum keeps them on a live database: a migration
        # that added a column (migration 0007's search_text) leaves it without any until then.
        cursor.execute("ANALYZE")

    from bench.scenario import Scenario

    scenario = Scenario.build(found)
    print(f"\nDatabase {database_name()}: {found.lead_count:,} leads in {bench_org.ORG_NAME}; ", end="")
    print(f"board pipeline holds {scenario.board_leads:,}; search {scenario.search!r} matches {scenario.search_hits:,}")
    print(f"Searches: name {scenario.search!r}, email {scenario.search_email!r}, company {scenario.search_company!r}")

    from bench.cases import fixed_costs, latency_table, run_cases

    if not args.http_only:
        results = run_cases(scenario, repeats=args.repeats, only=args.only)
        print()
        print(latency_table(results))
        print(fixed_costs(scenario, repeats=args.repeats * 5))

    if not args.skip_http and not args.only:
        from bench.http_runs import memory_run, throughput_run

        print()
        throughput_run(scenario)
        print()
        memory_run(scenario, requests=args.memory_requests)
    return 0


if __name__ == "__main__":
    started = time.monotonic()
    status = main()
    print(f"\n(benchmark took {time.monotonic() - started:.0f}s)")
    sys.exit(status)
