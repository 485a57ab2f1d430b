"""``/pipelines/{orgId}…``: pipelines and stages CRUD and reorder (rules have their own tests)."""

import pytest

from conftest import client_for
from leads.tests.factories import LeadFactory
from pipelines.models import Pipeline, Stage
from pipelines.services import create_pipeline
from tests.support.api import (
    error,
    problems,
)
from vchata.accounts.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

DEFAULT_STAGES = [
    ("New", "NEW", 10),
    ("Qualified", "QUALIFIED", 30),
    ("Contacted", "CONTACTED", 60),
    ("Converted", "CONVERTED", 100),
    ("Lost", "LOST", 0),
]


def url(org, *parts: str) -> str:
    return "/".join([f"/pipelines/{org.pk}", *parts])


def stage_rows(pipeline) -> list[tuple[str, int]]:
    return list(Stage.objects.filter(pipeline=pipeline).order_by("order").values_list("name", "order"))


# --- pipelines ----------------------------------------------------------------------


def test_list_pipelines_with_their_stages_in_order(api, org, pipeline, other_org):
    response = api.get(url(org))

    assert response.status_code == 200
    payload = response.json()
    assert payload["message"] == "Pipelines retrieved successfully"
    (item,) = payload["pipelines"]
    assert (item["id"], item["name"], item["isDefault"]) == (pipeline.pk, "Sales Pipeline", True)
    assert [(s["name"], s["status"], s["probability"]) for s in item["stages"]] == DEFAULT_STAGES
    assert [s["order"] for s in item["stages"]] == [1, 2, 3, 4, 5]
    assert set(item["stages"][0]) == {"id", "name", "order", "status", "probability", "rottingDays"}
    assert (item["rottingDays"], item["stages"][0]["rottingDays"]) == (7, None)
    assert payload["pagination"] == {"total": 1, "page": 1, "limit": 20, "hasMore": False}


@pytest.mark.parametrize("limit", [2, 100])
def test_pipeline_list_query_count_does_not_grow_with_the_page_size(api, org, limit, django_assert_num_queries):
    for n in range(6):
        create_pipeline(org=org, name=f"Extra {n}")

    # membership (+org, user), COUNT, the page, its stages
    with django_assert_num_queries(4):
        response = api.get(url(org) + f"?limit={limit}")

    assert len(response.json()["pipelines"]) == min(limit, 7)


def test_create_a_pipeline_with_the_default_stages(api, org):
    response = api.post(url(org), {"name": "Partners"}, format="json")

    assert response.status_code == 201
    pipeline = response.json()["pipeline"]
    assert response.json()["message"] == "Pipeline created successfully"
    assert (pipeline["name"], pipeline["isDefault"]) == ("Partners", False)
    assert [(s["name"], s["status"], s["probability"]) for s in pipeline["stages"]] == DEFAULT_STAGES


def test_create_a_pipeline_with_its_own_stages_in_list_order(api, org):
    stages = [{"name": "Prospect", "status": "NEW", "probability": 10}, {"name": "Signed", "status": "CONVERTED"}]

    pipeline = api.post(url(org), {"name": "Partners", "stages": stages}, format="json").json()["pipeline"]

    assert [(s["name"], s["order"], s["status"], s["probability"]) for s in pipeline["stages"]] == [
        ("Prospect", 1, "NEW", 10),
        ("Signed", 2, "CONVERTED", 0),
    ]


def test_a_new_default_pipeline_takes_over_from_the_old_one(api, org, pipeline):
    created = api.post(url(org), {"name": "Main", "isDefault": True}, format="json").json()["pipeline"]

    assert created["isDefault"] is True
    assert Pipeline.objects.get(pk=pipeline.pk).is_default is False


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "name is required"),
        ({"name": "n" * 121}, "name must be at most 120 characters long"),
        ({"name": "P", "stages": []}, "stages may not be empty"),
        ({"name": "P", "stages": "New"}, "stages must be a list"),
        ({"name": "P", "stages": [{"name": "A"}, {"status": "NEW"}]}, "stages[1].name is required"),
        (
            {"name": "P", "stages": [{"name": "A", "probability": 101}]},
            "stages[0].probability must be less than or equal to 100",
        ),
        (
            {"name": "P", "stages": [{"name": "A", "status": "WON"}]},
            'stages[0].status must be one of the allowed values, not "WON"',
        ),
        ({"name": "P", "stages": [{"name": "A", "color": "red"}]}, "stages[0].color is not an allowed field"),
        ({"name": "P", "stages": [{"name": "A"}] * 51}, "stages must have at most 50 items"),
        ({"name": "P", "owner": "me"}, "owner is not an allowed field"),
        ({"name": "P", "rottingDays": 0}, "rottingDays must be greater than or equal to 1"),
        ({"name": "P", "rottingDays": None}, "rottingDays may not be null"),
        (
            {"name": "P", "stages": [{"name": "A", "rottingDays": 366}]},
            "stages[0].rottingDays must be less than or equal to 365",
        ),
    ],
)
def test_create_a_pipeline_refuses_bad_input(api, org, pipeline, body, message):
    response = api.post(url(org), body, format="json")

    assert problems(response) == [message]
    assert Pipeline.objects.filter(organization=org).count() == 1


def test_create_a_pipeline_with_rotting_days_and_a_stage_override(api, org):
    body = {
        "name": "Enterprise",
        "rottingDays": 30,
        "stages": [{"name": "Talks"}, {"name": "Legal", "rottingDays": 60}],
    }

    pipeline = api.post(url(org), body, format="json").json()["pipeline"]

    assert pipeline["rottingDays"] == 30
    assert [s["rottingDays"] for s in pipeline["stages"]] == [None, 60]
    stored = Pipeline.objects.get(pk=pipeline["id"])
    assert stored.rotting_days == 30
    assert list(stored.stages.order_by("order").values_list("rotting_days", flat=True)) == [None, 60]


def test_change_a_pipelines_rotting_days(api, org, pipeline):
    response = api.patch(url(org, pipeline.pk), {"rottingDays": 14}, format="json")

    assert response.json()["pipeline"]["rottingDays"] == 14
    pipeline.refresh_from_db()
    assert pipeline.rotting_days == 14


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"rottingDays": 0}, "rottingDays must be greater than or equal to 1"),
        ({"rottingDays": "soon"}, "rottingDays must be an integer"),
        ({"rottingDays": None}, "rottingDays may not be null"),
    ],
)
def test_pipeline_rotting_days_refuses_bad_input(api, org, pipeline, body, message):
    response = api.patch(url(org, pipeline.pk), body, format="json")

    assert problems(response) == [message]
    pipeline.refresh_from_db()
    assert pipeline.rotting_days == 7


def test_get_a_pipeline(api, org, pipeline):
    response = api.get(url(org, pipeline.pk))

    assert response.json()["pipeline"]["id"] == pipeline.pk
    assert response.json()["message"] == "Pipeline retrieved successfully"


def test_rename_a_pipeline(api, org, pipeline):
    response = api.patch(url(org, pipeline.pk), {"name": "Sales"}, format="json")

    assert response.status_code == 200
    assert response.json()["pipeline"]["name"] == "Sales"


def test_make_another_pipeline_the_default(api, org, pipeline):
    other = create_pipeline(org=org, name="Partners")

    response = api.patch(url(org, other.pk), {"isDefault": True}, format="json")

    assert response.json()["pipeline"]["isDefault"] is True
    assert list(Pipeline.objects.filter(organization=org, is_default=True)) == [other]


def test_unsetting_the_default_is_refused(api, org, pipeline):
    response = api.patch(url(org, pipeline.pk), {"isDefault": False}, format="json")

    assert problems(response) == ["isDefault: make another pipeline the default instead"]
    assert Pipeline.objects.get(pk=pipeline.pk).is_default is True


def test_delete_an_empty_pipeline_with_its_stages(api, org):
    other = create_pipeline(org=org, name="Partners")

    response = api.delete(url(org, other.pk))

    assert response.json() == {"success": True, "message": "Pipeline deleted successfully"}
    assert not Pipeline.objects.filter(pk=other.pk).exists()
    assert not Stage.objects.filter(pipeline_id=other.pk).exists()


def test_deleting_a_pipeline_with_leads_is_a_conflict(api, org):
    other = create_pipeline(org=org, name="Partners")
    LeadFactory(organization=org, pipeline=other)

    response = api.delete(url(org, other.pk))

    assert response.status_code == 409
    assert error(response) == "Pipeline still has leads; move or delete them first"
    assert Pipeline.objects.filter(pk=other.pk).exists()


def test_deleting_the_default_pipeline_is_a_conflict(api, org, pipeline):
    response = api.delete(url(org, pipeline.pk))

    assert response.status_code == 409
    assert error(response) == "The default pipeline cannot be deleted; make another pipeline the default first"


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_organizations_pipeline_is_not_found(api, org, other_org, method):
    foreign = create_pipeline(org=other_org, name="Theirs")

    response = getattr(api, method)(url(org, foreign.pk), {"name": "Mine"}, format="json")

    assert response.status_code == 404
    assert error(response) == "Pipeline not found or you don't have access"
    assert Pipeline.objects.get(pk=foreign.pk).name == "Theirs"


# --- stages -------------------------------------------------------------------------


def test_add_a_stage_at_the_end(api, org, pipeline):
    response = api.post(url(org, pipeline.pk, "stages"), {"name": "Negotiation", "probability": 80}, format="json")

    assert response.status_code == 201
    stage = response.json()["stage"]
    assert response.json()["message"] == "Stage created successfully"
    assert (stage["name"], stage["order"], stage["status"], stage["probability"]) == ("Negotiation", 6, None, 80)


def test_add_a_stage_at_a_position_moves_the_later_ones_down(api, org, pipeline):
    api.post(url(org, pipeline.pk, "stages"), {"name": "Demo", "status": "CONTACTED", "order": 2}, format="json")

    assert stage_rows(pipeline) == [
        ("New", 1),
        ("Demo", 2),
        ("Qualified", 3),
        ("Contacted", 4),
        ("Converted", 5),
        ("Lost", 6),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "name is required"),
        ({"name": "A", "order": 0}, "order must be greater than or equal to 1"),
        ({"name": "A", "probability": -1}, "probability must be greater than or equal to 0"),
        ({"name": "A", "probability": "high"}, "probability must be an integer"),
        ({"name": "A", "pipelineId": "pipeline_x"}, "pipelineId is not an allowed field"),
    ],
)
def test_add_a_stage_refuses_bad_input(api, org, pipeline, body, message):
    response = api.post(url(org, pipeline.pk, "stages"), body, format="json")

    assert problems(response) == [message]
    assert Stage.objects.filter(pipeline=pipeline).count() == 5


def test_update_a_stage(api, org, stages):
    response = api.patch(
        url(org, stages[0].pipeline_id, "stages", stages[0].pk),
        {"name": "Inbox", "status": None, "probability": 5},
        format="json",
    )

    assert response.status_code == 200
    stage = response.json()["stage"]
    assert (stage["name"], stage["status"], stage["probability"], stage["order"]) == ("Inbox", None, 5, 1)


def test_a_stage_overrides_and_then_inherits_the_pipelines_rotting_days(api, org, stages):
    stage_url = url(org, stages[1].pipeline_id, "stages", stages[1].pk)

    assert api.patch(stage_url, {"rottingDays": 3}, format="json").json()["stage"]["rottingDays"] == 3
    stages[1].refresh_from_db()
    assert stages[1].rotting_days == 3
    assert api.patch(stage_url, {"rottingDays": None}, format="json").json()["stage"]["rottingDays"] is None
    stages[1].refresh_from_db()
    assert stages[1].rotting_days is None


def test_add_a_stage_with_rotting_days(api, org, pipeline):
    response = api.post(url(org, pipeline.pk, "stages"), {"name": "Legal", "rottingDays": 21}, format="json")

    assert response.json()["stage"]["rottingDays"] == 21


def test_stage_rotting_days_refuses_bad_input(api, org, stages):
    response = api.patch(url(org, stages[0].pipeline_id, "stages", stages[0].pk), {"rottingDays": 0}, format="json")

    assert problems(response) == ["rottingDays must be greater than or equal to 1"]
    stages[0].refresh_from_db()
    assert stages[0].rotting_days is None


def test_update_a_stage_of_another_pipeline_path_is_not_found(api, org, pipeline):
    other = create_pipeline(org=org, name="Partners")
    foreign_stage = other.stages.first()

    response = api.patch(url(org, pipeline.pk, "stages", foreign_stage.pk), {"name": "X"}, format="json")

    assert response.status_code == 404
    assert error(response) == "Stage not found or you don't have access"


def test_delete_an_empty_stage_closes_the_gap(api, org, pipeline, stages):
    response = api.delete(url(org, pipeline.pk, "stages", stages[1].pk))

    assert response.json() == {"success": True, "message": "Stage deleted successfully"}
    assert stage_rows(pipeline) == [("New", 1), ("Contacted", 2), ("Converted", 3), ("Lost", 4)]


def test_deleting_a_stage_holding_leads_is_a_conflict(api, org, pipeline, stages):
    LeadFactory(organization=org, stage=stages[1])

    response = api.delete(url(org, pipeline.pk, "stages", stages[1].pk))

    assert response.status_code == 409
    assert error(response) == "Stage still has leads; move them to another stage first"
    assert Stage.objects.filter(pk=stages[1].pk).exists()


def test_deleting_the_last_stage_is_a_conflict(api, org):
    solo = create_pipeline(org=org, name="Solo", stages=[{"name": "Only"}])

    response = api.delete(url(org, solo.pk, "stages", solo.stages.get().pk))

    assert response.status_code == 409
    assert error(response) == "A pipeline must keep at least one stage"


def test_reorder_stages(api, org, pipeline, stages):
    new_order = [stages[4].pk, stages[0].pk, stages[2].pk, stages[1].pk, stages[3].pk]

    response = api.post(url(org, pipeline.pk, "stages", "reorder"), {"stageIds": new_order}, format="json")

    assert response.status_code == 200
    assert response.json()["message"] == "Stages reordered successfully"
    assert [s["id"] for s in response.json()["pipeline"]["stages"]] == new_order
    assert [s["order"] for s in response.json()["pipeline"]["stages"]] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "pick",
    [
        lambda stages, foreign: [s.pk for s in stages[:-1]],
        lambda stages, foreign: [s.pk for s in stages] + [stages[0].pk],
        lambda stages, foreign: [s.pk for s in stages[:-1]] + [foreign],
    ],
    ids=["missing-one", "duplicate", "foreign-stage"],
)
def test_reorder_must_list_every_stage_of_the_pipeline_once(api, org, pipeline, stages, other_org, pick):
    foreign = other_org.pipeline_set.get().stages.first().pk

    response = api.post(url(org, pipeline.pk, "stages", "reorder"), {"stageIds": pick(stages, foreign)}, format="json")

    assert problems(response) == ["stageIds must list every stage of the pipeline exactly once"]
    assert stage_rows(pipeline) == [(name, n) for n, (name, _, _) in enumerate(DEFAULT_STAGES, start=1)]


def test_reorder_refuses_a_missing_list(api, org, pipeline):
    response = api.post(url(org, pipeline.pk, "stages", "reorder"), {"stageIds": []}, format="json")

    assert problems(response) == ["stageIds may not be empty"]


def test_pipeline_routes_refuse_a_member_of_another_organization(org, pipeline, stages):
    client = client_for(OrganizationFactory().memberships.get().user)

    responses = [
        client.get(url(org)),
        client.post(url(org), {"name": "X"}, format="json"),
        client.get(url(org, pipeline.pk)),
        client.patch(url(org, pipeline.pk), {"name": "X"}, format="json"),
        client.delete(url(org, pipeline.pk)),
        client.post(url(org, pipeline.pk, "stages"), {"name": "X"}, format="json"),
        client.patch(url(org, pipeline.pk, "stages", stages[0].pk), {"name": "X"}, format="json"),
        client.delete(url(org, pipeline.pk, "stages", stages[0].pk)),
        client.post(url(org, pipeline.pk, "stages", "reorder"), {"stageIds": []}, format="json"),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    assert Pipeline.objects.get(pk=pipeline.pk).name == "Sales Pipeline"
    assert stage_rows(pipeline)[0] == ("New", 1)
