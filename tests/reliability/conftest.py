"""Fixtures for the reliability tests: real throttle rates, PostgreSQL-only marks, real servers on loopback."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from django.core.cache import cache
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def throttle_rates(settings):
    """``throttle_rates(anon="3/minute", ...)`` sets real rates (the suite runs unthrottled) on a clean counter."""

    def apply(**rates: str) -> None:
        current = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {
            **current,
            "DEFAULT_THROTTLE_RATES": {**current["DEFAULT_THROTTLE_RATES"], **rates},
        }
        cache.clear()

    yield apply
    cache.clear()


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI runs the race tests on PostgreSQL: set DATABASE_URL")
        pytest.skip("needs PostgreSQL (row locks and real concurrent connections)")


def database_url(name: str | None = None) -> str:
    """A postgres:// URL of the test database (or of database ``name`` on the same server), for other processes."""
    from urllib.parse import quote

    conf = connection.settings_dict
    credentials = quote(conf["USER"] or "postgres") + (f":{quote(conf['PASSWORD'])}" if conf["PASSWORD"] else "")
    return f"postgres://{credentials}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name or conf['NAME']}"


def session_cookie(user, org) -> str:
    """A signed-in browser session of ``user`` with ``org`` current, stored in the database, as a Cookie header."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from vchata.tenancy.pages import CURRENT_ORG_SESSION_KEY

    session = SessionStore()
    session[SESSION_KEY] = user.pk
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[CURRENT_ORG_SESSION_KEY] = org.pk
    session.create()
    return f"sessionid={session.session_key}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 2, output: Path | None = None):
    """Serve the project with gunicorn (and gunicorn.conf.py) on a free loopback port; yields its base URL.

    For what only a real server shows (several workers, chunked bodies, logs);
    unless ``env`` gives a DATABASE_URL, the routes used must answer before
    touching the database. ``output`` collects what the server logs.
    """
    port = free_port()
    full_env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "gunicorn-test-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": "sqlite:///:memory:",
        **env,
    }
    for harness_only in ("PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        full_env.pop(harness_only, None)
    log = None if output is None else output.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "vchata.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "-k",
            "gthread",
        ],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL if output is None else log,
        stderr=subprocess.PIPE if output is None else subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{url}/health", timeout=5)
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    failure = output.read_text() if output else process.stderr.read().decode()
                    raise RuntimeError(failure[-2000:]) from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
        if log is not None:
            log.close()


class RedisServer:
    """A redis-server of our own on a free loopback port, keeping nothing on disk, to stop and start at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: gone at once, with everything it held."""
        self.process.kill()
        self.process.wait(timeout=10)

    def answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.2, socket_timeout=0.2).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)


@contextmanager
def redis_server():
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
