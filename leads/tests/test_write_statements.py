"""Statement counts of the hot write paths through the API, pinned: constant, whatever the org holds.

Each is a few SQL statements plus its transaction's two: here the service's ``atomic`` is a
SAVEPOINT and its RELEASE inside the test's transaction, in ``make bench`` it is BEGIN and COMMIT,
counted the same way (the floors that do the same writes by hand, bench/floors.py, take 10). They
were 15 and 21, then 10 each. Each test also checks that every row the write makes is there.
"""

import pytest

from integrations.models import OutboxEvent
from leads.models import Activity, Contact, CustomField, Lead, LeadChange, StageVisit
from leads.tests.factories import LeadFactory
from pipelines.models import Stage

pytestmark = pytest.mark.django_db


def create_body(pipeline, email: str) -> dict:
    return {"contact": {"name": "Ann", "email": email}, "pipelineId": pipeline.pk, "source": "website", "value": 10}


@pytest.fixture
def moving_lead(api, org):
    pipeline = org.pipeline_set.get()
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("order"))
    lead_id = api.post(f"/leads/{org.pk}/with-contact", create_body(pipeline, "a@x.test"), format="json").json()
    return lead_id["lead"]["id"], stages


def test_move_stage_statements(api, org, moving_lead, django_assert_num_queries):
    lead_id, stages = moving_lead
    assert stages[2].status and stages[2].status != stages[0].status  # the move changes the status too
    # membership, savepoint, the lead locked with the target and current stages, the open visit closed
    # with the new visit + both activities (stage, status) + the change record + the outbox events in
    # one, the lead, the rules of both events in one, release
    with django_assert_num_queries(7):
        response = api.post(f"/leads/{org.pk}/{lead_id}/move-stage", {"stageId": stages[2].pk}, format="json")
    assert response.status_code == 200
    assert response.json()["lead"]["stageId"] == stages[2].pk
    visits = StageVisit.objects.filter(lead_id=lead_id).order_by("entered_at")
    assert [(v.stage_id, v.left_at is None) for v in visits] == [(stages[0].pk, False), (stages[2].pk, True)]
    assert list(Activity.objects.filter(lead_id=lead_id).order_by("created_at").values_list("type", flat=True)) == [
        "CREATED",
        "STAGE_CHANGED",
        "STATUS_CHANGED",
    ]
    moved = LeadChange.objects.filter(lead_id=lead_id, created=False).get()
    assert moved.changes["stageId"] == [stages[0].pk, stages[2].pk]
    assert OutboxEvent.objects.filter(type="lead.stage_changed", data__lead__id=lead_id).count() == 1


def test_create_with_contact_statements(api, org, django_assert_num_queries):
    pipeline = org.pipeline_set.get()
    # membership, the pipeline with its first stage, savepoint, the contact, the lead with the custom
    # fields' definitions, its visit + activity + change record + outbox event in one, the rules, release
    with django_assert_num_queries(8):
        response = api.post(f"/leads/{org.pk}/with-contact", create_body(pipeline, "b@x.test"), format="json")
    assert response.status_code == 201
    lead_id = response.json()["lead"]["id"]
    assert Contact.objects.get(pk=response.json()["contact"]["id"]).email == "b@x.test"
    assert StageVisit.objects.filter(lead_id=lead_id, left_at__isnull=True).count() == 1
    assert list(Activity.objects.filter(lead_id=lead_id).values_list("type", flat=True)) == ["CREATED"]
    assert LeadChange.objects.filter(lead_id=lead_id, created=True).count() == 1
    assert OutboxEvent.objects.filter(type="lead.created", data__lead__id=lead_id).count() == 1


def test_a_known_contact_is_reused_and_its_lead_in_the_pipeline_is_a_conflict(api, org):
    pipeline = org.pipeline_set.get()
    first = api.post(f"/leads/{org.pk}/with-contact", create_body(pipeline, "c@x.test"), format="json").json()
    again = api.post(f"/leads/{org.pk}/with-contact", create_body(pipeline, "C@X.test"), format="json")
    assert again.status_code == 409
    assert again.json()["message"] == "Lead already exists for this contact and pipeline"
    assert Contact.objects.filter(organization=org, email__iexact="c@x.test").count() == 1
    assert list(Activity.objects.filter(lead__contact_id=first["contact"]["id"]).values_list("type", flat=True)) == [
        "CREATED"
    ]


def test_custom_fields_read_with_the_insert_are_checked_and_a_bad_one_leaves_nothing(api, org):
    CustomField.objects.create(organization=org, key="budget", label="Budget", type="NUMBER", required=True)
    CustomField.objects.create(organization=org, key="tier", label="Tier", type="SELECT", options=["a", "b"])
    pipeline = org.pipeline_set.get()
    url = f"/leads/{org.pk}/with-contact"
    missing = api.post(url, create_body(pipeline, "d@x.test"), format="json")
    assert missing.status_code == 400
    assert "customFields.budget is required" in str(missing.json())
    wrong = api.post(
        url, {**create_body(pipeline, "d@x.test"), "customFields": {"budget": 5, "tier": "z"}}, format="json"
    )
    assert wrong.status_code == 400
    assert "customFields.tier must be one of: a, b" in str(wrong.json())
    assert not Lead.objects.filter(organization=org).exists()
    assert not Contact.objects.filter(organization=org, email="d@x.test").exists()
    body = {**create_body(pipeline, "d@x.test"), "customFields": {"tier": "b", "budget": 5}}
    made = api.post(url, body, format="json")
    assert made.status_code == 201
    assert made.json()["lead"]["customFields"] == {"budget": 5, "tier": "b"}
    assert list(made.json()["lead"]["customFields"]) == ["budget", "tier"]  # the definitions' (label) order
    assert Lead.objects.get(pk=made.json()["lead"]["id"]).custom_fields == {"budget": 5, "tier": "b"}


def test_a_reused_insert_takes_the_parameters_its_compilation_would(org):
    from django.db import connection

    from vchata import statements

    lead = LeadFactory(organization=org)
    first = [Activity(organization=org, lead=lead, type="NOTE", description="a", metadata={"k": [1]})]
    statements._insert_sql(first, using="default")  # compiled, and seen to be reusable
    again = [Activity(organization=org, lead=lead, type="CALL", description="b", metadata={"n": 2})]
    sql, params = statements._insert_sql(again, using="default")
    compiled = statements.InsertQuery(Activity)
    fields = [f for f in Activity._meta.concrete_fields if not f.generated]
    compiled.insert_values(fields, again, raw=True)  # the values the reuse set (ids, timestamps) as they are
    [(expected_sql, expected)] = compiled.get_compiler(connection=connection).as_sql()
    assert sql == expected_sql
    assert [statements._param(p) for p in params] == [statements._param(p) for p in expected]
    two = [Activity(organization=org, lead=lead, type="NOTE"), Activity(organization=org, lead=lead, type="CALL")]
    statements.insert_together(two)  # a shape compiled every time (many rows: UNNEST), still written
    assert Activity.objects.filter(lead=lead, type__in=["NOTE", "CALL"]).count() == 2
