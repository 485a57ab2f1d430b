"""Two requests creating the same contact+pipeline lead at once: the unique constraint decides, the loser gets 409.

Real threads with their own PostgreSQL connections and transactions. SQLite
lets one writer in at a time, so the two inserts can never overlap there.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from conftest import client_for
from leads.models import Activity, Lead, StageVisit
from leads.services import create_lead
from leads.tests.factories import ContactFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LEAD_EXISTS = "Lead already exists for this contact and pipeline"


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so requests never overlap there")


def in_thread(target) -> tuple[threading.Thread, dict]:
    """Run ``target()`` in a thread with its own connection; its result or exception lands in the dict."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = target()
        except Exception as exc:  # handed to the test thread, which asserts on it
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def wait_for_a_lock_wait(timeout: float = 10.0) -> bool:
    """True once another backend of this database is blocked on a lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def test_two_simultaneous_creates_make_one_lead_and_one_conflict(user, org, pipeline):
    contact = ContactFactory(organization=org)
    body = {"contactId": contact.pk, "pipelineId": pipeline.pk}
    barrier = threading.Barrier(2)
    clients = [client_for(user), client_for(user)]

    def create(client):
        barrier.wait(timeout=10)
        return client.post(f"/leads/{org.pk}", body, format="json")

    runs = [in_thread(lambda c=c: create(c)) for c in clients]
    for thread, _ in runs:
        thread.join(timeout=30)

    responses = [outcome["result"] for _, outcome in runs]
    assert sorted(r.status_code for r in responses) == [201, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json() == {"success": False, "statusCode": 409, "message": LEAD_EXISTS, "error": "Conflict"}
    lead = Lead.objects.get(contact=contact, pipeline=pipeline)
    assert StageVisit.objects.filter(lead=lead).count() == 1
    assert Activity.objects.filter(lead=lead).count() == 1


def test_a_create_that_passes_the_check_before_the_other_commits_gets_409_from_the_constraint(user, org, pipeline):
    """The interleaving the pre-check cannot catch: both see no lead, the second insert waits, then fails."""
    contact = ContactFactory(organization=org)
    first_inserted, release_first = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            lead = create_lead(org=org, actor=user, contact=contact, pipeline=pipeline)
            first_inserted.set()
            release_first.wait(timeout=20)  # hold the uncommitted row until the second insert waits on it
        return lead

    first_thread, first_outcome = in_thread(first)
    assert first_inserted.wait(timeout=10)
    second_thread, second_outcome = in_thread(
        lambda: client_for(user).post(
            f"/leads/{org.pk}", {"contactId": contact.pk, "pipelineId": pipeline.pk}, format="json"
        )
    )
    blocked = wait_for_a_lock_wait()
    release_first.set()
    first_thread.join(timeout=30)
    second_thread.join(timeout=30)

    assert blocked, "the second insert never waited on the first one's uncommitted row"
    assert "error" not in first_outcome
    response = second_outcome["result"]
    assert response.status_code == 409
    assert response.json()["message"] == LEAD_EXISTS
    assert list(Lead.objects.values_list("pk", flat=True)) == [first_outcome["result"].pk]
