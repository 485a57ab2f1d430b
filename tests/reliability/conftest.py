"""Fixtures for the reliability tests: real throttle rates, PostgreSQL-only marks."""

import os
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 2):
    """Serve the project with gunicorn on a free loopback port; yields its base URL.

    For what only a real server shows (several workers, chunked bodies); the
    routes these tests use answer before touching the database.
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
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
                    raise RuntimeError(process.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
