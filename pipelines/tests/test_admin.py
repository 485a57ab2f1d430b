"""Admin of pipelines and stages."""

import pytest
from django.contrib.admin.utils import quote
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.tests.factories import LeadFactory
from pipelines.models import Pipeline, Stage
from pipelines.services import DEFAULT_PIPELINE_KEPT, LAST_STAGE_KEPT, create_pipeline
from tests.support.admin import (
    autocomplete_ids,
    inline_management,
    logged_in,
    org_admin,
    superuser,
)


@pytest.fixture
def su(db):
    return logged_in(superuser())


@pytest.fixture
def staff(org):
    return logged_in(org_admin(org))


def stage_rows(stages, **changes) -> dict:
    """The pipeline form's stage inline with each stage as it is, ``changes`` = {index: {field: value}}."""
    data = {
        "stages-TOTAL_FORMS": str(len(stages)),
        "stages-INITIAL_FORMS": str(len(stages)),
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "1000",
    }
    for index, stage in enumerate(stages):
        row = {"id": stage.pk, "pipeline": stage.pipeline_id, "order": stage.order, "name": stage.name}
        row |= {"status": stage.status or "", "probability": stage.probability}
        row |= changes.get(str(index), {})
        data |= {f"stages-{index}-{name}": value for name, value in row.items()}
    return data


def test_pipeline_list_shows_lead_and_stage_counts(su, org, pipeline):
    LeadFactory.create_batch(3, organization=org)

    body = su.get("/admin/pipelines/pipeline/").content.decode()

    assert '<td class="field-lead_count">3</td>' in body
    assert '<td class="field-stage_count">5</td>' in body


def test_pipeline_list_queries_do_not_grow_with_pipelines(su, org):
    with CaptureQueriesContext(connection) as one:
        su.get("/admin/pipelines/pipeline/")
    for number in range(8):
        create_pipeline(org=org, name=f"Extra {number}")
    with CaptureQueriesContext(connection) as nine:
        response = su.get("/admin/pipelines/pipeline/")

    assert response.content.decode().count('class="field-lead_count"') == 9
    assert len(nine) == len(one)


def test_pipeline_page_lists_stages_in_order(su, pipeline, stages):
    body = su.get(f"/admin/pipelines/pipeline/{pipeline.pk}/change/").content.decode()

    positions = [body.index(f'value="{stage.name}"') for stage in stages]
    assert positions == sorted(positions)


def test_stages_can_swap_places_in_one_save(su, pipeline, stages):
    data = {
        "name": pipeline.name,
        "is_default": "on",
        "rotting_days": "7",
        **stage_rows(stages, **{"1": {"order": 3}, "2": {"order": 2}}),
    }

    response = su.post(f"/admin/pipelines/pipeline/{pipeline.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(pipeline.stages.order_by("order").values_list("name", flat=True)) == [
        "New",
        "Contacted",
        "Qualified",
        "Converted",
        "Lost",
    ]


def test_a_stage_holding_leads_cannot_be_deleted_from_the_inline(su, org, pipeline, stages):
    LeadFactory(organization=org)
    data = {
        "name": pipeline.name,
        "is_default": "on",
        "rotting_days": "7",
        **stage_rows(stages, **{"0": {"DELETE": "on"}}),
    }

    response = su.post(f"/admin/pipelines/pipeline/{pipeline.pk}/change/", data)

    assert response.status_code == 200
    assert Stage.objects.filter(pk=stages[0].pk).exists()


def test_a_new_stage_belongs_to_the_pipelines_org(su, org, pipeline, stages):
    data = {"name": pipeline.name, "is_default": "on", "rotting_days": "7", **stage_rows(stages)}
    data |= {"stages-TOTAL_FORMS": "6", "stages-5-order": "6", "stages-5-name": "On hold", "stages-5-probability": "5"}

    response = su.post(f"/admin/pipelines/pipeline/{pipeline.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Stage.objects.get(name="On hold").organization == org


def test_rotting_days_are_set_on_the_pipeline_and_a_stage(su, pipeline, stages):
    data = {
        "name": pipeline.name,
        "is_default": "on",
        "rotting_days": "12",
        **stage_rows(stages, **{"2": {"rotting_days": "3"}}),
    }

    response = su.post(f"/admin/pipelines/pipeline/{pipeline.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    pipeline.refresh_from_db()
    assert pipeline.rotting_days == 12
    assert list(pipeline.stages.order_by("order").values_list("rotting_days", flat=True)) == [None, None, 3, None, None]


def pipeline_form(pipeline, stages, **fields) -> dict:
    data = {"name": pipeline.name, "rotting_days": pipeline.rotting_days, **stage_rows(stages)}
    if pipeline.is_default:
        data["is_default"] = "on"
    return {**data, **fields}


def orders(pipeline) -> list[tuple[str, int]]:
    return list(pipeline.stages.order_by("order").values_list("name", "order"))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_a_new_default_pipeline_takes_over_from_the_old_one(su, org, pipeline):
    response = su.post(
        "/admin/pipelines/pipeline/add/",
        {"organization": org.pk, "name": "B", "is_default": "on", "rotting_days": 7, **inline_management("stages")},
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(Pipeline.objects.filter(organization=org, is_default=True).values_list("name", flat=True)) == ["B"]


def test_a_pipeline_added_without_stages_gets_the_default_five_as_in_the_api(su, org):
    data = {"organization": org.pk, "name": "B", "rotting_days": 7, **inline_management("stages")}
    su.post("/admin/pipelines/pipeline/add/", data)

    added = Pipeline.objects.get(organization=org, name="B")
    assert [order for _, order in orders(added)] == [1, 2, 3, 4, 5]
    assert not added.is_default


def test_making_another_pipeline_the_default_undefaults_the_old_one(su, org, pipeline):
    """Regression: the form's constraint check said "Constraint … is violated" instead of switching."""
    spare = create_pipeline(org=org, name="Spare")

    response = su.post(
        f"/admin/pipelines/pipeline/{spare.pk}/change/",
        pipeline_form(spare, list(spare.stages.order_by("order")), is_default="on"),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert "violated" not in response.content.decode()
    pipeline.refresh_from_db()
    spare.refresh_from_db()
    assert (pipeline.is_default, spare.is_default) == (False, True)


def test_unticking_default_on_the_default_pipeline_is_an_error_message(su, org, pipeline, stages):
    data = pipeline_form(pipeline, stages)
    del data["is_default"]

    response = su.post(f"/admin/pipelines/pipeline/{pipeline.pk}/change/", data, follow=True)

    assert any("make another pipeline the default" in message for message in messages_of(response))
    pipeline.refresh_from_db()
    assert pipeline.is_default


def test_the_default_pipeline_cannot_be_deleted(su, org, pipeline):
    """Regression: the admin deleted the default pipeline, leaving the org without one."""
    response = su.post(f"/admin/pipelines/pipeline/{pipeline.pk}/delete/", {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert any(DEFAULT_PIPELINE_KEPT in message for message in messages_of(response))
    assert Pipeline.objects.filter(pk=pipeline.pk, is_default=True).exists()
    assert pipeline.stages.count() == 5


def test_bulk_deleting_the_default_pipeline_with_a_spare_deletes_neither(su, org, pipeline):
    spare = create_pipeline(org=org, name="Spare")

    response = su.post(
        "/admin/pipelines/pipeline/",
        {"action": "delete_selected", "_selected_action": [pipeline.pk, spare.pk], "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert any(DEFAULT_PIPELINE_KEPT in message for message in messages_of(response))
    assert Pipeline.objects.filter(organization=org).count() == 2


def test_deleting_a_middle_stage_renumbers_the_rest(su, pipeline, stages):
    """Regression: deleting a middle stage left the orders 1, 3, 4, 5."""
    response = su.post(f"/admin/pipelines/stage/{stages[1].pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert orders(pipeline) == [("New", 1), ("Contacted", 2), ("Converted", 3), ("Lost", 4)]


def test_deleting_a_middle_stage_in_the_inline_renumbers_the_rest(su, pipeline, stages):
    data = pipeline_form(pipeline, stages, **{"stages-1-DELETE": "on"})

    response = su.post(f"/admin/pipelines/pipeline/{pipeline.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert orders(pipeline) == [("New", 1), ("Contacted", 2), ("Converted", 3), ("Lost", 4)]


def test_bulk_deleting_stages_renumbers_the_rest(su, pipeline, stages):
    response = su.post(
        "/admin/pipelines/stage/",
        {"action": "delete_selected", "_selected_action": [stages[1].pk, stages[3].pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert orders(pipeline) == [("New", 1), ("Contacted", 2), ("Lost", 3)]


def test_bulk_deleting_every_stage_is_refused_and_deletes_none(su, pipeline, stages):
    response = su.post(
        "/admin/pipelines/stage/",
        {"action": "delete_selected", "_selected_action": [stage.pk for stage in stages], "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert any(LAST_STAGE_KEPT in message for message in messages_of(response))
    assert [order for _, order in orders(pipeline)] == [1, 2, 3, 4, 5]


def test_a_stage_added_at_a_taken_order_is_inserted_there(su, org, pipeline, stages):
    response = su.post(
        "/admin/pipelines/stage/add/",
        {"pipeline": pipeline.pk, "name": "Demo", "order": 2, "status": "", "probability": 20},
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert [name for name, _ in orders(pipeline)] == ["New", "Demo", "Qualified", "Contacted", "Converted", "Lost"]
    assert [order for _, order in orders(pipeline)] == [1, 2, 3, 4, 5, 6]
    assert Stage.objects.get(name="Demo").organization == org


def test_moving_a_stage_on_its_own_page_reorders_the_pipeline(su, pipeline, stages):
    lost = stages[4]

    response = su.post(
        f"/admin/pipelines/stage/{lost.pk}/change/",
        {"name": lost.name, "order": 1, "status": lost.status, "probability": lost.probability},
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert [name for name, _ in orders(pipeline)] == ["Lost", "New", "Qualified", "Contacted", "Converted"]


@pytest.mark.parametrize("model", ["pipeline", "stage"])
def test_org_admin_sees_only_their_orgs_pipelines_and_stages(staff, org, other_org, model):
    mine = org.pipeline_set.get() if model == "pipeline" else org.stage_set.first()
    theirs = other_org.pipeline_set.get() if model == "pipeline" else other_org.stage_set.first()

    body = staff.get(f"/admin/pipelines/{model}/").content.decode()
    foreign = staff.get(f"/admin/pipelines/{model}/{theirs.pk}/change/")

    assert f"/{quote(mine.pk)}/change/" in body and f"/{quote(theirs.pk)}/change/" not in body
    assert foreign.status_code == 404


def test_org_admin_autocomplete_of_pipelines_is_scoped(staff, org, other_org):
    assert autocomplete_ids(staff, "leads", "lead", "pipeline") == {org.pipeline_set.get().pk}


def test_stage_list_counts_leads_now_in_each_stage(su, org, stages):
    LeadFactory.create_batch(2, organization=org)

    body = su.get("/admin/pipelines/stage/", {"pipeline__id__exact": stages[0].pipeline_id}).content.decode()

    assert '<td class="field-lead_count">2</td>' in body
