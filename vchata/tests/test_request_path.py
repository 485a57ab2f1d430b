"""The request path's shortcuts answer exactly as what they stand in for.

- Content negotiation without parsing a missing, ``*/*`` or ``application/json`` Accept header
  (``vchata/negotiation.py``) picks what DRF's negotiation picks, for every header.
- The PostgreSQL health check without a query (``vchata/postgresql``) still replaces a connection
  the server dropped, and sends ``SELECT 1`` whenever the socket can't vouch for the connection.
"""

import time

import psycopg
import pytest
from django.db import connections
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from vchata.negotiation import FirstRendererNegotiation

ACCEPT_HEADERS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=4",
    "application/*",
    "text/html",
    "text/html, */*;q=0.8",
    "application/xml",
    "",
    "*/*; q=0.5",
]


def negotiate(negotiation, accept: str | None, query: str, renderers) -> tuple[str, str] | str:
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/auth/me{query}", **headers))
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers)
    except NotAcceptable:
        return "406"
    except Exception as error:  # DRF's 404 for an unknown ?format=
        return type(error).__name__
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("query", ["", "?format=json", "?format=api", "?format=xml", "?format="])
@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
@pytest.mark.parametrize(
    "renderers", [[JSONRenderer()], [JSONRenderer(), BrowsableAPIRenderer()]], ids=["json", "json-and-browsable"]
)
def test_the_shortcut_chooses_what_drf_chooses(accept, query, renderers):
    expected = negotiate(DefaultContentNegotiation(), accept, query, renderers)

    assert negotiate(FirstRendererNegotiation(), accept, query, renderers) == expected


@pytest.mark.django_db
def test_an_api_route_still_refuses_an_accept_header_it_cannot_answer(api):
    assert api.get("/auth/me", HTTP_ACCEPT="*/*").status_code == 200
    assert api.get("/auth/me", HTTP_ACCEPT="application/json")["Content-Type"] == "application/json"
    assert api.get("/auth/me", HTTP_ACCEPT="text/html").status_code == 406


@pytest.fixture
def own_connection(settings):
    """A second connection to the test database, outside the test's transaction, health-checked as served."""
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("PostgreSQL's backend")
    connection = connections.create_connection("default")
    connection.settings_dict.update(CONN_HEALTH_CHECKS=True, CONN_MAX_AGE=60)
    connection.ensure_connection()
    yield connection
    connection.close()


def last_statement(connection) -> str:
    """What the connection's server process ran last, as another connection sees it."""
    with psycopg.connect(**connection.get_connection_params()) as observer:
        [[query]] = observer.execute(
            "SELECT query FROM pg_stat_activity WHERE pid = %s", [connection.connection.info.backend_pid]
        ).fetchall()
        return query


def start_request(connection) -> None:
    """What Django does between two requests: the next one's first query health-checks the connection."""
    connection.close_if_unusable_or_obsolete()
    assert connection.health_check_done is False


@pytest.mark.django_db
def test_a_busy_healthy_connection_is_checked_without_a_query(own_connection):
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT 'last of the previous request'")
    start_request(own_connection)

    own_connection.close_if_health_check_failed()

    assert own_connection.health_check_done is True
    assert last_statement(own_connection) == "SELECT 'last of the previous request'"


@pytest.mark.django_db
def test_a_connection_idle_for_longer_gets_the_query(own_connection):
    own_connection.trusted_seconds = 0.05
    start_request(own_connection)
    time.sleep(0.1)

    own_connection.close_if_health_check_failed()

    assert last_statement(own_connection) == "SELECT 1"


@pytest.mark.django_db
def test_a_connection_the_server_dropped_is_replaced_before_the_first_query(own_connection):
    dropped = own_connection.connection.info.backend_pid
    with psycopg.connect(**own_connection.get_connection_params()) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [dropped])
    deadline = time.monotonic() + 5
    while own_connection._socket_quiet() and time.monotonic() < deadline:
        time.sleep(0.01)  # the server's goodbye on its way
    start_request(own_connection)

    with own_connection.cursor() as cursor:  # the first query of the next request
        cursor.execute("SELECT pg_backend_pid()")
        [replacement] = cursor.fetchone()

    assert replacement != dropped
