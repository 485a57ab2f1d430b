"""The rule routes: create, list, read, change, delete, preview; bad input; isolation."""

import pytest

from conftest import client_for
from leads.models import Activity
from leads.services import add_activity
from leads.tests.factories import LeadFactory
from pipelines.automation.models import Rule, RuleRun
from pipelines.automation.tests.factories import RuleFactory
from pipelines.models import Stage
from pipelines.services import create_pipeline
from vchata.accounts.models import Membership
from vchata.accounts.tests.factories import MembershipFactory, OrganizationFactory, UserFactory


def rules_url(org, pipeline, *rest):
    return "/".join([f"/pipelines/{org.pk}/{pipeline.pk}/rules", *rest])


@pytest.fixture
def booked(org, pipeline):
    return Stage.objects.create(organization=org, pipeline=pipeline, name="Meeting booked", order=6)


@pytest.fixture
def reps(org):
    """Three sales reps, members of ``org``."""
    users = [UserFactory(name=name) for name in ("Ann", "Bob", "Cy")]
    for rep in users:
        MembershipFactory(organization=org, user=rep, role=Membership.Role.MEMBER)
    return users


# --- the worked example --------------------------------------------------------


def test_meeting_logged_moves_the_lead_to_meeting_booked_and_assigns_round_robin(api, org, pipeline, booked, reps):
    move = api.post(
        rules_url(org, pipeline),
        {
            "name": "Meeting logged → Meeting booked",
            "trigger": {"type": "ACTIVITY_ADDED", "activityType": "MEETING"},
            "action": {"type": "MOVE_TO_STAGE", "stageId": booked.pk},
        },
        format="json",
    )
    assign = api.post(
        rules_url(org, pipeline),
        {
            "name": "Meeting logged → share among reps",
            "trigger": {"type": "ACTIVITY_ADDED", "activityType": "MEETING"},
            "conditions": {"assigned": False},
            "action": {"type": "ASSIGN_TO", "roundRobin": [rep.pk for rep in reps]},
        },
        format="json",
    )
    assert move.status_code == assign.status_code == 201
    assert move.json()["rule"]["description"] == "When a MEETING is logged → move to Meeting booked"
    assert assign.json()["rule"]["description"] == (
        "When a MEETING is logged, if unassigned → assign round-robin (Ann, Bob, Cy)"
    )
    leads = [LeadFactory(organization=org) for _ in range(4)]

    for lead in leads:
        add_activity(org=org, actor=None, lead_id=lead.pk, type="MEETING", description="Intro call booked")

    for lead in leads:
        lead.refresh_from_db()
        assert lead.stage == booked
        moved = lead.activities.get(type=Activity.Type.STAGE_CHANGED)
        assert moved.metadata["ruleId"] == move.json()["rule"]["id"]
        assert (
            lead.activities.get(type=Activity.Type.ASSIGNED).metadata["ruleName"] == "Meeting logged → share among reps"
        )
    assert [lead.assigned_to for lead in leads] == [reps[0], reps[1], reps[2], reps[0]]


# --- create and read -------------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "action"),
    [
        ({"type": "LEAD_CREATED"}, {"type": "SET_STATUS", "status": "QUALIFIED"}),
        (
            {"type": "STATUS_CHANGED", "status": "CONTACTED"},
            {"type": "ADD_ACTIVITY", "activityType": "TASK", "description": "Follow up"},
        ),
        ({"type": "IDLE_IN_STAGE", "days": 7, "stageId": None}, {"type": "SET_STATUS", "status": "LOST"}),
    ],
)
def test_created_rule_reads_back_as_it_was_sent(api, org, pipeline, trigger, action):
    response = api.post(rules_url(org, pipeline), {"name": "R", "trigger": trigger, "action": action}, format="json")
    assert response.status_code == 201
    rule = response.json()["rule"]
    assert rule["trigger"] == trigger
    assert rule["action"] == action
    assert rule["isActive"] is True
    assert rule["conditions"] == {"stageIds": [], "sources": [], "minValue": None, "maxValue": None, "assigned": None}
    assert api.get(rules_url(org, pipeline, rule["id"])).json()["rule"] == rule


def test_created_rule_stores_stages_conditions_and_user(api, org, pipeline, stages, member):
    body = {
        "name": "Big website leads in Qualified go to a senior rep",
        "isActive": False,
        "order": 5,
        "trigger": {"type": "STAGE_ENTERED", "stageId": stages[1].pk},
        "conditions": {
            "stageIds": [stages[1].pk],
            "sources": ["website"],
            "minValue": 1000,
            "maxValue": 5000,
            "assigned": False,
        },
        "action": {"type": "ASSIGN_TO", "userId": member.pk},
    }
    response = api.post(rules_url(org, pipeline), body, format="json")
    assert response.status_code == 201
    rule = Rule.objects.get(pk=response.json()["rule"]["id"])
    assert (rule.trigger_stage, rule.action_user, rule.is_active, rule.order) == (stages[1], member, False, 5)
    assert list(rule.condition_stages.all()) == [stages[1]]
    assert response.json()["rule"]["conditions"] == {**body["conditions"], "minValue": 1000, "maxValue": 5000}


def test_new_rule_goes_last_in_order_by_default(api, org, pipeline):
    RuleFactory(pipeline=pipeline, trigger="LEAD_CREATED", action="SET_STATUS", action_status="LOST", order=4)
    body = {"name": "R", "trigger": {"type": "LEAD_CREATED"}, "action": {"type": "SET_STATUS", "status": "NEW"}}
    assert api.post(rules_url(org, pipeline), body, format="json").json()["rule"]["order"] == 5


def test_rule_list_is_in_evaluation_order_with_a_flat_query_count(
    api, org, pipeline, stages, reps, django_assert_num_queries
):
    for order in (3, 1, 2):
        RuleFactory(
            pipeline=pipeline,
            name=f"rule {order}",
            order=order,
            trigger="STAGE_ENTERED",
            trigger_stage=stages[order],
            action="ASSIGN_TO",
            assignees=reps,
            condition_stages=stages[:2],
        )
    # membership (+org, user), pipeline, count, page of rules (+stages, user), condition stages, assignees (+users)
    with django_assert_num_queries(6):
        response = api.get(rules_url(org, pipeline))
    assert response.status_code == 200
    assert [rule["name"] for rule in response.json()["rules"]] == ["rule 1", "rule 2", "rule 3"]
    assert response.json()["pagination"] == {"total": 3, "page": 1, "limit": 20, "hasMore": False}


# --- change and delete ----------------------------------------------------------


def test_patch_changes_only_what_is_sent(api, org, pipeline, stages):
    rule = RuleFactory(
        pipeline=pipeline, trigger="STAGE_ENTERED", trigger_stage=stages[1], action="SET_STATUS", action_status="LOST"
    )
    response = api.patch(rules_url(org, pipeline, rule.pk), {"name": "Renamed", "isActive": False}, format="json")
    assert response.status_code == 200
    rule.refresh_from_db()
    assert (rule.name, rule.is_active, rule.trigger_stage, rule.action_status) == ("Renamed", False, stages[1], "LOST")


def test_patch_replaces_the_trigger_whole(api, org, pipeline, stages):
    rule = RuleFactory(
        pipeline=pipeline, trigger="STAGE_ENTERED", trigger_stage=stages[1], action="SET_STATUS", action_status="LOST"
    )
    response = api.patch(
        rules_url(org, pipeline, rule.pk), {"trigger": {"type": "IDLE_IN_STAGE", "days": 3}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["rule"]["trigger"] == {"type": "IDLE_IN_STAGE", "days": 3, "stageId": None}


def test_patch_to_a_new_rotation_restarts_it(api, org, pipeline, reps):
    rule = RuleFactory(pipeline=pipeline, trigger="LEAD_CREATED", action="ASSIGN_TO", assignees=reps)
    LeadFactory(organization=org)
    response = api.patch(
        rules_url(org, pipeline, rule.pk),
        {"action": {"type": "ASSIGN_TO", "roundRobin": [reps[2].pk, reps[1].pk]}},
        format="json",
    )
    assert response.json()["rule"]["action"]["roundRobin"] == [reps[2].pk, reps[1].pk]
    assert LeadFactory(organization=org).assigned_to == reps[2]


def test_delete_removes_the_rule(api, org, pipeline):
    rule = RuleFactory(pipeline=pipeline, trigger="LEAD_CREATED", action="SET_STATUS", action_status="LOST")
    response = api.delete(rules_url(org, pipeline, rule.pk))
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Rule deleted successfully"}
    assert not Rule.objects.exists()


# --- preview ------------------------------------------------------------------------


def test_preview_lists_the_leads_an_event_rule_would_change_and_changes_nothing(api, org, pipeline, stages):
    rule = RuleFactory(
        pipeline=pipeline,
        trigger="ACTIVITY_ADDED",
        trigger_activity_type="MEETING",
        action="MOVE_TO_STAGE",
        action_stage=stages[2],
        condition_sources=["website"],
        is_active=False,
    )
    website = LeadFactory(organization=org, source="website", stage=stages[0])
    LeadFactory(organization=org, source="referral")
    LeadFactory(organization=org, source="website", stage=stages[2])  # already there: nothing to change

    response = api.post(rules_url(org, pipeline, rule.pk, "preview"))

    assert response.status_code == 200
    body = response.json()
    assert [lead["id"] for lead in body["leads"]] == [website.pk]
    assert body["leads"][0]["stageName"] == "New"
    assert body["message"] == "1 lead would be affected"
    website.refresh_from_db()
    assert website.stage == stages[0]
    assert not RuleRun.objects.exists()


def test_preview_query_count_does_not_grow_with_the_leads(api, org, pipeline, reps, django_assert_num_queries):
    rule = RuleFactory(pipeline=pipeline, trigger="LEAD_CREATED", action="ASSIGN_TO", assignees=reps, is_active=False)
    for _ in range(12):
        LeadFactory(organization=org)
    # membership (+org, user), pipeline, rule, its condition stages, its assignees, count, page (+contact, stage)
    with django_assert_num_queries(7):
        response = api.post(rules_url(org, pipeline, rule.pk, "preview"))
    assert len(response.json()["leads"]) == 12


def test_preview_of_an_event_rule_matches_what_it_does_when_triggered(api, org, pipeline, stages, member):
    rule = RuleFactory(
        pipeline=pipeline,
        trigger="ACTIVITY_ADDED",
        trigger_activity_type="CALL",
        action="ASSIGN_TO",
        action_user=member,
        condition_min_value=500,
    )
    leads = [LeadFactory(organization=org, value=value) for value in (100, 500, 900, None)]
    previewed = {lead["id"] for lead in api.post(rules_url(org, pipeline, rule.pk, "preview")).json()["leads"]}

    for lead in leads:
        add_activity(org=org, actor=None, lead_id=lead.pk, type="CALL")

    assert previewed == set(RuleRun.objects.filter(rule=rule).values_list("lead_id", flat=True))
    assert previewed == {leads[1].pk, leads[2].pk}


def test_any_member_may_preview_and_list(org, pipeline, member):
    rule = RuleFactory(pipeline=pipeline, trigger="LEAD_CREATED", action="SET_STATUS", action_status="LOST")
    client = client_for(member)
    assert client.get(rules_url(org, pipeline)).status_code == 200
    assert client.post(rules_url(org, pipeline, rule.pk, "preview")).status_code == 200


# --- bad input: 400, nothing saved -----------------------------------------------------


@pytest.fixture
def foreign_stage(org):
    return create_pipeline(org=org, name="Partners").stages.first()


@pytest.fixture
def outsider(db):
    return MembershipFactory(organization=OrganizationFactory()).user


GOOD_TRIGGER = {"type": "LEAD_CREATED"}
GOOD_ACTION = {"type": "SET_STATUS", "status": "QUALIFIED"}

BAD_BODIES = {
    "stage of another pipeline (trigger)": (
        lambda x: {"trigger": {"type": "STAGE_ENTERED", "stageId": x["foreign_stage"].pk}},
        "trigger.stageId must be a stage of this pipeline",
    ),
    "stage of another pipeline (action)": (
        lambda x: {"action": {"type": "MOVE_TO_STAGE", "stageId": x["foreign_stage"].pk}},
        "action.stageId must be a stage of this pipeline",
    ),
    "stage of another pipeline (conditions)": (
        lambda x: {"conditions": {"stageIds": [x["foreign_stage"].pk]}},
        "conditions.stageIds must be stages of this pipeline ({foreign} is not)",
    ),
    "unknown trigger": (
        lambda x: {"trigger": {"type": "LEAD_DELETED"}},
        "trigger.type must be one of LEAD_CREATED, ACTIVITY_ADDED, STATUS_CHANGED, STAGE_ENTERED, IDLE_IN_STAGE",
    ),
    "unknown action": (
        lambda x: {"action": {"type": "SEND_EMAIL"}},
        "action.type must be one of MOVE_TO_STAGE, SET_STATUS, ASSIGN_TO, ADD_ACTIVITY, CREATE_TASK",
    ),
    "member of another org": (
        lambda x: {"action": {"type": "ASSIGN_TO", "userId": x["outsider"].pk}},
        "action.userId does not match any member of this organization",
    ),
    "member of another org in a rotation": (
        lambda x: {"action": {"type": "ASSIGN_TO", "roundRobin": [x["member"].pk, x["outsider"].pk]}},
        "action.roundRobin must list members of this organization ({outsider} is not)",
    ),
    "empty round-robin": (
        lambda x: {"action": {"type": "ASSIGN_TO", "roundRobin": []}},
        "action.roundRobin may not be empty",
    ),
    "a member twice in a rotation": (
        lambda x: {"action": {"type": "ASSIGN_TO", "roundRobin": [x["member"].pk, x["member"].pk]}},
        "action.roundRobin lists the same member more than once",
    ),
    "both a user and a rotation": (
        lambda x: {"action": {"type": "ASSIGN_TO", "userId": x["member"].pk, "roundRobin": [x["member"].pk]}},
        "action needs exactly one of userId and roundRobin",
    ),
    "zero days": (
        lambda x: {"trigger": {"type": "IDLE_IN_STAGE", "days": 0}},
        "trigger.days must be greater than or equal to 1",
    ),
    "negative days": (
        lambda x: {"trigger": {"type": "IDLE_IN_STAGE", "days": -3}},
        "trigger.days must be greater than or equal to 1",
    ),
    "missing activity type": (lambda x: {"trigger": {"type": "ACTIVITY_ADDED"}}, "trigger.activityType is required"),
    "system activity type": (
        lambda x: {"trigger": {"type": "ACTIVITY_ADDED", "activityType": "STAGE_CHANGED"}},
        'trigger.activityType must be one of the allowed values, not "STAGE_CHANGED"',
    ),
    "unknown key at the top": (lambda x: {"when": "always"}, "when is not an allowed field"),
    "unknown key in the trigger": (
        lambda x: {"trigger": {"type": "LEAD_CREATED", "days": 3}},
        "trigger.days is not an allowed field",
    ),
    "unknown key in the conditions": (
        lambda x: {"conditions": {"status": "NEW"}},
        "conditions.status is not an allowed field",
    ),
    "unknown key in the action": (
        lambda x: {"action": {"type": "SET_STATUS", "status": "LOST", "notify": True}},
        "action.notify is not an allowed field",
    ),
    "value range upside down": (
        lambda x: {"conditions": {"minValue": 500, "maxValue": 100}},
        "conditions.minValue must not be greater than conditions.maxValue",
    ),
    "trigger not an object": (lambda x: {"trigger": "LEAD_CREATED"}, "trigger must be an object"),
    "trigger without a type": (lambda x: {"trigger": {"status": "NEW"}}, "trigger.type is required"),
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_bad_rule_is_refused_with_a_sentence_naming_the_field_and_nothing_is_saved(
    case, api, org, pipeline, member, outsider, foreign_stage
):
    make_body, message = BAD_BODIES[case]
    fixtures = {"foreign_stage": foreign_stage, "member": member, "outsider": outsider}
    body = {"name": "R", "trigger": GOOD_TRIGGER, "action": GOOD_ACTION, **make_body(fixtures)}

    response = api.post(rules_url(org, pipeline), body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "statusCode": 400,
        "message": [message.format(foreign=foreign_stage.pk, outsider=outsider.pk)],
        "error": "Bad Request",
    }
    assert not Rule.objects.exists()


def test_rule_without_name_trigger_or_action_is_refused(api, org, pipeline):
    response = api.post(rules_url(org, pipeline), {}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == ["name is required", "trigger is required", "action is required"]


def test_bad_patch_changes_nothing(api, org, pipeline, foreign_stage):
    rule = RuleFactory(
        pipeline=pipeline, trigger="LEAD_CREATED", action="SET_STATUS", action_status="LOST", name="Keep"
    )
    response = api.patch(
        rules_url(org, pipeline, rule.pk),
        {"name": "Changed", "action": {"type": "MOVE_TO_STAGE", "stageId": foreign_stage.pk}},
        format="json",
    )
    assert response.status_code == 400
    rule.refresh_from_db()
    assert (rule.name, rule.action) == ("Keep", "SET_STATUS")


def test_bad_page_parameter_on_preview_is_a_400(api, org, pipeline):
    rule = RuleFactory(pipeline=pipeline, trigger="LEAD_CREATED", action="SET_STATUS", action_status="LOST")
    assert api.post(rules_url(org, pipeline, rule.pk, "preview") + "?limit=0").status_code == 400


# --- who may do what; isolation --------------------------------------------------------


def test_members_may_not_create_change_or_delete_rules(org, pipeline, member):
    rule = RuleFactory(pipeline=pipeline, trigger="LEAD_CREATED", action="SET_STATUS", action_status="LOST")
    client = client_for(member)
    body = {"name": "R", "trigger": GOOD_TRIGGER, "action": GOOD_ACTION}
    assert client.post(rules_url(org, pipeline), body, format="json").status_code == 403
    assert client.patch(rules_url(org, pipeline, rule.pk), {"name": "X"}, format="json").status_code == 403
    assert client.delete(rules_url(org, pipeline, rule.pk)).status_code == 403
    assert Rule.objects.get().name == rule.name


def test_pipeline_of_another_org_is_not_found(api, org, other_org):
    foreign_pipeline = other_org.pipeline_set.get()
    response = api.get(rules_url(org, foreign_pipeline))
    assert response.status_code == 404
    assert response.json()["message"] == "Pipeline not found or you don't have access"


def test_rule_of_another_org_is_not_found_by_any_route(api, org, pipeline, other_org):
    foreign = RuleFactory(
        pipeline=other_org.pipeline_set.get(), trigger="LEAD_CREATED", action="SET_STATUS", action_status="LOST"
    )
    for response in (
        api.get(rules_url(org, pipeline, foreign.pk)),
        api.patch(rules_url(org, pipeline, foreign.pk), {"name": "Mine now"}, format="json"),
        api.delete(rules_url(org, pipeline, foreign.pk)),
        api.post(rules_url(org, pipeline, foreign.pk, "preview")),
    ):
        assert response.status_code == 404
        assert response.json()["message"] == "Rule not found or you don't have access"
    foreign.refresh_from_db()
    assert foreign.name != "Mine now"


def test_rule_is_only_found_under_its_own_pipeline(api, org, pipeline):
    other = create_pipeline(org=org, name="Partners")
    rule = RuleFactory(pipeline=other, trigger="LEAD_CREATED", action="SET_STATUS", action_status="LOST")
    assert api.get(rules_url(org, pipeline, rule.pk)).status_code == 404
    assert api.get(rules_url(org, other, rule.pk)).status_code == 200


def test_non_member_gets_the_organization_404(org, pipeline):
    response = client_for(UserFactory()).get(rules_url(org, pipeline))
    assert response.status_code == 404
    assert response.json()["message"] == "Organization not found or you don't have access"


def test_anonymous_caller_gets_401(anon, org, pipeline):
    assert anon.get(rules_url(org, pipeline)).status_code == 401


def test_malformed_rule_id_is_a_404(api, org, pipeline):
    assert api.get(rules_url(org, pipeline, "rule_nope")).status_code == 404
