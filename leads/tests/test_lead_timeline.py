"""The lead page timeline: activities and changes merged, one entry per action, in plain words."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from leads.models import Activity, CustomField, LeadChange, LostReason
from leads.services import add_activity, move_lead_to_stage, update_lead
from leads.tests.factories import CustomFieldFactory, LeadFactory
from pipelines.automation.models import Rule
from pipelines.automation.tests.factories import RuleFactory
from vchata.accounts.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def page(browser, org, lead, **params):
    return browser.get(reverse("lead-detail", kwargs={"org_id": org.pk, "lead_id": lead.pk}), params)


def post(browser, org, lead, name, data):
    return browser.post(reverse(name, kwargs={"org_id": org.pk, "lead_id": lead.pk}), data)


def timeline_html(response) -> str:
    html = response.content.decode()
    return html[html.index('id="timeline"') : html.index("</section>", html.index('id="timeline"'))]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&nbsp;", " ")


def test_editing_the_value_on_the_page_adds_an_entry_in_words(browser, org, user):
    lead = LeadFactory(organization=org, value=Decimal("500"), source="website")

    post(browser, org, lead, "lead-edit", {"value": "12500", "source": "website"})

    entries = page(browser, org, lead).context["timeline"]
    assert (entries[0].title, entries[0].lines, entries[0].actor) == ("Updated", ["Value $500 → $12,500"], user.name)
    assert "Value $500 → $12,500" in text_of(timeline_html(page(browser, org, lead)))


def test_mark_converted_is_one_entry_with_labels_not_codes(browser, org, stages):
    lead = LeadFactory(organization=org, stage=stages[2])

    post(browser, org, lead, "lead-status", {"status": "CONVERTED"})

    entries = page(browser, org, lead).context["timeline"]
    assert [entry.title for entry in entries] == ["Converted", "Lead created"]
    assert entries[0].lines == ["Status Contacted → Converted", "Stage Contacted → Converted"]
    assert "CONVERTED" not in text_of(timeline_html(page(browser, org, lead)))


def test_assignment_names_the_member(browser, org):
    ana = UserFactory(name="Ana")
    MembershipFactory(organization=org, user=ana)
    lead = LeadFactory(organization=org)

    post(browser, org, lead, "lead-work", {"stage": lead.stage_id, "assigned_to": ana.pk})

    assert page(browser, org, lead).context["timeline"][0].lines == ["Assigned to Ana"]


def test_custom_fields_are_named_by_their_label(org, user, browser):
    CustomFieldFactory(organization=org, key="seats", label="Seats", type=CustomField.Type.NUMBER)
    lead = LeadFactory(organization=org, custom_fields={"seats": 3})

    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"custom_fields": {"seats": 5}})

    assert page(browser, org, lead).context["timeline"][0].lines == ["Seats 3 → 5"]


def test_a_move_with_notes_shows_them_and_a_lost_reason_is_named(org, user, browser, stages):
    from leads.models import LostReason

    reason = LostReason.objects.create(organization=org, name="Too expensive", order=0)
    lead = LeadFactory(organization=org, stage=stages[1])

    move_lead_to_stage(org=org, actor=user, lead_id=lead.pk, stage_id=stages[4].pk, notes="Chose X", lost_reason=reason)

    entry = page(browser, org, lead).context["timeline"][0]
    assert (entry.title, entry.text) == ("Marked lost", "Chose X")
    assert entry.lines == ["Status Qualified → Lost", "Stage Qualified → Lost", "Lost reason: Too expensive"]


def test_a_rules_change_is_its_own_entry_by_the_rule(org, user, browser, pipeline):
    rule = RuleFactory(
        pipeline=pipeline,
        name="Meetings qualify",
        trigger=Rule.Trigger.ACTIVITY_ADDED,
        trigger_activity_type="MEETING",
        action=Rule.Action.SET_STATUS,
        action_status="QUALIFIED",
    )
    lead = LeadFactory(organization=org)

    add_activity(org=org, actor=user, lead_id=lead.pk, type="MEETING", description="Demo")

    entries = page(browser, org, lead).context["timeline"]
    by_title = {entry.title: entry for entry in entries}
    assert by_title["Moved"].actor == f"Automation · {rule.name}"
    assert by_title["Moved"].lines == ["Status New → Qualified", "Stage New → Qualified"]
    assert by_title["Meeting"].text == "Demo"
    assert len(entries) == 3  # the meeting, the rule's change, the creation


def test_just_now_not_zero_minutes(browser, org):
    lead = LeadFactory(organization=org)

    html = text_of(timeline_html(page(browser, org, lead)))

    assert "just now" in html and "0 minutes" not in html


def test_an_older_leads_history_still_shows_from_its_activities_in_words(browser, org, user, stages):
    rep = UserFactory(name="Bo Rep")
    MembershipFactory(organization=org, user=rep)
    lead = LeadFactory(organization=org, stage=stages[0], source="cold_outreach", assigned_to=None)
    move_lead_to_stage(org=org, actor=user, lead_id=lead.pk, stage_id=stages[1].pk, notes="Budget confirmed")
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"assigned_to": rep})
    # As if the lead predated change records: its history is only activities (a second apart), then one change.
    LeadChange.objects.filter(lead=lead).delete()
    start = Activity.objects.get(lead=lead, type="CREATED").created_at - timedelta(days=2)
    order = ["CREATED", "STAGE_CHANGED", "STATUS_CHANGED", "ASSIGNED"]
    for activity in Activity.objects.filter(lead=lead):
        activity.created_at = start + timedelta(seconds=order.index(activity.type))
        activity.save(update_fields=["created_at"])
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"notes": "now recorded"})

    entries = page(browser, org, lead).context["timeline"]

    assert [(entry.title, entry.lines) for entry in entries] == [
        ("Updated", ["Notes: “now recorded”"]),
        ("Assigned", ["Assigned to Bo Rep"]),
        ("Status changed", ["Status New → Qualified"]),
        ("Moved", ["Stage New → Qualified"]),
        ("Lead created", ["Stage New", "Source Cold outreach"]),
    ]
    assert entries[3].text == "Budget confirmed"
    html = text_of(timeline_html(page(browser, org, lead)))
    assert "QUALIFIED" not in html and "cold_outreach" not in html


def test_an_old_lost_entry_names_its_reason_and_an_entry_without_metadata_keeps_its_text(browser, org, stages):
    lead = LeadFactory(organization=org, stage=stages[0])
    reason = LostReason.objects.create(organization=org, name="Went with a competitor")
    Activity.objects.create(
        organization=org,
        lead=lead,
        type="STATUS_CHANGED",
        description="Status changed from QUALIFIED to LOST (reason: Went with a competitor)",
        metadata={"from": "QUALIFIED", "to": "LOST", "lostReasonId": reason.pk},
    )
    Activity.objects.create(organization=org, lead=lead, type="STAGE_CHANGED", description="Moved by hand", metadata={})
    LeadChange.objects.filter(lead=lead).delete()

    entries = {entry.title: entry for entry in page(browser, org, lead).context["timeline"]}

    assert entries["Marked lost"].lines == ["Status Qualified → Lost", "Lost reason: Went with a competitor"]
    assert entries["Stage Changed"].text == "Moved by hand"


def test_the_timeline_pages(browser, org, user):
    lead = LeadFactory(organization=org)
    for index in range(55):
        add_activity(org=org, actor=user, lead_id=lead.pk, type="NOTE", description=f"note {index}")

    first = page(browser, org, lead).context
    second = page(browser, org, lead, timeline=2).context

    assert (len(first["timeline"]), first["timeline_has_more"]) == (50, True)
    assert [entry.title for entry in second["timeline"]][-1] == "Lead created"
    assert (len(second["timeline"]), second["timeline_has_more"]) == (6, False)


def test_lead_page_query_count_is_pinned(browser, org, user, stages, django_assert_num_queries):
    CustomFieldFactory(organization=org, key="seats", label="Seats", type=CustomField.Type.NUMBER)
    lead = LeadFactory(organization=org, stage=stages[0], assigned_to=user)
    for index in range(10):
        add_activity(org=org, actor=user, lead_id=lead.pk, type="NOTE", description=f"note {index}")
        update_lead(org=org, actor=user, lead_id=lead.pk, changes={"custom_fields": {"seats": index}})
    move_lead_to_stage(org=org, actor=user, lead_id=lead.pk, stage_id=stages[1].pk)
    update_lead(org=org, actor=user, lead_id=lead.pk, changes={"assigned_to": None})

    # session, user, membership with its org, the header's memberships (4); the lead with its
    # relations; the pipeline's stages; custom fields; the timeline's activities and changes (2);
    # the members its changes name (stages come from the page's own list); stage history; tasks;
    # the forms' choices (assignees, stages, stages, task assignees, campaigns: 5); the org's lost reasons
    with django_assert_num_queries(18):
        response = page(browser, org, lead)
    assert response.status_code == 200
    assert [entry.title for entry in response.context["timeline"]][:2] == ["Unassigned", "Moved"]
