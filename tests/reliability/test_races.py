"""Concurrent writes on PostgreSQL, through the API, with real concurrent connections.

Each request runs in its own thread, so each gets its own database connection
and its own transaction; a barrier releases them together. SQLite serialises
every writer, so these only run on PostgreSQL.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest
from django.db import connection

from conftest import client_for
from leads.models import Activity, Contact, Lead, StageVisit
from leads.tests.factories import ContactFactory, LeadFactory
from pipelines.services import create_pipeline

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


@pytest.fixture(autouse=True)
def _postgres(postgres_only):
    pass


def all_at_once(requests: list) -> list:
    """Run each ``request()`` in its own thread, released together; the responses in order."""
    barrier = threading.Barrier(len(requests))

    def run(request):
        try:
            barrier.wait(timeout=30)
            return request()
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(run, requests))


def test_twenty_identical_creates_make_one_lead_and_nineteen_conflicts(user, org, pipeline):
    contact = ContactFactory(organization=org)
    body = {"contactId": contact.pk, "pipelineId": pipeline.pk, "value": 100}
    clients = [client_for(user) for _ in range(THREADS)]

    responses = all_at_once([lambda c=c: c.post(f"/leads/{org.pk}", body, format="json") for c in clients])

    assert Counter(r.status_code for r in responses) == {201: 1, 409: THREADS - 1}
    conflicts = [r.json() for r in responses if r.status_code == 409]
    assert {c["message"] for c in conflicts} == {"Lead already exists for this contact and pipeline"}
    lead = Lead.objects.get(organization=org, contact=contact, pipeline=pipeline)
    assert StageVisit.objects.filter(lead=lead).count() == 1
    assert Activity.objects.filter(lead=lead, type=Activity.Type.CREATED).count() == 1


def test_twenty_concurrent_moves_leave_one_contiguous_stage_history(user, org):
    pipeline = create_pipeline(org=org, name="Long road", stages=[{"name": f"Step {n}"} for n in range(THREADS + 1)])
    stages = list(pipeline.stages.order_by("order"))
    lead = LeadFactory(organization=org, pipeline=pipeline, stage=stages[0])
    clients = [client_for(user) for _ in range(THREADS)]
    url = f"/leads/{org.pk}/{lead.pk}/move-stage"

    moves = zip(clients, stages[1:], strict=True)  # each thread its own target stage

    responses = all_at_once([lambda c=c, s=s: c.post(url, {"stageId": s.pk}, format="json") for c, s in moves])

    assert [r.status_code for r in responses] == [200] * THREADS
    visits = list(StageVisit.objects.filter(lead=lead).order_by("entered_at", "id"))
    assert len(visits) == THREADS + 1  # every move was effective: each went to a stage of its own
    assert [v.left_at is None for v in visits] == [False] * THREADS + [True]
    for earlier, later in pairwise(visits):
        assert earlier.left_at == later.entered_at  # no gap, no overlap
    lead.refresh_from_db()
    assert lead.stage_id == visits[-1].stage_id
    logged = list(Activity.objects.filter(lead=lead, type=Activity.Type.STAGE_CHANGED).order_by("created_at", "id"))
    assert len(logged) == THREADS
    assert [(m.metadata["fromStageId"], m.metadata["toStageId"]) for m in logged] == [
        (a.stage_id, b.stage_id) for a, b in pairwise(visits)
    ]


def test_concurrent_moves_between_two_stages_record_only_the_effective_ones(user, org, stages):
    lead = LeadFactory(organization=org, stage=stages[0])
    targets = [stages[1], stages[2]] * (THREADS // 2)
    clients = [client_for(user) for _ in range(THREADS)]
    url = f"/leads/{org.pk}/{lead.pk}/move-stage"

    responses = all_at_once(
        [lambda c=c, s=s: c.post(url, {"stageId": s.pk}, format="json") for c, s in zip(clients, targets, strict=True)]
    )

    assert [r.status_code for r in responses] == [200] * THREADS
    visits = list(StageVisit.objects.filter(lead=lead).order_by("entered_at", "id"))
    assert sum(v.left_at is None for v in visits) == 1
    assert visits[-1].left_at is None
    for earlier, later in pairwise(visits):
        assert earlier.left_at == later.entered_at
        assert earlier.stage_id != later.stage_id  # a move to the current stage changes nothing
    assert Activity.objects.filter(lead=lead, type=Activity.Type.STAGE_CHANGED).count() == len(visits) - 1


def test_concurrent_with_contact_creates_with_one_new_email_make_one_contact(user, org):
    pipelines = [org.pipeline_set.get(is_default=True)] + [create_pipeline(org=org, name=f"P{n}") for n in range(3)]
    spellings = ["new.person@example.com", "New.Person@Example.com", "NEW.PERSON@EXAMPLE.COM", "new.Person@example.COM"]
    clients = [client_for(user) for _ in range(THREADS)]

    def create(n: int):
        body = {
            "contact": {"name": f"New Person {n}", "email": spellings[n % 4]},
            "pipelineId": pipelines[n % 4].pk,
        }
        return clients[n].post(f"/leads/{org.pk}/with-contact", body, format="json")

    responses = all_at_once([lambda n=n: create(n) for n in range(THREADS)])

    assert Counter(r.status_code for r in responses) == {201: 4, 409: THREADS - 4}  # one lead per pipeline
    contact = Contact.objects.get(organization=org, email__iexact="new.person@example.com")
    assert {r.json()["contact"]["id"] for r in responses if r.status_code == 201} == {contact.pk}
    assert Lead.objects.filter(organization=org, contact=contact).count() == 4
