"""Status and stage never disagree: a status a stage carries moves the lead there, whoever sets it.

PATCH, the lead page's buttons, ``close_lead`` and rules set a status through one path in
``leads.services.leads``: into the pipeline's first stage carrying it, with the stage visit and
the STAGE_CHANGED entry of a move, in the same transaction; a status no stage carries changes
only the status.
"""

import pytest

from integrations.models import OutboxEvent
from leads import events
from leads.models import Activity, Lead, LostReason, StageVisit
from leads.services import close_lead, update_lead
from leads.tests.factories import LeadFactory
from pipelines.automation.models import Rule
from pipelines.automation.tests.factories import RuleFactory
from pipelines.models import LeadStatus, Stage
from pipelines.services import create_pipeline
from tests.support.api import leads_url, problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_events():
    received = []
    events.subscribe(received.append)
    yield received
    events.unsubscribe(received.append)


@pytest.fixture
def contacted(org, stages):
    return LeadFactory(organization=org, stage=stages[2])


def types(lead) -> list[str]:
    return list(Activity.objects.filter(lead=lead).order_by("created_at", "id").values_list("type", flat=True))


def open_stage(lead) -> str:
    return StageVisit.objects.get(lead=lead, left_at__isnull=True).stage.name


def test_patch_lost_moves_a_contacted_lead_into_lost(api, org, contacted):
    response = api.patch(leads_url(org, contacted.pk), {"status": "LOST"}, format="json")

    assert response.status_code == 200
    body = response.json()["lead"]
    assert (body["status"], body["stage"]["name"]) == ("LOST", "Lost")
    assert open_stage(contacted) == "Lost"
    assert types(contacted)[-2:] == ["STAGE_CHANGED", "STATUS_CHANGED"]
    moved = Activity.objects.get(lead=contacted, type="STAGE_CHANGED")
    assert moved.description == "Moved from Contacted to Lost"


def test_patch_value_and_status_is_one_move_and_one_status_change(api, org, contacted, lead_events):
    api.patch(leads_url(org, contacted.pk), {"value": 900, "status": "CONVERTED"}, format="json")

    lead = Lead.objects.select_related("stage").get(pk=contacted.pk)
    assert (lead.status, lead.stage.name, lead.value) == ("CONVERTED", "Converted", 900)
    assert types(lead).count("STAGE_CHANGED") == 1 and types(lead).count("STATUS_CHANGED") == 1
    kinds = [event.kind for event in lead_events]
    assert kinds == ["STAGE_ENTERED", "STATUS_CHANGED", "LEAD_UPDATED"]
    assert set(lead_events[-1].detail["changes"]) == {"value", "status", "stageId"}


def test_a_status_no_stage_carries_changes_only_the_status(api, org):
    pipeline = create_pipeline(org=org, name="Simple", stages=[{"name": "Open"}, {"name": "Done"}])
    lead = LeadFactory(organization=org, pipeline=pipeline)

    body = api.patch(leads_url(org, lead.pk), {"status": "LOST"}, format="json").json()["lead"]

    assert (body["status"], body["stage"]["name"]) == ("LOST", "Open")
    assert "STAGE_CHANGED" not in types(lead)


def test_a_status_the_current_stage_carries_does_not_move(org, user, stages):
    second_won = Stage.objects.create(
        organization=org, pipeline=stages[0].pipeline, name="Won big", order=6, status=LeadStatus.CONVERTED
    )
    lead = LeadFactory(organization=org, stage=second_won)
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"status": "QUALIFIED"})
    lead.refresh_from_db()
    assert lead.stage.name == "Qualified"

    Lead.objects.filter(pk=lead.pk).update(stage=second_won)  # back, and status left QUALIFIED
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"status": "CONVERTED"})

    lead.refresh_from_db()
    assert (lead.status, lead.stage) == ("CONVERTED", second_won)


def test_the_first_stage_carrying_the_status_is_the_one(org, user, stages):
    Stage.objects.create(organization=org, pipeline=stages[0].pipeline, name="Lost late", order=6, status="LOST")
    lead = LeadFactory(organization=org, stage=stages[1])

    close_lead(org=org, actor=user, lead_id=lead.pk, status="LOST")

    assert Lead.objects.get(pk=lead.pk).stage == stages[4]


def test_a_refused_status_change_moves_nothing(api, org, contacted):
    LostReason.objects.create(organization=org, name="Price", order=0)

    response = api.patch(leads_url(org, contacted.pk), {"status": "LOST"}, format="json")

    assert response.status_code == 400
    assert problems(response) == ["lostReasonId is required to mark a lead lost"]
    lead = Lead.objects.select_related("stage").get(pk=contacted.pk)
    assert (lead.status, lead.stage.name) == (contacted.status, "Contacted")
    assert StageVisit.objects.filter(lead=lead).count() == 1


def test_close_lead_with_a_reason_moves_into_lost(org, user, contacted):
    reason = LostReason.objects.create(organization=org, name="Price", order=0)

    close_lead(org=org, actor=user, lead_id=contacted.pk, status="LOST", lost_reason=reason)

    lead = Lead.objects.select_related("stage").get(pk=contacted.pk)
    assert (lead.status, lead.stage.name, lead.lost_reason) == ("LOST", "Lost", reason)


def test_close_lead_refuses_an_open_status(org, user, contacted):
    with pytest.raises(ValueError):
        close_lead(org=org, actor=user, lead_id=contacted.pk, status="QUALIFIED")


def test_closing_a_closed_lead_again_changes_nothing(org, user, contacted, lead_events):
    close_lead(org=org, actor=user, lead_id=contacted.pk, status="CONVERTED")
    before = types(contacted)

    close_lead(org=org, actor=user, lead_id=contacted.pk, status="CONVERTED")

    assert types(contacted) == before
    assert [e.kind for e in lead_events].count("STATUS_CHANGED") == 1


def test_webhooks_get_one_lost_and_one_stage_change(api, org, contacted):
    api.patch(leads_url(org, contacted.pk), {"status": "LOST"}, format="json")

    sent = list(OutboxEvent.objects.for_org(org).filter(data__lead__id=contacted.pk).values_list("type", flat=True))
    assert sorted(t for t in sent if t != "lead.created") == ["lead.lost", "lead.stage_changed", "lead.updated"]


# --- the lead page --------------------------------------------------------------------


def page_url(org, lead) -> str:
    return f"/app/{org.pk}/leads/{lead.pk}/status/"


def test_page_mark_lost_moves_a_contacted_lead_into_lost_once(browser, org, contacted, lead_events):
    response = browser.post(page_url(org, contacted), {"status": "LOST"})

    assert response.status_code == 302
    lead = Lead.objects.select_related("stage").get(pk=contacted.pk)
    assert (lead.status, lead.stage.name) == ("LOST", "Lost")
    assert types(lead).count("STAGE_CHANGED") == 1 and types(lead).count("STATUS_CHANGED") == 1
    assert [e.kind for e in lead_events] == ["STAGE_ENTERED", "STATUS_CHANGED", "LEAD_UPDATED"]


def test_page_reopen_goes_back_to_the_first_stage(browser, org, contacted):
    browser.post(page_url(org, contacted), {"status": "CONVERTED"})
    browser.post(page_url(org, contacted), {"status": "NEW"})

    lead = Lead.objects.select_related("stage").get(pk=contacted.pk)
    assert (lead.status, lead.stage.name, lead.converted_at) == ("NEW", "New", None)


# --- rules ----------------------------------------------------------------------------


def test_a_set_status_rule_moves_the_lead_into_the_status_stage(org, user, pipeline, stages):
    RuleFactory(
        pipeline=pipeline,
        trigger=Rule.Trigger.STATUS_CHANGED,
        trigger_status="CONTACTED",
        action=Rule.Action.SET_STATUS,
        action_status="LOST",
    )
    lead = LeadFactory(organization=org, stage=stages[1])

    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"status": "CONTACTED"})

    lead = Lead.objects.select_related("stage").get(pk=lead.pk)
    assert (lead.status, lead.stage.name) == ("LOST", "Lost")
    by_rule = Activity.objects.filter(lead=lead, metadata__has_key="ruleId")
    assert sorted(by_rule.values_list("type", flat=True)) == ["STAGE_CHANGED", "STATUS_CHANGED"]
