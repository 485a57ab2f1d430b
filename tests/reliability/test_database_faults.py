"""Database trouble is a 503 with Retry-After, for the API (the envelope) and for pages, never a 500.

Every fault here is real: a closed port, a role that may not open another
connection, a lock held by another connection, a statement PostgreSQL cancels.
The tests commit (``transaction=True``) because they change the connection
itself, and put it back afterwards.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.db import IntegrityError, OperationalError, ProgrammingError, connection
from django.urls import reverse

from leads.models import Activity, Lead
from leads.tests.factories import LeadFactory
from tests.support.api import leads_url
from vchata.dbfaults import retry_after

from .conftest import database_url

pytestmark = pytest.mark.django_db(transaction=True)


def assert_unavailable(response, retry_after: str) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == retry_after
    assert response.json() == {
        "success": False,
        "statusCode": 503,
        "message": response.json()["message"],
        "error": "Service Unavailable",
    }
    assert "try again" in response.json()["message"]


@pytest.fixture(autouse=True)
def fresh_connection_afterwards():
    """Tests here change the connection (its target, its timeouts): the next test opens a new one."""
    yield
    connection.close()


@contextmanager
def connection_settings(**changes) -> Iterator[None]:
    """Reconnect with other connection settings (a closed port, another role) for the block."""
    kept = {name: connection.settings_dict[name] for name in changes}
    connection.close()
    connection.settings_dict.update(changes)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(kept)


@contextmanager
def held_by_another_connection(sql: str, release_after: float = 10.0) -> Iterator[None]:
    """Run ``sql`` (a lock) in a transaction of another connection, kept open for the block.

    Released after ``release_after`` seconds at the latest, so code without timeouts
    fails the test by waiting instead of hanging it.
    """
    other = psycopg.connect(database_url())
    other.execute(sql)
    timer = threading.Timer(release_after, other.cancel_safe)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        other.rollback()
        other.close()


@pytest.mark.postgres
def test_a_write_waiting_on_a_lock_is_a_503_and_changes_nothing(api, org, stages, settings):
    settings.DB_LOCK_TIMEOUT = 0.2
    lead = LeadFactory(organization=org, stage=stages[0])

    with held_by_another_connection(f"BEGIN; SELECT 1 FROM leads_lead WHERE id = '{lead.pk}' FOR UPDATE"):
        response = api.post(leads_url(org, lead.pk, "move-stage"), {"stageId": stages[1].pk}, format="json")

    assert_unavailable(response, retry_after="1")
    assert Lead.objects.get(pk=lead.pk).stage_id == stages[0].pk
    assert not Activity.objects.filter(lead=lead, type=Activity.Type.STAGE_CHANGED).exists()


@pytest.mark.postgres
def test_a_read_past_the_statement_timeout_is_a_503(api, org, settings):
    settings.DB_STATEMENT_TIMEOUT = 0.2
    settings.DB_LOCK_TIMEOUT = 0  # so it is the statement timeout that ends the wait
    LeadFactory(organization=org)

    with held_by_another_connection("BEGIN; LOCK TABLE leads_lead IN ACCESS EXCLUSIVE MODE"):
        response = api.get(leads_url(org))

    assert_unavailable(response, retry_after="1")


@pytest.mark.postgres
def test_the_admin_keeps_the_lock_timeout_but_has_no_statement_timeout(settings):
    from vchata.dbtimeouts import timeouts_for

    settings.DB_STATEMENT_TIMEOUT = 10
    settings.DB_LOCK_TIMEOUT = 2.5

    assert timeouts_for("/leads/org_x") == (10_000, 2_500)
    assert timeouts_for("/admin/leads/lead/") == (0, 2_500)


@pytest.mark.postgres
def test_served_requests_run_with_the_timeouts_and_other_code_does_not(api, org, settings):
    settings.DB_STATEMENT_TIMEOUT = 7
    settings.DB_LOCK_TIMEOUT = 3
    connection.close()
    connection.ensure_connection()  # opened outside a request: the server's defaults
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]

    api.get(leads_url(org))
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout'), current_setting('lock_timeout')")
        during = cursor.fetchone()

    assert before == "0"
    assert during == ("7s", "3s")


@pytest.mark.postgres
def test_an_unreachable_database_is_a_503_for_the_api_pages_and_health(api, org, browser, anon):
    board = reverse("org-home", kwargs={"org_id": org.pk})
    browser.raise_request_exception = False  # the answer a real browser gets, not the test client's re-raise
    with connection_settings(PORT="1"):  # nothing listens there: connection refused
        api_response = api.get(leads_url(org))
        page = browser.get(board)
        health = anon.get("/health")
        ready = anon.get("/health/ready")
        live = anon.get("/health/live")

    assert_unavailable(api_response, retry_after="5")
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert "Temporarily unavailable" in page.content.decode()
    assert (health.status_code, health.json()["status"], health.json()["database"]) == (503, "down", "unreachable")
    assert ready.status_code == 503
    assert live.status_code == 200


@pytest.fixture
def role_without_connections():
    """A role that may log in but has no connection to spare: PostgreSQL's "too many connections"."""
    name = "vchata_test_no_connections"
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {name}")
        admin.execute(f"CREATE ROLE {name} LOGIN CONNECTION LIMIT 0")
    yield name
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {name}")


@pytest.mark.postgres
def test_too_many_connections_is_a_503(api, org, role_without_connections):
    with connection_settings(USER=role_without_connections, PASSWORD=""):
        response = api.get(leads_url(org))

    assert_unavailable(response, retry_after="5")


def test_errors_a_retry_would_repeat_stay_500s():
    assert retry_after(ProgrammingError("relation does not exist")) is None
    assert retry_after(IntegrityError("duplicate key")) is None
    assert retry_after(OperationalError("no such table: leads_lead")) is None  # SQLite: a missing migration
    assert retry_after(OperationalError("database is locked")) == 1  # SQLite: its busy timeout ran out
    assert retry_after(ValueError("not a database error")) is None
