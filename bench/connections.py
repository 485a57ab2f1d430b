"""Connection handling compared under load: new connection per request, persistent, psycopg pool.

``python -m bench.connections`` (after ``make bench`` made the database): the
same gunicorn (2 sync workers) and wrk as the throughput run, for /health and
/auth/me, once per setting.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vchata_perf")
os.environ.setdefault("JWT_ACCESS_MINUTES", "600")

SETTINGS = {
    "CONN_MAX_AGE=0 (connect per request)": {"CONN_MAX_AGE": "0"},
    "CONN_MAX_AGE=60 (persistent, the default)": {"CONN_MAX_AGE": "60"},
    "psycopg pool (min 1, max 2 per worker)": {"BENCH_DB_POOL": "1"},
}


def main() -> None:
    import django

    django.setup()
    from bench import org as bench_org
    from bench.scenario import Scenario
    from bench.serve import free_port, gunicorn
    from bench.throughput import requests_per_second

    scenario = Scenario.build(bench_org.find())
    print(f"| {'connections':<42} | {'/health req/s':>13} | {'/auth/me req/s':>14} |")
    print(f"|{'-' * 44}|{'-' * 15}|{'-' * 16}|")
    for label, env in SETTINGS.items():
        port = free_port()
        with gunicorn(port=port, workers=2, env=env):
            health = requests_per_second(port, "/health", None)
            me = requests_per_second(port, "/auth/me", scenario.token)
        print(f"| {label:<42} | {health:13.0f} | {me:14.0f} |", flush=True)


if __name__ == "__main__":
    main()
