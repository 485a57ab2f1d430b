"""Admins of the models around leads: scoping, inlines, read-only history, flat query counts."""

from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple, ForeignKeyRawIdWidget
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.forms import ModelChoiceField
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leads.management.commands import seed_demo
from leads.models import Activity, Campaign, Contact, Message
from leads.services import convert_conversation
from leads.tests.factories import (
    CampaignFactory,
    ContactFactory,
    ContentPostFactory,
    ConversationFactory,
    CustomFieldFactory,
    LeadFactory,
    MessageFactory,
    SocialAccountFactory,
)
from tests.support.admin import (
    autocomplete_ids,
    inline_management,
    logged_in,
    org_admin,
    superuser,
)


def make_activity(org):
    return LeadFactory(organization=org).activities.get()


def make_stage_visit(org):
    return LeadFactory(organization=org).stage_visits.get()


def make_message(org):
    return MessageFactory(conversation=ConversationFactory(social_account=SocialAccountFactory(organization=org)))


def make_post(org):
    return ContentPostFactory(social_account=SocialAccountFactory(organization=org))


def make_conversation(org):
    return ConversationFactory(social_account=SocialAccountFactory(organization=org))


MODELS = {
    "contact": lambda org: ContactFactory(organization=org),
    "campaign": lambda org: CampaignFactory(organization=org),
    "customfield": lambda org: CustomFieldFactory(organization=org),
    "socialaccount": lambda org: SocialAccountFactory(organization=org),
    "contentpost": make_post,
    "conversation": make_conversation,
    "message": make_message,
    "activity": make_activity,
    "stagevisit": make_stage_visit,
}


def row_link(model: str, row) -> str:
    return f'href="/admin/leads/{model}/{quote(row.pk)}/change/'


@pytest.fixture
def su(db):
    return logged_in(superuser())


@pytest.fixture
def staff(org):
    return logged_in(org_admin(org))


@pytest.mark.parametrize("model", MODELS)
def test_org_admin_sees_own_rows_and_gets_404_for_another_orgs(staff, org, other_org, model):
    mine, theirs = MODELS[model](org), MODELS[model](other_org)

    listing = staff.get(f"/admin/leads/{model}/")
    own = staff.get(f"/admin/leads/{model}/{mine.pk}/change/")
    foreign = staff.get(f"/admin/leads/{model}/{theirs.pk}/change/")

    assert listing.status_code == 200
    assert row_link(model, mine) in listing.content.decode()
    assert row_link(model, theirs) not in listing.content.decode()
    assert (own.status_code, foreign.status_code) == (200, 404)


@pytest.mark.parametrize("model", MODELS)
def test_superuser_sees_every_orgs_rows(su, org, other_org, model):
    mine, theirs = MODELS[model](org), MODELS[model](other_org)

    body = su.get(f"/admin/leads/{model}/").content.decode()

    assert row_link(model, mine) in body and row_link(model, theirs) in body


@pytest.mark.parametrize("model", MODELS)
def test_changelist_queries_do_not_grow_with_rows(su, org, model):
    MODELS[model](org)
    with CaptureQueriesContext(connection) as one:
        su.get(f"/admin/leads/{model}/")
    for _ in range(6):
        MODELS[model](org)
    with CaptureQueriesContext(connection) as seven:
        su.get(f"/admin/leads/{model}/")

    assert len(seven) == len(one)


@pytest.mark.parametrize("model", ["activity", "stagevisit"])
def test_history_is_read_only_even_for_a_superuser(su, org, model):
    row = MODELS[model](org)

    assert su.get(f"/admin/leads/{model}/add/").status_code == 403
    assert su.post(f"/admin/leads/{model}/{row.pk}/change/", {}).status_code == 403
    assert su.post(f"/admin/leads/{model}/{row.pk}/delete/", {"post": "yes"}).status_code == 403


def test_contact_search_finds_by_phone_and_company(su, org):
    contact = ContactFactory(organization=org, phone="+44 20 7946 0000", company="Blue Ocean Ltd")
    ContactFactory(organization=org)

    by_phone = su.get("/admin/leads/contact/", {"q": "7946"}).content.decode()
    by_company = su.get("/admin/leads/contact/", {"q": "blue ocean"}).content.decode()

    assert contact.name in by_phone and contact.name in by_company


def test_contact_page_lists_its_leads(su, org):
    lead = LeadFactory(organization=org)

    body = su.get(f"/admin/leads/contact/{lead.contact_id}/change/").content.decode()

    assert f"/admin/leads/lead/{lead.pk}/change/" in body


def test_a_duplicate_contact_email_is_a_form_error_not_a_500(su, org):
    existing = ContactFactory(organization=org, email="sam@example.com")
    other = ContactFactory(organization=org)

    response = su.post(
        f"/admin/leads/contact/{other.pk}/change/",
        {"name": other.name, "email": "SAM@example.com", "phone": "", "company": "", **inline_management("leads")},
    )

    assert response.status_code == 200
    other.refresh_from_db()
    assert other.email != existing.email.upper()


def test_org_admin_creates_a_campaign_only_in_their_org(staff, org, other_org):
    form = {"name": "Spring", "utm_campaign": "spring", "budget": "100"}

    foreign = staff.post("/admin/leads/campaign/add/", {**form, "organization": other_org.pk})
    own = staff.post("/admin/leads/campaign/add/", {**form, "organization": org.pk})

    assert foreign.status_code == 200 and "Select a valid choice" in foreign.content.decode()
    assert own.status_code == 302
    assert list(Campaign.objects.values_list("organization_id", flat=True)) == [org.pk]


def test_a_post_of_another_accounts_org_is_refused_for_a_superuser(su, org, other_org):
    account = SocialAccountFactory(organization=other_org)

    response = su.post(
        "/admin/leads/contentpost/add/",
        {"organization": org.pk, "social_account": account.pk, "platform_post_id": "1", "content": "", "url": ""},
    )

    assert response.status_code == 200
    assert "of this organization" in response.content.decode()


def test_conversation_links_to_its_lead_once_converted(su, org, pipeline, user):
    conversation = make_conversation(org)
    MessageFactory(conversation=conversation, text="Do you ship to Lisbon?")
    before = su.get(f"/admin/leads/conversation/{conversation.pk}/change/").content.decode()
    lead, _ = convert_conversation(org=org, actor=user, conversation_id=conversation.pk, pipeline=pipeline)

    after = su.get(f"/admin/leads/conversation/{conversation.pk}/change/").content.decode()
    listing = su.get("/admin/leads/conversation/").content.decode()

    assert "Do you ship to Lisbon?" in before and "not converted" in before
    assert f"/admin/leads/lead/{lead.pk}/change/" in after
    assert f"/admin/leads/lead/{lead.pk}/change/" in listing


def test_messages_are_added_in_the_conversation_inline(su, org):
    conversation = make_conversation(org)

    response = su.post(
        f"/admin/leads/conversation/{conversation.pk}/change/",
        {
            "social_account": conversation.social_account_id,
            "participant_name": conversation.participant_name,
            "messages-TOTAL_FORMS": "1",
            "messages-INITIAL_FORMS": "0",
            "messages-0-sent_at_0": timezone.now().strftime("%Y-%m-%d"),
            "messages-0-sent_at_1": "10:00:00",
            "messages-0-direction": "OUT",
            "messages-0-text": "Yes, we do!",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Message.objects.get(conversation=conversation).text == "Yes, we do!"


def test_org_admin_autocomplete_of_contacts_is_scoped(staff, org, other_org):
    mine, theirs = (
        ContactFactory(organization=org, name="Ann Mine"),
        ContactFactory(organization=other_org, name="Ann Theirs"),
    )

    found = autocomplete_ids(staff, "leads", "lead", "contact", term="Ann")

    assert found == {mine.pk}
    assert theirs.pk not in found


def test_deleting_a_contact_with_leads_is_refused(su, org):
    lead = LeadFactory(organization=org)

    response = su.post(f"/admin/leads/contact/{lead.contact_id}/delete/", {"post": "yes"})

    assert response.status_code == 200  # the "protected related objects" page
    assert Contact.objects.filter(pk=lead.contact_id).exists()
    assert Activity.objects.filter(lead=lead).exists()


def test_seed_demo_prints_admin_logins_that_open_the_admin(db):
    out = StringIO()
    call_command("seed_demo", leads=3, stdout=out)
    ops = Client()

    assert f"{seed_demo.ADMIN_EMAIL} / {seed_demo.ADMIN_PASSWORD}" in out.getvalue()
    assert f"{seed_demo.OPS_EMAIL} / {seed_demo.OPS_PASSWORD}" in out.getvalue()
    assert ops.login(email=seed_demo.OPS_EMAIL, password=seed_demo.OPS_PASSWORD)
    response = ops.get("/admin/leads/lead/")
    assert response.status_code == 200 and "3 leads" in response.content.decode()


def test_every_foreign_key_field_in_the_admin_is_an_autocomplete_or_raw_id(db, rf):
    """No form of ours renders a <select> of every row of a table that grows with the business."""
    request = rf.get("/admin/")
    request.user = superuser()
    bounded = {Group, Permission}  # filter_horizontal on the user form: fixed small tables
    unbounded_selects = []
    for model, model_admin in admin.site._registry.items():
        # Read-only admins (history) render values, never widgets.
        if model._meta.app_label not in {"accounts", "leads", "pipelines"} or getattr(model_admin, "read_only", False):
            continue
        forms = [model_admin.get_form(request)] + [
            inline.get_formset(request).form for inline in model_admin.get_inline_instances(request)
        ]
        for form in forms:
            for name, field in form.base_fields.items():
                widget = getattr(field.widget, "widget", field.widget)
                if (
                    isinstance(field, ModelChoiceField)
                    and field.queryset.model not in bounded
                    and not isinstance(widget, AutocompleteSelect | AutocompleteSelectMultiple | ForeignKeyRawIdWidget)
                ):
                    unbounded_selects.append(f"{form.__name__}.{name}")

    assert unbounded_selects == []
