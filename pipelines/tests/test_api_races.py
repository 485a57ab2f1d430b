"""Concurrent pipeline edits on PostgreSQL, through the API, each request on its own connection."""

import threading

import pytest

from conftest import client_for
from leads.tests.test_race import in_thread, postgres_only  # noqa: F401  (autouse fixture)
from pipelines.models import Pipeline, Stage
from pipelines.services import create_pipeline

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def all_at_once(calls: list) -> list:
    barrier = threading.Barrier(len(calls))
    runs = [in_thread(lambda call=call: (barrier.wait(timeout=10), call())[1]) for call in calls]
    for thread, _ in runs:
        thread.join(timeout=30)
    return [outcome["result"] for _, outcome in runs]


def test_two_pipelines_made_default_at_once_leave_exactly_one_default(user, org):
    first, second = create_pipeline(org=org, name="First"), create_pipeline(org=org, name="Second")
    clients = [client_for(user), client_for(user)]

    responses = all_at_once(
        [
            lambda: clients[0].patch(f"/pipelines/{org.pk}/{first.pk}", {"isDefault": True}, format="json"),
            lambda: clients[1].patch(f"/pipelines/{org.pk}/{second.pk}", {"isDefault": True}, format="json"),
        ]
    )

    assert [r.status_code for r in responses] == [200, 200]
    assert Pipeline.objects.filter(organization=org, is_default=True).count() == 1


def test_stages_added_at_once_get_distinct_consecutive_orders(user, org, pipeline):
    clients = [client_for(user) for _ in range(4)]
    url = f"/pipelines/{org.pk}/{pipeline.pk}/stages"

    responses = all_at_once(
        [lambda c=c, n=n: c.post(url, {"name": f"Extra {n}", "order": 1}, format="json") for n, c in enumerate(clients)]
    )

    assert [r.status_code for r in responses] == [201] * 4
    assert list(Stage.objects.filter(pipeline=pipeline).order_by("order").values_list("order", flat=True)) == list(
        range(1, 10)
    )
