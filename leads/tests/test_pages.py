"""The lead page (details, timeline, history and its forms) and the new-lead form."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leads.models import Activity, Contact, CustomField, Lead, LeadChange
from leads.services import add_activity, move_lead_to_stage
from leads.tests.factories import (
    CampaignFactory,
    ContactFactory,
    ContentPostFactory,
    CustomFieldFactory,
    LeadFactory,
)
from pipelines.models import LeadStatus
from pipelines.services import create_pipeline

pytestmark = pytest.mark.django_db


def lead_url(org, lead, name="lead-detail"):
    return reverse(name, kwargs={"org_id": org.pk, "lead_id": lead.pk})


def new_lead_url(org):
    return reverse("lead-new", kwargs={"org_id": org.pk})


# --- the lead page ------------------------------------------------------------


def test_lead_page_shows_contact_value_status_stage_assignee_and_attribution(browser, org, user):
    post = ContentPostFactory(
        organization=org, social_account__organization=org, url="https://instagram.com/p/xyz", content="Spring drop"
    )
    campaign = CampaignFactory(organization=org, name="Spring Promo")
    contact = ContactFactory(organization=org, name="Grace Hopper", email="grace@navy.mil", company="US Navy")
    lead = LeadFactory(
        organization=org,
        contact=contact,
        value=Decimal("12500"),
        source="social_media",
        assigned_to=user,
        campaign=campaign,
        utm_source="instagram",
        utm_medium="social",
        utm_campaign="spring",
        social_account=post.social_account,
        content_post=post,
    )

    response = browser.get(lead_url(org, lead))

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Grace Hopper",
        "grace@navy.mil",
        "US Navy",
        "12,500",
        "New",
        str(user),
        "social_media",
        "Spring Promo",
        "instagram",
        "spring",
        post.social_account.name,
        'href="https://instagram.com/p/xyz"',
    ):
        assert text in html, text


def test_lead_page_shows_custom_fields_with_their_labels(browser, org):
    CustomFieldFactory(organization=org, key="budget_band", label="Budget band", type=CustomField.Type.TEXT)
    lead = LeadFactory(organization=org, custom_fields={"budget_band": "10k-50k"})

    html = browser.get(lead_url(org, lead)).content.decode()

    assert "Budget band" in html and "10k-50k" in html


def test_timeline_is_newest_first(browser, org, user):
    lead = LeadFactory(organization=org)
    add_activity(org=org, actor=user, lead_id=lead.pk, type="CALL", description="first call")
    add_activity(org=org, actor=user, lead_id=lead.pk, type="NOTE", description="later note")

    html = browser.get(lead_url(org, lead)).content.decode()

    assert html.index("later note") < html.index("first call") < html.index("Lead created")


def test_stage_history_shows_time_spent_in_each_stage(browser, org, stages):
    lead = LeadFactory(organization=org, stage=stages[0])
    move_lead_to_stage(org=org, actor=None, lead_id=lead.pk, stage_id=stages[1].pk)
    first = lead.stage_visits.get(stage=stages[0])
    first.entered_at = first.left_at - timedelta(days=3, hours=6)
    first.save()

    response = browser.get(lead_url(org, lead))

    visits = response.context["history"]
    assert [(v.stage.name, v.duration) for v in visits] == [("New", "3.2 days"), ("Qualified", "under an hour")]


def test_lead_of_another_org_is_not_found(browser, org, other_org):
    foreign = LeadFactory(organization=other_org)

    assert browser.get(lead_url(org, foreign)).status_code == 404
    assert browser.get(lead_url(other_org, foreign)).status_code == 404


def test_lead_page_needs_login(org):
    lead = LeadFactory(organization=org)

    response = Client().get(lead_url(org, lead))

    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_lead_page_query_count_does_not_grow_with_activities(browser, org, user, django_assert_num_queries):
    lead = LeadFactory(organization=org)
    with CaptureQueriesContext(connection) as few:
        browser.get(lead_url(org, lead))
    for index in range(15):
        add_activity(org=org, actor=user, lead_id=lead.pk, type="NOTE", description=f"note {index}")

    with django_assert_num_queries(len(few.captured_queries)):
        browser.get(lead_url(org, lead))


def test_log_activity_adds_it_to_the_timeline(browser, org, user):
    lead = LeadFactory(organization=org)

    response = browser.post(
        lead_url(org, lead, "lead-log-activity"), {"type": "CALL", "description": "Called, left a voicemail"}
    )

    assert response.status_code == 302
    activity = Activity.objects.get(lead=lead, type="CALL")
    assert (activity.description, activity.actor) == ("Called, left a voicemail", user)
    assert "Called, left a voicemail" in browser.get(response["Location"]).content.decode()


def test_log_activity_refuses_system_types_and_blank_text(browser, org):
    lead = LeadFactory(organization=org)

    system = browser.post(lead_url(org, lead, "lead-log-activity"), {"type": "CONVERTED", "description": "x"})
    blank = browser.post(lead_url(org, lead, "lead-log-activity"), {"type": "NOTE", "description": ""})

    assert system.status_code == 400 and blank.status_code == 400
    assert not Activity.objects.filter(lead=lead).exclude(type="CREATED").exists()


def test_log_activity_on_another_orgs_lead_is_not_found(browser, org, other_org):
    foreign = LeadFactory(organization=other_org)

    response = browser.post(lead_url(org, foreign, "lead-log-activity"), {"type": "NOTE", "description": "hi"})

    assert response.status_code == 404
    assert not Activity.objects.filter(lead=foreign, type="NOTE").exists()


def test_edit_changes_only_the_submitted_fields(browser, org):
    CustomFieldFactory(organization=org, key="seats", label="Seats", type=CustomField.Type.NUMBER)
    campaign = CampaignFactory(organization=org)
    lead = LeadFactory(organization=org, value=Decimal("100"), source="website")

    response = browser.post(
        lead_url(org, lead, "lead-edit"),
        {"value": "250.75", "source": "referral", "campaign": campaign.pk, "notes": "Warm", "cf_seats": "12"},
    )

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.value, lead.source, lead.campaign, lead.notes) == (Decimal("250.75"), "referral", campaign, "Warm")
    assert lead.custom_fields == {"seats": 12}


def test_edit_with_a_negative_value_is_refused(browser, org):
    lead = LeadFactory(organization=org, value=Decimal("100"))

    response = browser.post(lead_url(org, lead, "lead-edit"), {"value": "-5"})

    assert response.status_code == 400
    assert "greater than or equal to 0" in response.content.decode()
    lead.refresh_from_db()
    assert lead.value == Decimal("100")


def test_edit_cannot_pick_another_orgs_campaign(browser, org, other_org):
    lead = LeadFactory(organization=org)
    foreign = CampaignFactory(organization=other_org)

    response = browser.post(lead_url(org, lead, "lead-edit"), {"campaign": foreign.pk, "value": "1000"})

    assert response.status_code == 400
    lead.refresh_from_db()
    assert lead.campaign is None


def work(lead, **data):
    """The "Stage and owner" form as the page posts it: every field, as shown, with ``data`` changed."""
    return {"stage": lead.stage_id, "notes": "", "assigned_to": lead.assigned_to_id or ""} | data


def test_reassign_and_unassign(browser, org, member):
    lead = LeadFactory(organization=org, assigned_to=None)

    browser.post(lead_url(org, lead, "lead-work"), work(lead, assigned_to=member.pk))
    lead.refresh_from_db()
    assert lead.assigned_to == member
    assert Activity.objects.filter(lead=lead, type="ASSIGNED").count() == 1
    assert not Activity.objects.filter(lead=lead, type="STAGE_CHANGED").exists()

    browser.post(lead_url(org, lead, "lead-work"), work(lead, assigned_to=""))
    lead.refresh_from_db()
    assert lead.assigned_to is None


def test_reassign_to_a_non_member_is_refused(browser, org, other_org):
    lead = LeadFactory(organization=org, assigned_to=None)
    outsider = other_org.memberships.get().user

    response = browser.post(lead_url(org, lead, "lead-work"), work(lead, assigned_to=outsider.pk))

    assert response.status_code == 400
    assert "assigned_to" in response.context["work_form"].errors
    lead.refresh_from_db()
    assert lead.assigned_to is None


def test_move_stage_from_the_lead_page(browser, org, stages):
    lead = LeadFactory(organization=org, stage=stages[0])

    response = browser.post(lead_url(org, lead, "lead-work"), work(lead, stage=stages[2].pk, notes="Demo booked"))

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.stage, lead.status) == (stages[2], LeadStatus.CONTACTED)
    assert "Demo booked" in Activity.objects.get(lead=lead, type="STAGE_CHANGED").description
    assert not Activity.objects.filter(lead=lead, type="ASSIGNED").exists()


def test_move_and_reassign_in_one_submit_are_two_entries(browser, org, user, stages, member):
    lead = LeadFactory(organization=org, stage=stages[0], assigned_to=user)

    response = browser.post(
        lead_url(org, lead, "lead-work"), work(lead, stage=stages[1].pk, assigned_to=member.pk), follow=True
    )

    lead.refresh_from_db()
    assert (lead.stage, lead.assigned_to) == (stages[1], member)
    titles = [entry.title for entry in response.context["timeline"]]
    assert titles[:2] == ["Assigned", "Moved"]
    assert f"Moved to {stages[1].name}. Assigned to {member.name or member.email}." in response.content.decode()


def test_nothing_changed_changes_nothing(browser, org, stages):
    lead = LeadFactory(organization=org, stage=stages[0])

    response = browser.post(lead_url(org, lead, "lead-work"), work(lead), follow=True)

    assert "Nothing changed." in response.content.decode()
    assert LeadChange.objects.filter(lead=lead, created=False).count() == 0


def test_a_note_without_a_move_is_a_form_error(browser, org, stages, member):
    lead = LeadFactory(organization=org, stage=stages[0], assigned_to=None)

    response = browser.post(lead_url(org, lead, "lead-work"), work(lead, notes="hello", assigned_to=member.pk))

    assert response.status_code == 400
    assert response.context["work_form"].errors["notes"][0].startswith("A note goes with a move")
    lead.refresh_from_db()
    assert lead.assigned_to is None  # the whole submit is refused


def test_a_refused_second_part_undoes_the_first(browser, org, stages, member, monkeypatch):
    lead = LeadFactory(organization=org, stage=stages[0], assigned_to=None)
    from leads import services
    from vchata.exceptions import InvalidInput

    def refuse(**kwargs):
        raise InvalidInput(["assignedToId does not match any member of this organization"])

    monkeypatch.setattr(services, "update_lead", refuse)  # as if the member left the org a moment ago
    response = browser.post(lead_url(org, lead, "lead-work"), work(lead, stage=stages[1].pk, assigned_to=member.pk))

    assert response.status_code == 400
    assert "does not match any member" in response.content.decode()
    lead.refresh_from_db()
    assert (lead.stage, lead.assigned_to) == (stages[0], None)


def test_move_stage_to_another_pipelines_stage_is_refused(browser, org, stages):
    lead = LeadFactory(organization=org, stage=stages[0])
    other = create_pipeline(org=org, name="Partners")

    response = browser.post(lead_url(org, lead, "lead-work"), work(lead, stage=other.stages.first().pk))

    assert response.status_code == 400
    lead.refresh_from_db()
    assert lead.stage == stages[0]


def test_mark_converted_moves_to_the_converted_stage(browser, org, stages):
    lead = LeadFactory(organization=org, stage=stages[1])

    browser.post(lead_url(org, lead, "lead-status"), {"status": "CONVERTED"})

    lead.refresh_from_db()
    assert (lead.status, lead.stage.name) == (LeadStatus.CONVERTED, "Converted")
    assert lead.converted_at is not None


def test_mark_lost_then_reopen(browser, org, stages):
    lead = LeadFactory(organization=org, stage=stages[1])

    browser.post(lead_url(org, lead, "lead-status"), {"status": "LOST"})
    lead.refresh_from_db()
    assert (lead.status, lead.stage.name) == (LeadStatus.LOST, "Lost")

    browser.post(lead_url(org, lead, "lead-status"), {"status": "NEW"})
    lead.refresh_from_db()
    assert (lead.status, lead.stage.name) == (LeadStatus.NEW, "New")


def test_mark_converted_sets_the_status_when_no_stage_carries_it(browser, org):
    pipeline = create_pipeline(org=org, name="Simple", stages=[{"name": "Open"}, {"name": "Done"}])
    lead = LeadFactory(organization=org, pipeline=pipeline)

    browser.post(lead_url(org, lead, "lead-status"), {"status": "CONVERTED"})

    lead.refresh_from_db()
    assert (lead.status, lead.stage.name) == (LeadStatus.CONVERTED, "Open")


def test_every_lead_form_requires_the_csrf_token(user, org, stages):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    lead = LeadFactory(organization=org, stage=stages[0])

    for name, data in [
        ("lead-log-activity", {"type": "NOTE", "description": "x"}),
        ("lead-status", {"status": "LOST"}),
        ("lead-work", {"stage": stages[1].pk}),
    ]:
        assert client.post(lead_url(org, lead, name), data).status_code == 403
    lead.refresh_from_db()
    assert lead.stage == stages[0]


# --- new lead -------------------------------------------------------------------


def new_lead_data(pipeline, **overrides):
    data = {"contact_name": "Linus Torvalds", "email": "linus@example.com", "pipeline": pipeline.pk, "value": "3000"}
    data.update(overrides)
    return data


def test_new_lead_form_renders_with_the_requested_pipeline(browser, org, pipeline):
    other = create_pipeline(org=org, name="Partners")

    response = browser.get(new_lead_url(org) + f"?pipeline={other.pk}")

    assert response.status_code == 200
    assert response.context["form"]["pipeline"].value() == other.pk


def test_new_lead_creates_contact_and_lead(browser, org, pipeline, stages, user):
    response = browser.post(new_lead_url(org), new_lead_data(pipeline, company="Linux", source="event"))

    lead = Lead.objects.get(contact__email="linus@example.com")
    assert response.status_code == 302 and response["Location"] == lead_url(org, lead)
    assert (lead.pipeline, lead.stage, lead.value, lead.source) == (pipeline, stages[0], Decimal("3000"), "event")
    assert lead.contact.company == "Linux"
    assert Activity.objects.filter(lead=lead, type="CREATED", actor=user).exists()


def test_new_lead_reuses_a_contact_by_email(browser, org, pipeline):
    existing = ContactFactory(organization=org, email="Linus@Example.com")

    response = browser.post(new_lead_url(org), new_lead_data(pipeline), follow=True)

    assert Lead.objects.get(organization=org).contact == existing
    assert Contact.objects.filter(organization=org).count() == 1
    assert "was reused" in response.content.decode()


def test_new_lead_for_a_contact_already_in_the_pipeline_shows_the_duplicate_message(browser, org, pipeline):
    first = LeadFactory(organization=org, contact=ContactFactory(organization=org, email="linus@example.com"))

    response = browser.post(new_lead_url(org), new_lead_data(pipeline))

    assert response.status_code == 409
    html = response.content.decode()
    assert "Lead already exists for this contact and pipeline" in html
    assert lead_url(org, first) in html
    assert Lead.objects.filter(organization=org).count() == 1


def test_new_lead_into_a_chosen_stage(browser, org, pipeline, stages):
    browser.post(new_lead_url(org), new_lead_data(pipeline, stage=stages[2].pk))

    assert Lead.objects.get(organization=org).stage == stages[2]


def test_new_lead_refuses_a_stage_of_another_pipeline(browser, org, pipeline):
    other = create_pipeline(org=org, name="Partners")

    response = browser.post(new_lead_url(org), new_lead_data(pipeline, stage=other.stages.first().pk))

    assert response.status_code == 400
    assert not Lead.objects.filter(organization=org).exists()


def test_new_lead_refuses_another_orgs_pipeline_and_missing_name(browser, org, other_org):
    foreign = other_org.pipeline_set.get()

    response = browser.post(new_lead_url(org), new_lead_data(foreign, contact_name=""))

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"pipeline", "contact_name"}
    assert not Lead.objects.exists()


def test_new_lead_enforces_required_custom_fields(browser, org, pipeline):
    CustomFieldFactory(
        organization=org, key="industry", label="Industry", type="SELECT", options=["SaaS", "Retail"], required=True
    )

    missing = browser.post(new_lead_url(org), new_lead_data(pipeline))
    given = browser.post(new_lead_url(org), new_lead_data(pipeline, cf_industry="Retail"))

    assert missing.status_code == 400
    assert given.status_code == 302
    assert Lead.objects.get(organization=org).custom_fields == {"industry": "Retail"}


def test_new_lead_in_another_org_is_not_found(browser, other_org):
    response = browser.post(new_lead_url(other_org), new_lead_data(other_org.pipeline_set.get()))

    assert response.status_code == 404
    assert not Lead.objects.exists()


def test_the_lead_page_itself_takes_no_posts(browser, org):
    lead = LeadFactory(organization=org)

    assert browser.post(lead_url(org, lead), {"type": "NOTE"}).status_code == 405
