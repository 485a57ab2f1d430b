"""CSV import of contacts and leads: upload, preview with problems flagged, confirm, all or nothing."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leads import events
from leads.importing import MAX_ROWS, plan_import, run_import
from leads.models import Activity, Contact, CustomField, Lead, StageVisit
from leads.tests.factories import ContactFactory, CustomFieldFactory, LeadFactory
from pipelines.models import LeadStatus
from pipelines.services import create_pipeline
from tests.support.admin import (
    logged_in,
    org_admin,
    superuser,
)
from vchata.exceptions import InvalidInput

IMPORT = "/admin/leads/lead/import/"
HEADER = "name,email,phone,company,source,value,stage,assigned_to,notes,utm_campaign\n"


def upload(client, org, text: str, pipeline=None, name="leads.csv"):
    data = {"organization": org.pk, "file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")}
    if pipeline is not None:
        data["pipeline"] = pipeline.pk
    return client.post(IMPORT, data)


def payload_of(response) -> str:
    match = re.search(r'name="payload" value="([^"]+)"', response.content.decode())
    assert match, "the preview offers no import button"
    return match.group(1)


def confirm(client, response):
    return client.post(IMPORT, {"payload": payload_of(response)})


@pytest.fixture
def staff_user(org):
    return org_admin(org)


@pytest.fixture
def staff(staff_user):
    return logged_in(staff_user)


@pytest.fixture
def good_csv(member):
    return HEADER + (
        "Ana Lima,ana@example.com,+351 21 000 0000,Lima Lda,website,1500,Qualified,"
        f"{member.email},Met at the fair,spring_2025\n"
        "Ben Ode,ben@example.com,,,referral,,,,,\n"
    )


def test_upload_page_renders_for_an_org_admin(staff):
    response = staff.get(IMPORT)

    assert response.status_code == 200
    assert "Import leads from CSV" in response.content.decode()


def test_preview_lists_rows_and_imports_nothing(staff, org, good_csv):
    response = upload(staff, org, good_csv)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Ana Lima" in body and "Ben Ode" in body
    assert "2 new leads" in body
    assert not Lead.objects.exists() and not Contact.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_confirm_imports_every_row_through_the_lead_services(staff, staff_user, org, stages, member, good_csv):
    received = []
    events.subscribe(received.append)
    try:
        response = confirm(staff, upload(staff, org, good_csv))
    finally:
        events._handlers.remove(received.append)

    assert response.status_code == 302
    ana = Lead.objects.get(contact__email="ana@example.com")
    assert (ana.stage, ana.status, ana.assigned_to) == (stages[1], LeadStatus.QUALIFIED, member)
    assert (str(ana.value), ana.source, ana.utm_campaign, ana.notes) == (
        "1500.00",
        "website",
        "spring_2025",
        "Met at the fair",
    )
    assert ana.contact.company == "Lima Lda" and ana.contact.phone == "+351 21 000 0000"
    ben = Lead.objects.get(contact__email="ben@example.com")
    assert (ben.stage, ben.value, ben.source) == (stages[0], None, "referral")
    assert Activity.objects.filter(type=Activity.Type.CREATED, actor=staff_user).count() == 2
    assert StageVisit.objects.count() == 2
    assert [event.kind for event in received] == [events.EventKind.LEAD_CREATED] * 2


def test_bad_rows_are_reported_and_block_the_import(staff, org, good_csv):
    bad = good_csv + (
        ",nobody@example.com,,,,,,,,\n"  # no name
        "Cara Dee,not-an-email,,,,-5,Nowhere,stranger@example.com,,\n"
    )

    response = upload(staff, org, bad)

    body = response.content.decode()
    assert "name: This field is required." in body
    assert "email: Enter a valid email address." in body
    assert "value: Ensure this value is greater than or equal to 0." in body
    assert "2 rows with errors" in body
    assert 'name="payload"' not in body
    assert not Lead.objects.exists()


def test_a_bad_value_names_its_row_and_column(org):
    plan = plan_import(org=org, pipeline=org.pipeline_set.get(), text=HEADER + "Cara Dee,,,,,lots,Nowhere,,,\n")

    (row,) = plan.rows
    assert row.number == 2
    assert row.errors == ["value: Enter a number."]


def test_an_unknown_stage_or_assignee_is_a_row_error(org, other_org):
    outsider = org_admin(other_org)
    plan = plan_import(
        org=org,
        pipeline=org.pipeline_set.get(),
        text=HEADER + f"Cara Dee,,,,,,Nowhere,{outsider.email},,\n",
    )

    assert plan.rows[0].errors == [
        "stage: “Nowhere” is not a stage of this pipeline",
        f"assigned_to: {outsider.email} is not a member of this organization",
    ]


def test_duplicates_are_flagged_and_skipped(staff, org, pipeline):
    LeadFactory(organization=org, contact=ContactFactory(organization=org, email="Ana@Example.com"))
    ContactFactory(organization=org, email="ben@example.com")  # a contact without a lead: reused
    text = HEADER + (
        "Ana Lima,ana@example.com,,,,,,,,\nBen Ode,ben@example.com,,,,,,,,\nBen Again,BEN@example.com,,,,,,,,\n"
    )

    preview = upload(staff, org, text)
    body = preview.content.decode()
    response = confirm(staff, preview)

    assert f"ana@example.com already has a lead in {pipeline.name}" in body
    assert "same email as row 3" in body
    assert "(existing contact)" in body
    assert response.status_code == 302
    assert Lead.objects.count() == 2
    assert Contact.objects.filter(email__iexact="ben@example.com").count() == 1
    assert Lead.objects.filter(contact__email="ben@example.com").count() == 1


def test_a_duplicate_created_after_the_preview_is_caught_on_confirm(staff, org, good_csv):
    preview = upload(staff, org, good_csv)
    LeadFactory(organization=org, contact=ContactFactory(organization=org, email="ben@example.com"))

    response = confirm(staff, preview)

    assert response.status_code == 302
    assert Lead.objects.count() == 2  # Ana imported; Ben's existing lead untouched, no second one
    assert Lead.objects.filter(contact__email="ben@example.com").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_row_refused_during_the_import_rolls_back_every_row(staff, org, good_csv):
    def refuse_ben(event):
        if event.lead.contact.email == "ben@example.com":
            raise InvalidInput(["refused by a rule"])

    events.subscribe(refuse_ben)
    try:
        response = confirm(staff, upload(staff, org, good_csv))
    finally:
        events._handlers.remove(refuse_ben)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported. Row 3: refused by a rule" in body
    assert not Lead.objects.exists() and not Contact.objects.exists()


def test_required_custom_fields_are_read_from_their_columns(org):
    CustomFieldFactory(
        organization=org, key="budget_band", type=CustomField.Type.SELECT, options=["S", "M"], required=True
    )
    CustomFieldFactory(organization=org, key="seats", type=CustomField.Type.NUMBER)
    pipeline = org.pipeline_set.get()
    text = "name,email,budget_band,seats\nAna,ana@example.com,M,12\nBen,ben@example.com,XL,\nCy,,,many\n"

    plan = plan_import(org=org, pipeline=pipeline, text=text)

    assert plan.rows[0].errors == [] and plan.rows[0].lead_fields["custom_fields"] == {"budget_band": "M", "seats": 12}
    assert plan.rows[1].errors == ["budget_band must be one of: S, M"]
    assert plan.rows[2].errors == ["seats: “many” is not a number", "budget_band is required"]


def test_headers_are_matched_loosely_and_unknown_ones_ignored(org):
    plan = plan_import(
        org=org,
        pipeline=org.pipeline_set.get(),
        text="Name,E-mail,Utm Source,utmMedium,Favourite colour\nAna,,google,cpc,blue\n",
    )

    (row,) = plan.rows
    assert plan.ignored_columns == ["E-mail", "Favourite colour"]
    assert (row.lead_fields["utm_source"], row.lead_fields["utm_medium"]) == ("google", "cpc")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("email,phone\nana@example.com,1\n", "no “name” column"),
        ("name,email\n", "no rows under its header line"),
        ("name\n" + "Ana\n" * (MAX_ROWS + 1), f"import at most {MAX_ROWS} at a time"),
    ],
)
def test_a_file_that_cannot_be_imported_says_why(org, text, problem):
    plan = plan_import(org=org, pipeline=org.pipeline_set.get(), text=text)

    assert any(problem in error for error in plan.file_errors)
    assert not plan.ready


def test_a_file_that_is_not_utf8_is_a_form_error(staff, org):
    response = staff.post(
        IMPORT, {"organization": org.pk, "file": SimpleUploadedFile("l.csv", "name\nJosé\n".encode("latin-1"))}
    )

    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()


def test_leads_go_into_the_chosen_pipeline(staff, org):
    partners = create_pipeline(org=org, name="Partners")

    confirm(staff, upload(staff, org, HEADER + "Ana,ana@example.com,,,,,,,,\n", pipeline=partners))

    assert Lead.objects.get().pipeline == partners


def test_an_org_admin_cannot_import_into_another_org(staff, other_org, good_csv):
    response = upload(staff, other_org, good_csv)

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Lead.objects.exists()


def test_a_pipeline_of_another_org_is_refused(staff, org, other_org, good_csv):
    response = upload(logged_in(superuser()), org, good_csv, pipeline=other_org.pipeline_set.get())

    assert "Choose a pipeline of this organization." in response.content.decode()


def test_a_tampered_payload_is_refused(staff, org, good_csv):
    payload = payload_of(upload(staff, org, good_csv))

    response = staff.post(IMPORT, {"payload": payload[:-3] + "abc"}, follow=True)

    assert "The preview has expired" in response.content.decode()
    assert not Lead.objects.exists()


def test_another_user_cannot_replay_a_preview(staff, org, good_csv):
    payload = payload_of(upload(staff, org, good_csv))

    response = logged_in(org_admin(org)).post(IMPORT, {"payload": payload})

    assert response.status_code == 403
    assert not Lead.objects.exists()


def test_run_import_refuses_a_plan_with_errors(org):
    plan = plan_import(org=org, pipeline=org.pipeline_set.get(), text="name,value\nAna,-1\n")

    with pytest.raises(ValueError, match="without errors"):
        run_import(plan, actor=None)
