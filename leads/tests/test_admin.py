"""The lead admin: lists, search, the change form and the bulk actions, all through leads.services."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads import events
from leads.models import Activity, Lead, StageVisit
from leads.services import add_activity
from leads.tests.factories import ContactFactory, CustomFieldFactory, LeadFactory
from pipelines.models import LeadStatus
from pipelines.services import create_pipeline
from tests.support.admin import (
    autocomplete_ids,
    changelist_ids,
    inline_management,
    logged_in,
    org_admin,
    superuser,
)
from vchata.accounts.tests.factories import MembershipFactory, OrganizationFactory
from vchata.exceptions import InvalidInput

CHANGELIST = "/admin/leads/lead/"
LEAD_INLINES = ("activities", "stage_visits")


def change_url(lead) -> str:
    return f"/admin/leads/lead/{lead.pk}/change/"


def lead_form(lead, **overrides) -> dict:
    """The change form as the admin renders it for ``lead``, with ``overrides``."""
    data = {
        "contact": lead.contact_id,
        "pipeline": lead.pipeline_id,
        "stage": lead.stage_id,
        "status": lead.status,
        "assigned_to": lead.assigned_to_id or "",
        "value": lead.value if lead.value is not None else "",
        "source": lead.source or "",
        "campaign": lead.campaign_id or "",
        "notes": lead.notes,
        "custom_fields": json.dumps(lead.custom_fields),
        **{name: getattr(lead, name) or "" for name in ("utm_source", "utm_medium", "utm_campaign")},
        "utm_term": lead.utm_term or "",
        "utm_content": lead.utm_content or "",
        **inline_management(*LEAD_INLINES),
    }
    return data | overrides


def action(client, name: str, leads, follow=False, **extra):
    data = {"action": name, "_selected_action": [lead.pk for lead in leads], **extra}
    return client.post(CHANGELIST, data, follow=follow)


@pytest.fixture
def admin_user(db):
    return superuser()


@pytest.fixture
def su(admin_user):
    return logged_in(admin_user)


@pytest.fixture
def staff(org):
    """A logged-in staff client of an ADMIN of ``org`` (and of no other org)."""
    return logged_in(org_admin(org))


@pytest.fixture
def lead(org, user):
    return LeadFactory(organization=org, actor=user, notes="Wants the premium plan")


@pytest.fixture
def foreign_lead(other_org):
    return LeadFactory(organization=other_org)


@pytest.fixture
def lead_events():
    received = []
    events.subscribe(received.append)
    yield received
    events._handlers.remove(received.append)


# --- lists and search ---------------------------------------------------------------


def test_superuser_changelist_lists_leads_of_every_org(su, lead, foreign_lead):
    response = su.get(CHANGELIST)

    assert response.status_code == 200
    assert changelist_ids(response, "lead") == {lead.pk, foreign_lead.pk}


def test_org_admin_changelist_lists_only_their_orgs_leads(staff, lead, foreign_lead):
    response = staff.get(CHANGELIST)

    assert changelist_ids(response, "lead") == {lead.pk}
    assert foreign_lead.contact.name not in response.content.decode()


def test_org_admin_filters_offer_only_their_orgs_stages_and_people(staff, org, lead, other_org):
    outsider = MembershipFactory(organization=other_org).user
    LeadFactory(organization=other_org, assigned_to=outsider)

    body = staff.get(CHANGELIST).content.decode()

    assert outsider.email not in body and outsider.name not in body
    assert other_org.name not in body


@pytest.mark.parametrize(
    "term",
    ["contact.name", "contact.email", "contact.phone", "contact.company", "premium plan", "pk"],
)
def test_search_finds_a_lead_by_contact_notes_or_id(su, lead, foreign_lead, term):
    value = {"premium plan": "premium plan", "pk": lead.pk}.get(term) or getattr(lead.contact, term.split(".")[1])

    response = su.get(CHANGELIST, {"q": value})

    assert changelist_ids(response, "lead") == {lead.pk}


@pytest.mark.postgres
def test_search_reads_the_lead_search_index_not_joined_scans(su, lead):
    """The admin finds leads as the lead list does: ``search_text`` (trigram-indexed), no contact join."""
    fragment = lead.contact.name[1:-1].lower()

    with CaptureQueriesContext(connection) as queries:
        response = su.get(CHANGELIST, {"q": fragment})

    assert changelist_ids(response, "lead") == {lead.pk}
    searching = [q["sql"] for q in queries.captured_queries if "search_text" in q["sql"]]
    assert searching and not any('UPPER("leads_contact"."name"' in sql for sql in searching)


def test_a_partial_phone_number_finds_the_lead(su, lead, foreign_lead):
    type(lead.contact).objects.filter(pk=lead.contact_id).update(phone="+44 20 7946 0958")

    response = su.get(CHANGELIST, {"q": "7946 09"})

    assert changelist_ids(response, "lead") == {lead.pk}


def test_org_admin_search_never_returns_another_orgs_lead(staff, lead, foreign_lead):
    response = staff.get(CHANGELIST, {"q": foreign_lead.contact.email})

    assert changelist_ids(response, "lead") == set()


@pytest.mark.parametrize("who", ["superuser", "org_admin"])
def test_changelist_query_count_does_not_grow_with_rows(org, who, django_assert_num_queries):
    client = logged_in(superuser() if who == "superuser" else org_admin(org))
    LeadFactory.create_batch(5, organization=org)
    with CaptureQueriesContext(connection) as five:
        assert client.get(CHANGELIST).status_code == 200
    LeadFactory.create_batch(45, organization=org)
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(CHANGELIST)

    assert len(changelist_ids(response, "lead")) == 50
    assert len(fifty) == len(five)


def test_changelist_query_count_is_pinned(su, org, django_assert_num_queries):
    LeadFactory.create_batch(20, organization=org)
    # session, user, date-hierarchy bounds, 5 related-only filters (pipeline,
    # stage, assignee, campaign, organization) + source values, page count, page rows
    # (with contact, pipeline, stage, assignee, organization joined in).
    with django_assert_num_queries(12):
        su.get(CHANGELIST)


# --- the change form ----------------------------------------------------------------


def test_change_form_shows_recent_activities_newest_first_and_capped(su, org, user, lead):
    for number in range(30):
        add_activity(org=org, actor=user, lead_id=lead.pk, type=Activity.Type.NOTE, description=f"note #{number:02d}")

    body = su.get(change_url(lead)).content.decode()

    assert body.index("note #29") < body.index("note #28")
    assert "note #05" in body and "note #04" not in body  # 25 newest of 31 (with "Lead created")


def test_change_form_offers_only_stages_of_the_leads_org(su, lead, foreign_lead):
    body = su.get(change_url(lead)).content.decode()

    assert f'value="{lead.stage_id}"' in body
    assert foreign_lead.stage_id not in body


def test_saving_a_new_stage_moves_the_lead_through_services(su, lead, stages, lead_events):
    response = su.post(change_url(lead), lead_form(lead, stage=stages[2].pk))

    assert response.status_code == 302, response.content.decode()[:2000]
    lead.refresh_from_db()
    assert lead.stage == stages[2]
    assert lead.status == stages[2].status  # a stage with a status sets it on entry
    assert StageVisit.objects.filter(lead=lead, left_at__isnull=True).get().stage == stages[2]
    assert lead.activities.filter(type=Activity.Type.STAGE_CHANGED).exists()
    assert [event.kind for event in lead_events][:1] == [events.EventKind.STAGE_ENTERED]


def test_saving_a_stage_of_another_pipeline_is_a_form_error(su, org, lead):
    other = create_pipeline(org=org, name="Partners")

    response = su.post(change_url(lead), lead_form(lead, stage=other.stages.first().pk))

    assert response.status_code == 200
    assert "Choose a stage of the" in response.content.decode()
    lead.refresh_from_db()
    assert lead.pipeline_id != other.pk


def test_moving_a_lead_to_another_pipeline_records_the_move(su, org, lead):
    other = create_pipeline(org=org, name="Partners")
    target = other.stages.order_by("order")[1]

    response = su.post(change_url(lead), lead_form(lead, pipeline=other.pk, stage=target.pk))

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.pipeline_id, lead.stage_id) == (other.pk, target.pk)
    move = lead.activities.get(type=Activity.Type.STAGE_CHANGED)
    assert move.metadata["toPipelineId"] == other.pk
    assert StageVisit.objects.filter(lead=lead).count() == 2


def test_changing_status_and_assignee_writes_history_and_fires_events(su, org, lead, member, lead_events):
    response = su.post(change_url(lead), lead_form(lead, status=LeadStatus.QUALIFIED, assigned_to=member.pk))

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_to) == (LeadStatus.QUALIFIED, member)
    types = set(lead.activities.values_list("type", flat=True))
    assert {Activity.Type.STATUS_CHANGED, Activity.Type.ASSIGNED} <= types
    kinds = {event.kind for event in lead_events}
    # QUALIFIED is the Qualified stage's status: the lead moved there too (status and stage agree).
    assert kinds == {
        events.EventKind.STAGE_ENTERED,
        events.EventKind.STATUS_CHANGED,
        events.EventKind.ASSIGNED,
        events.EventKind.LEAD_UPDATED,
    }
    assert lead.stage.status == LeadStatus.QUALIFIED


def test_plain_fields_and_contact_change_through_update_lead(su, org, lead):
    new_contact = ContactFactory(organization=org)

    response = su.post(change_url(lead), lead_form(lead, value="2500.50", notes="Call back", contact=new_contact.pk))

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.value, lead.notes, lead.contact) == (Decimal("2500.50"), "Call back", new_contact)


def test_assigning_someone_outside_the_org_is_a_form_error(su, lead, other_org):
    outsider = MembershipFactory(organization=other_org).user

    response = su.post(change_url(lead), lead_form(lead, assigned_to=outsider.pk))

    assert response.status_code == 200
    assert "is not a member of" in response.content.decode()
    lead.refresh_from_db()
    assert lead.assigned_to is None


def test_a_contact_of_another_org_is_a_form_error_for_a_superuser(su, lead, other_org):
    response = su.post(change_url(lead), lead_form(lead, contact=ContactFactory(organization=other_org).pk))

    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.contact.organization_id == lead.organization_id


def test_the_change_form_has_one_input_per_custom_field_by_type(su, org, lead):
    CustomFieldFactory(organization=org, key="seats", label="Seats", type="NUMBER")
    CustomFieldFactory(organization=org, key="plan", label="Plan", type="SELECT", options=["basic", "pro"])
    CustomFieldFactory(organization=org, key="renewal", label="Renewal", type="DATE")
    CustomFieldFactory(organization=OrganizationFactory(), key="secret", label="Secret")

    body = su.get(change_url(lead)).content.decode()

    assert 'name="custom_fields"' not in body
    assert re.search(r'<input type="number" name="cf_seats"', body)
    assert re.search(r'<select name="cf_plan"', body) and '<option value="pro">pro</option>' in body
    assert re.search(r'<input type="date" name="cf_renewal"', body)
    assert "cf_secret" not in body


def test_custom_field_inputs_save_through_update_lead_and_keep_other_keys(su, org, user):
    CustomFieldFactory(organization=org, key="seats", label="Seats", type="NUMBER")
    CustomFieldFactory(organization=org, key="plan", label="Plan", type="SELECT", options=["basic", "pro"])
    lead = LeadFactory(organization=org, custom_fields={"seats": 3, "plan": "basic"})

    response = su.post(change_url(lead), lead_form(lead, cf_seats="12", cf_plan=""))

    assert response.status_code == 302, response.content.decode()[:3000]
    lead.refresh_from_db()
    assert lead.custom_fields == {"seats": 12}
    assert lead.changes.filter(changes__has_key="customFields.plan").exists()


def test_a_wrong_custom_field_value_is_a_form_error(su, org, lead):
    CustomFieldFactory(organization=org, key="seats", label="Seats", type="NUMBER")
    CustomFieldFactory(organization=org, key="plan", label="Plan", type="SELECT", options=["basic", "pro"])

    response = su.post(change_url(lead), lead_form(lead, cf_seats="many", cf_plan="enterprise"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a number." in body and "Select a valid choice." in body
    lead.refresh_from_db()
    assert lead.custom_fields == {}


def test_a_required_custom_field_left_empty_is_a_form_error(su, org, lead):
    CustomFieldFactory(organization=org, key="seats", label="Seats", type="NUMBER", required=True)

    response = su.post(change_url(lead), lead_form(lead))

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_adding_a_lead_goes_through_create_lead(su, org, pipeline, stages, lead_events):
    contact = ContactFactory(organization=org)

    response = su.post(
        "/admin/leads/lead/add/",
        {
            "organization": org.pk,
            "contact": contact.pk,
            "pipeline": pipeline.pk,
            "stage": "",
            "status": LeadStatus.NEW,
            "value": "800",
            "notes": "",
            "custom_fields": "{}",
            **inline_management(*LEAD_INLINES),
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    lead = Lead.objects.get(contact=contact)
    assert lead.stage == stages[0]
    assert lead.activities.filter(type=Activity.Type.CREATED).exists()
    assert StageVisit.objects.filter(lead=lead).count() == 1
    assert [event.kind for event in lead_events] == [events.EventKind.LEAD_CREATED]


def test_a_second_lead_for_the_same_contact_and_pipeline_is_a_form_error(su, org, lead):
    response = su.post(
        "/admin/leads/lead/add/",
        {
            "organization": org.pk,
            "contact": lead.contact_id,
            "pipeline": lead.pipeline_id,
            "status": LeadStatus.NEW,
            "custom_fields": "{}",
            **inline_management(*LEAD_INLINES),
        },
    )

    assert response.status_code == 200
    assert Lead.objects.filter(contact=lead.contact).count() == 1


def test_deleting_a_lead_keeps_its_contact(su, lead):
    response = su.post(f"/admin/leads/lead/{lead.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert lead.contact.__class__.objects.filter(pk=lead.contact_id).exists()


# --- another org's lead --------------------------------------------------------------


@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_another_orgs_lead_is_not_found_for_an_org_admin(staff, foreign_lead, view):
    response = staff.get(f"/admin/leads/lead/{foreign_lead.pk}/{view}/")

    assert response.status_code == 404


def test_org_admin_cannot_post_changes_to_another_orgs_lead(staff, foreign_lead):
    response = staff.post(change_url(foreign_lead), lead_form(foreign_lead, notes="hijacked"))

    assert response.status_code == 404
    foreign_lead.refresh_from_db()
    assert foreign_lead.notes != "hijacked"


def test_org_admin_cannot_attach_another_orgs_contact(staff, lead, other_org):
    foreign_contact = ContactFactory(organization=other_org)

    response = staff.post(change_url(lead), lead_form(lead, contact=foreign_contact.pk))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    lead.refresh_from_db()
    assert lead.contact_id != foreign_contact.pk


def test_org_admin_autocomplete_returns_only_their_orgs_rows(staff, org, lead, foreign_lead):
    contacts = autocomplete_ids(staff, "leads", "lead", "contact")
    users = autocomplete_ids(staff, "leads", "lead", "assigned_to")

    assert contacts == {lead.contact_id}
    assert foreign_lead.organization.memberships.get().user_id not in users


def test_org_admin_actions_skip_another_orgs_leads(staff, lead, foreign_lead):
    action(staff, "mark_lost", [lead, foreign_lead])

    lead.refresh_from_db(), foreign_lead.refresh_from_db()
    assert (lead.status, foreign_lead.status) == (LeadStatus.LOST, LeadStatus.NEW)


# --- bulk actions ---------------------------------------------------------------------


@pytest.mark.parametrize("client_fixture", ["su", "staff"])
@pytest.mark.parametrize(("name", "status"), [("mark_converted", LeadStatus.CONVERTED), ("mark_lost", LeadStatus.LOST)])
def test_status_actions_change_status_with_history(request, org, name, status, client_fixture, lead_events):
    client = request.getfixturevalue(client_fixture)
    leads = LeadFactory.create_batch(3, organization=org)

    response = action(client, name, leads)

    assert response.status_code == 302
    for lead in leads:
        lead.refresh_from_db()
        assert lead.status == status
        assert lead.activities.filter(type=Activity.Type.STATUS_CHANGED).exists()
    assert (status == LeadStatus.CONVERTED) == all(lead.converted_at for lead in leads)
    assert len([e for e in lead_events if e.kind == events.EventKind.STATUS_CHANGED]) == 3


@pytest.mark.parametrize(("name", "status"), [("mark_converted", LeadStatus.CONVERTED), ("mark_lost", LeadStatus.LOST)])
def test_closing_leads_in_bulk_moves_them_into_the_matching_stage(su, org, pipeline, stages, name, status):
    """Regression: "Mark converted" left the lead in its stage ("Converted · in New")."""
    leads = LeadFactory.create_batch(2, organization=org)
    closing_stage = pipeline.stages.get(status=status)

    response = action(su, name, leads)

    assert response.status_code == 302
    for lead in leads:
        lead.refresh_from_db()
        assert (lead.status, lead.stage_id) == (status, closing_stage.pk)
        assert lead.stage_visits.filter(stage=closing_stage, left_at__isnull=True).count() == 1


def test_setting_lost_on_the_change_form_moves_the_lead_into_lost(su, org, pipeline, lead):
    lost = pipeline.stages.get(status=LeadStatus.LOST)

    response = su.post(change_url(lead), lead_form(lead, status=LeadStatus.LOST))

    assert response.status_code == 302, response.content.decode()[:3000]
    lead.refresh_from_db()
    assert (lead.status, lead.stage_id) == (LeadStatus.LOST, lost.pk)


def test_a_bulk_action_changes_nothing_when_one_lead_is_refused(su, org, lead_events):
    first, second = LeadFactory.create_batch(2, organization=org)

    def refuse_second(event):
        if event.lead.pk == max(first.pk, second.pk):
            raise InvalidInput(["refused by a rule"])

    events.subscribe(refuse_second)
    try:
        response = action(su, "mark_converted", [first, second])
    finally:
        events._handlers.remove(refuse_second)

    assert response.status_code == 302
    assert set(Lead.objects.values_list("status", flat=True)) == {LeadStatus.NEW}
    assert not Activity.objects.filter(type=Activity.Type.STATUS_CHANGED).exists()


def test_assign_action_shows_a_form_of_org_members_first(su, org, lead, member, other_org):
    outsider = MembershipFactory(organization=other_org).user

    response = action(su, "assign_to", [lead])

    body = response.content.decode()
    assert response.status_code == 200
    assert member.email in body and outsider.email not in body


@pytest.mark.parametrize("client_fixture", ["su", "staff"])
def test_assign_action_assigns_through_services(request, org, member, client_fixture):
    client = request.getfixturevalue(client_fixture)
    leads = LeadFactory.create_batch(2, organization=org)

    response = action(client, "assign_to", leads, apply="1", assignee=member.pk)

    assert response.status_code == 302
    for lead in leads:
        lead.refresh_from_db()
        assert lead.assigned_to == member
        assert lead.activities.filter(type=Activity.Type.ASSIGNED).exists()


def test_assign_action_refuses_someone_outside_the_org(su, org, lead, other_org):
    outsider = MembershipFactory(organization=other_org).user

    response = action(su, "assign_to", [lead], apply="1", assignee=outsider.pk)

    assert response.status_code == 200  # the form again, with its error
    lead.refresh_from_db()
    assert lead.assigned_to is None


@pytest.mark.parametrize("client_fixture", ["su", "staff"])
def test_move_action_moves_through_services(request, org, stages, client_fixture):
    client = request.getfixturevalue(client_fixture)
    leads = LeadFactory.create_batch(2, organization=org)

    form = action(client, "move_to_stage", leads)
    response = action(client, "move_to_stage", leads, apply="1", stage=stages[1].pk, notes="Batch qualified")

    assert form.status_code == 200 and stages[1].name in form.content.decode()
    assert response.status_code == 302
    for lead in leads:
        lead.refresh_from_db()
        assert lead.stage == stages[1]
        assert "Batch qualified" in lead.activities.get(type=Activity.Type.STAGE_CHANGED).description


def test_move_action_needs_leads_of_one_pipeline(su, org, lead):
    other = create_pipeline(org=org, name="Partners")
    elsewhere = LeadFactory(organization=org, pipeline=other)

    response = action(su, "move_to_stage", [lead, elsewhere], follow=True)

    assert "Select leads of one pipeline" in response.content.decode()


def test_move_action_refuses_a_stage_of_another_pipeline(su, org, lead):
    other = create_pipeline(org=org, name="Partners")

    response = action(su, "move_to_stage", [lead], apply="1", stage=other.stages.first().pk)

    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.pipeline_id != other.pk


@pytest.mark.parametrize("client_fixture", ["su", "staff"])
def test_export_writes_the_selected_leads_as_csv(request, org, client_fixture):
    client = request.getfixturevalue(client_fixture)
    leads = LeadFactory.create_batch(3, organization=org)

    response = action(client, "export_csv", leads[:2])

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["id"] for row in rows} == {leads[0].pk, leads[1].pk}
    assert rows[0]["email"] and rows[0]["stage"] == "New"


def test_export_keeps_formulas_from_running_in_spreadsheets(su, org):
    contact = ContactFactory(organization=org, name='=HYPERLINK("http://evil")', phone="+1 555 0100")
    lead = LeadFactory(organization=org, contact=contact)

    response = action(su, "export_csv", [lead])

    row = next(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert row["name"].startswith("'=")
    assert row["phone"] == "+1 555 0100"


def test_a_status_chosen_when_adding_a_lead_wins_and_moves_it_to_its_stage(su, org, pipeline, stages):
    contact = ContactFactory(organization=org)

    su.post(
        "/admin/leads/lead/add/",
        {
            "organization": org.pk,
            "contact": contact.pk,
            "pipeline": pipeline.pk,
            "stage": stages[0].pk,
            "status": LeadStatus.CONTACTED,
            "custom_fields": "{}",
            **inline_management(*LEAD_INLINES),
        },
    )

    lead = Lead.objects.get(contact=contact)
    # The status wins, and takes the lead into the stage carrying it (status and stage agree).
    assert (lead.stage, lead.status) == (stages[2], LeadStatus.CONTACTED)
    assert lead.activities.filter(type=Activity.Type.STATUS_CHANGED).exists()
