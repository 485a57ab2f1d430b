"""`make run`'s database is SQLite, which the rest of the suite (on PostgreSQL) never touches.

Hand-written SQL for PostgreSQL (an INSERT inside WITH, FOR UPDATE OF, a UNION of sliced queries)
broke the demo there once without a failing test. This runs `make run`'s own steps on a fresh
SQLite file (migrate, seed_demo) and then a newcomer's first walk through the pages and the API.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_the_demo_works_on_make_runs_sqlite_database(tmp_path):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("REDIS_URL", None)  # `make run` needs nothing installed
    for step in (("migrate", "--no-input"), ("seed_demo",)):
        done = run(*step, env=env)
        assert done.returncode == 0, done.stderr[-3000:]
    walk = run("shell", "-c", "import runpy; runpy.run_path('tests/newcomer/sqlite_walk.py')", env=env)
    steps = [line for line in walk.stdout.splitlines() if line.startswith("step ")]
    assert walk.returncode == 0, "\n".join(steps) + "\n" + walk.stderr[-3000:]
    assert len(steps) == 23
