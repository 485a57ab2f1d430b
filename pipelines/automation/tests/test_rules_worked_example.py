"""The issue's "done when", end to end over HTTP: a sales manager sets up
"when a meeting is logged, move the lead to Meeting booked and assign it
round-robin", previews it, and then it happens, recorded in the lead's history.
"""

import pytest

from vchata.accounts.tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def reps(org):
    users = [UserFactory(name=name) for name in ("Ann", "Bob")]
    for rep in users:
        MembershipFactory(organization=org, user=rep)
    return users


def test_meeting_logged_moves_to_meeting_booked_and_assigns_round_robin_over_the_api(api, org, pipeline, reps):
    base = f"/pipelines/{org.pk}/{pipeline.pk}"
    booked = api.post(f"{base}/stages", {"name": "Meeting booked", "order": 3}, format="json").json()["stage"]
    meeting = {"type": "ACTIVITY_ADDED", "activityType": "MEETING"}
    move = api.post(
        f"{base}/rules",
        {
            "name": "Meeting logged: book it",
            "order": 1,
            "trigger": meeting,
            "action": {"type": "MOVE_TO_STAGE", "stageId": booked["id"]},
        },
        format="json",
    ).json()["rule"]
    share = api.post(
        f"{base}/rules",
        {
            "name": "Meeting logged: share among reps",
            "order": 2,
            "isActive": False,  # preview first
            "trigger": meeting,
            "conditions": {"assigned": False},
            "action": {"type": "ASSIGN_TO", "roundRobin": [rep.pk for rep in reps]},
        },
        format="json",
    ).json()["rule"]
    leads = [
        api.post(
            f"/leads/{org.pk}/with-contact",
            {"contact": {"name": name, "email": f"{name.lower()}@example.com"}, "pipelineId": pipeline.pk},
            format="json",
        ).json()["lead"]
        for name in ("Dana", "Eli", "Fay")
    ]

    preview = api.post(f"{base}/rules/{share['id']}/preview").json()
    assert {lead["id"] for lead in preview["leads"]} == {lead["id"] for lead in leads}
    assert api.patch(f"{base}/rules/{share['id']}", {"isActive": True}, format="json").status_code == 200
    listed = api.get(f"{base}/rules").json()["rules"]
    assert [rule["description"] for rule in listed] == [
        "When a MEETING is logged → move to Meeting booked",
        "When a MEETING is logged, if unassigned → assign round-robin (Ann, Bob)",
    ]

    for lead in leads:
        logged = api.post(
            f"/leads/{org.pk}/{lead['id']}/activities",
            {"type": "MEETING", "description": "Discovery call booked"},
            format="json",
        )
        assert logged.status_code == 201

    after = [api.get(f"/leads/{org.pk}/{lead['id']}").json()["lead"] for lead in leads]
    assert [lead["stage"]["name"] for lead in after] == ["Meeting booked"] * 3
    assert [lead["assignedToId"] for lead in after] == [reps[0].pk, reps[1].pk, reps[0].pk]
    history = {activity["type"]: activity for activity in after[0]["activities"]}
    assert history["STAGE_CHANGED"]["metadata"]["ruleId"] == move["id"]
    assert history["ASSIGNED"]["metadata"]["ruleName"] == "Meeting logged: share among reps"
