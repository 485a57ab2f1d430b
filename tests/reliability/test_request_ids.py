"""A request id on every response and in every log line; the proxy's id kept only when trusted."""

import json
import logging
import re

import pytest
import requests

from vchata.logs import RequestIdFilter

from .conftest import free_port, gunicorn

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"[0-9a-f]{32}")


def test_every_response_carries_a_new_request_id(anon, api):
    first, second, error = anon.get("/health"), api.get("/auth/me"), anon.get("/no/such/route")

    ids = [response["X-Request-ID"] for response in (first, second, error)]
    assert all(GENERATED.fullmatch(request_id) for request_id in ids)
    assert len(set(ids)) == 3


def test_the_id_a_client_sends_is_ignored_unless_the_proxy_is_trusted(anon, settings):
    assert anon.get("/health", HTTP_X_REQUEST_ID="planted-by-a-client")["X-Request-ID"] != "planted-by-a-client"

    settings.TRUST_REQUEST_ID_HEADER = True
    assert anon.get("/health", HTTP_X_REQUEST_ID="lb-7f3a:0001")["X-Request-ID"] == "lb-7f3a:0001"
    replaced = anon.get("/health", HTTP_X_REQUEST_ID="no spaces or\nnewlines")["X-Request-ID"]
    assert GENERATED.fullmatch(replaced)


@pytest.mark.urls("tests.reliability.failing_urls")
def test_djangos_own_log_line_of_a_failed_request_carries_its_id(anon):
    records = []
    handler = logging.Handler()
    handler.addFilter(RequestIdFilter())
    handler.emit = records.append
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    anon.raise_request_exception = False
    try:
        response = anon.get("/broken")  # logged by Django after the middleware has answered
    finally:
        logger.removeHandler(handler)

    assert response.status_code == 500
    assert [record.request_id for record in records] == [response["X-Request-ID"]]


def test_log_records_outside_a_request_say_so():
    record = logging.LogRecord("vchata", logging.INFO, __file__, 1, "start-up", None, None)

    RequestIdFilter().filter(record)

    assert record.request_id == "-"


def test_json_logs_of_the_app_and_of_gunicorn_carry_the_request_id(tmp_path):
    """A real gunicorn with gunicorn.conf.py: the access line and the app's warning share the request's id."""
    output = tmp_path / "server.log"
    env = {
        "LOG_FORMAT": "json",
        "TRUST_REQUEST_ID_HEADER": "1",
        # An unreachable Redis: the request logs a warning from inside the app (and is served all the same).
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
    }
    with gunicorn(env, workers=1, output=output) as url:
        # Throttled (so it asks the cache) and refused without touching the database.
        response = requests.post(
            f"{url}/auth/token/refresh", json={"refresh": "garbage"}, headers={"X-Request-ID": "trace-42"}, timeout=30
        )

    lines = [json.loads(line) for line in output.read_text().splitlines() if line.startswith("{")]
    tagged = [line for line in lines if line.get("request_id") == "trace-42"]
    assert response.status_code == 401
    assert response.headers["X-Request-ID"] == "trace-42"
    assert {line["logger"] for line in tagged} >= {"vchata.cache", "gunicorn.access"}
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
