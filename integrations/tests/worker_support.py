"""Real Celery processes for tests: workers and beat on the loopback Redis, over the test database.

Each test run gets its own Redis database number and key prefix, so it shares
nothing with other runs or deployments on the same Redis.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 14


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class CeleryProcess:
    def __init__(self, args: list[str], env: dict[str, str]):
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "vchata", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.output.append(line)

    def wait_for_output(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.output):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("".join(self.output[-40:]) or "celery exited")
            time.sleep(0.05)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class CeleryCluster:
    """Start workers (and beat) that all use one broker URL and key prefix."""

    def __init__(self, tmp_path: Path, **settings: str):
        self.prefix = f"vchata-test-{uuid.uuid4().hex[:8]}"
        self.broker_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
        self.tmp_path = tmp_path
        self.processes: list[CeleryProcess] = []
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("PYTEST_CURRENT_TEST", "PYTEST_ADDOPTS")},
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CACHE_KEY_PREFIX": self.prefix,
            "WEBHOOKS_ALLOW_PRIVATE": "1",
            "DB_PREPARE_THRESHOLD": "off",
            "CONN_MAX_AGE": "0",
            **settings,
        }

    @property
    def keyprefix(self) -> str:
        return f"{self.prefix}:"  # the global_keyprefix settings derive from CACHE_KEY_PREFIX

    def worker(self) -> CeleryProcess:
        name = f"w{len(self.processes)}-{self.prefix}@localhost"
        process = CeleryProcess(
            ["worker", "--pool=solo", "-n", name, "--without-gossip", "--without-mingle", "--loglevel=INFO"],
            self.env,
        )
        self.processes.append(process)
        process.wait_for_output("ready.")
        return process

    def beat(self) -> CeleryProcess:
        schedule = self.tmp_path / f"beat-{len(self.processes)}"
        process = CeleryProcess(["beat", "--loglevel=INFO", f"--schedule={schedule}"], self.env)
        self.processes.append(process)
        process.wait_for_output("beat: Starting")
        return process

    def close(self) -> None:
        for process in self.processes:
            process.stop()
        client = redis.Redis.from_url(self.broker_url)
        keys = list(client.scan_iter(f"{self.keyprefix}*"))
        if keys:
            client.delete(*keys)


@contextmanager
def celery_cluster(tmp_path: Path, **settings: str):
    cluster = CeleryCluster(tmp_path, **settings)
    try:
        yield cluster
    finally:
        cluster.close()
