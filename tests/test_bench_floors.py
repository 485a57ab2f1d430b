"""Every benchmark floor gives the app's answer (``bench/cases.py``), on a small generated org.

The benchmark compares the bodies before it times anything, at a million
leads; this runs the same comparison on 2,000 leads in the suite, so a change
to an answer that leaves its floor behind fails here, not in the next
benchmark run. Timings are not taken.
"""

import pytest
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection

from bench import org as bench_org
from bench.cases import build_cases
from bench.client import InProcess
from bench.scenario import Scenario

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("the generator writes PostgreSQL SQL")
        try:
            yield Scenario.build(bench_org.generate(2_000, log=lambda line: None))
        finally:
            # The rows were committed (the generator vacuums, outside any transaction): clear every table.
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def client(scenario, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]  # what InProcess sends as Host
    # As Django's test client does: a request's end must not close the test's connection (and its transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield InProcess(scenario.token, scenario.session_cookie)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_case_is_answered_and_its_floor_and_old_way_agree(scenario, client):
    disagreements = {}
    # 2,000 leads have no page 10,000 for a cursor to point into (page 1,000 is empty, in both).
    for case in [case for case in build_cases(scenario) if "by cursor" not in case.name]:
        reply = client.send(case.request())
        assert reply.status == case.expect, (case.name, reply.body[:300])
        floor = case.floor()
        if not case.compare(client.send(case.request()).body, floor):
            disagreements[case.name] = "floor"
        if case.live is not None and not (case.compare_live or case.compare)(case.live(), floor):
            disagreements[case.name] = "old way"

    assert disagreements == {}


def test_the_searches_find_something(scenario, client):
    searches = [case for case in build_cases(scenario) if case.name.startswith("search: ")]

    totals = {case.name: client.send(case.request()).json()["pagination"]["total"] for case in searches}

    assert len(totals) == 3
    assert all(total > 0 for total in totals.values()), totals
