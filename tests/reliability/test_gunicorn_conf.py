"""gunicorn.conf.py: the production server's settings, read from the environment where a deployment tunes them."""

import os
import subprocess
import sys

import requests

from .conftest import ROOT, gunicorn


def gunicorn_config(**env: str) -> dict[str, str]:
    """The settings gunicorn resolves from gunicorn.conf.py (it reads the file when started from the root)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "WEB_CONCURRENCY"))}
    environment.update(
        SECRET_KEY="gunicorn-conf-test-" + "x" * 40, DATABASE_URL="sqlite:///:memory:"
    )  # it loads the app
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config"],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    pairs = (line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def test_defaults_are_production_settings():
    config = gunicorn_config()

    assert config["wsgi_app"] == "vchata.wsgi:application"
    assert config["workers"] == str(2 * len(os.sched_getaffinity(0)) + 1)
    assert config["worker_class"] == "sync"
    assert (config["timeout"], config["graceful_timeout"]) == ("30", "30")
    assert (config["max_requests"], config["max_requests_jitter"]) == ("10000", "1000")
    assert config["limit_request_line"] == "8190"
    assert config["limit_request_fields"] == "64"
    assert config["accesslog"] == "-"


def test_the_environment_tunes_it():
    config = gunicorn_config(
        GUNICORN_BIND="0.0.0.0:9000",
        WEB_CONCURRENCY="3",
        GUNICORN_TIMEOUT="60",
        GUNICORN_MAX_REQUESTS="500",
        GUNICORN_ACCESS_LOG="off",
    )

    assert config["bind"] == "['0.0.0.0:9000']"
    assert config["workers"] == "3"
    assert config["timeout"] == "60"
    assert (config["max_requests"], config["max_requests_jitter"]) == ("500", "50")
    assert config["accesslog"] == "None"


def test_access_log_off_writes_no_access_line(tmp_path):
    output = tmp_path / "server.log"
    for setting in ("-", "off"):
        with gunicorn({"GUNICORN_ACCESS_LOG": setting}, workers=1, output=output) as url:
            assert requests.get(f"{url}/health/live", timeout=30).status_code == 200
        access_lines = [line for line in output.read_text().splitlines() if "GET /health/live" in line]
        assert len(access_lines) == (1 if setting == "-" else 0), setting
