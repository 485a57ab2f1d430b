"""The lead admin's deal fields and lost reasons: edited through the services as the API and the lead page do."""

import datetime
from decimal import Decimal

import pytest

from leads.models import Lead, LeadChange
from leads.services import create_lost_reason
from leads.tests.factories import LeadFactory
from leads.tests.test_admin import action, change_url, lead_form
from pipelines.models import LeadStatus
from tests.support.admin import logged_in, superuser
from vchata.accounts.tests.factories import OrganizationFactory


@pytest.fixture
def su(db):
    return logged_in(superuser())


@pytest.fixture
def reasons(org, user):
    price = create_lost_reason(org=org, actor=user, name="Too expensive")
    rival = create_lost_reason(org=org, actor=user, name="Went with a competitor")
    create_lost_reason(org=org, actor=user, name="Retired reason", is_active=False)
    return price, rival


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_mark_lost_asks_for_one_of_the_orgs_active_reasons(su, org, reasons):
    leads = LeadFactory.create_batch(2, organization=org)
    create_lost_reason(org=OrganizationFactory(), actor=None, name="Another org's reason")

    page = su.post("/admin/leads/lead/", {"action": "mark_lost", "_selected_action": [lead.pk for lead in leads]})

    assert page.status_code == 200
    choices = [label for value, label in page.context["form"].fields["lost_reason"].choices if value]
    assert choices == ["Too expensive", "Went with a competitor"]
    assert set(Lead.objects.filter(pk__in=[lead.pk for lead in leads]).values_list("status", flat=True)) == {
        LeadStatus.NEW
    }


def test_mark_lost_with_a_reason_closes_every_lead_with_it(su, org, reasons):
    price, _ = reasons
    leads = LeadFactory.create_batch(2, organization=org)

    response = action(su, "mark_lost", leads, follow=True, apply="1", lost_reason=price.pk)

    assert "Marked 2 leads lost (Too expensive)." in messages_of(response)
    for lead in leads:
        lead.refresh_from_db()
        assert (lead.status, lead.lost_reason_id) == (LeadStatus.LOST, price.pk)
        assert lead.stage.status == LeadStatus.LOST


def test_mark_lost_without_a_reason_changes_nothing(su, org, reasons):
    lead = LeadFactory(organization=org)

    page = action(su, "mark_lost", [lead], apply="1", lost_reason="")

    assert page.status_code == 200
    assert page.context["form"].errors["lost_reason"]
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason_id) == (LeadStatus.NEW, None)


def test_a_reason_of_another_org_is_not_a_choice(su, org, reasons):
    lead = LeadFactory(organization=org)
    foreign = create_lost_reason(org=OrganizationFactory(), actor=None, name="Foreign")

    page = action(su, "mark_lost", [lead], apply="1", lost_reason=foreign.pk)

    assert page.status_code == 200
    assert "Select a valid choice" in str(page.context["form"].errors["lost_reason"])
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


def test_mark_lost_across_orgs_with_their_own_reasons_asks_for_one_org(su, org, reasons):
    other = OrganizationFactory()
    create_lost_reason(org=other, actor=None, name="Too expensive")
    leads = [LeadFactory(organization=org), LeadFactory(organization=other)]

    response = action(su, "mark_lost", leads, follow=True)

    assert any("Select leads of one organization" in message for message in messages_of(response))
    assert {lead.status for lead in Lead.objects.filter(pk__in=[lead.pk for lead in leads])} == {LeadStatus.NEW}


def test_the_change_form_marks_a_lead_lost_with_a_reason_in_one_change(su, org, reasons):
    _, rival = reasons
    lead = LeadFactory(organization=org)

    response = su.post(change_url(lead), lead_form(lead, status=LeadStatus.LOST, lost_reason=rival.pk))

    assert response.status_code == 302, response.content.decode()[:3000]
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason_id, lead.stage.status) == (LeadStatus.LOST, rival.pk, LeadStatus.LOST)
    change = LeadChange.objects.filter(lead=lead).latest("created_at")
    assert change.changes["lostReasonId"] == [None, rival.pk]


@pytest.mark.parametrize("into", ["status", "stage"])
def test_marking_lost_on_the_change_form_asks_for_a_reason_and_saves_nothing(su, org, pipeline, reasons, into):
    lead = LeadFactory(organization=org)
    value = lead.value
    lost = {"status": LeadStatus.LOST} if into == "status" else {"stage": pipeline.stages.get(status="LOST").pk}

    response = su.post(change_url(lead), lead_form(lead, value="99", **lost))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["lost_reason"] == ["Pick why this lead was lost."]
    lead.refresh_from_db()
    assert (lead.status, lead.value) == (LeadStatus.NEW, value)


def test_the_change_form_edits_the_deal_fields_through_the_services(su, org):
    lead = LeadFactory(organization=org)

    response = su.post(
        change_url(lead),
        lead_form(lead, title="Website redesign", value="12500.00", expected_close_date="2027-01-31", probability=40),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    lead.refresh_from_db()
    assert (lead.title, lead.value, lead.expected_close_date, lead.probability) == (
        "Website redesign",
        Decimal("12500.00"),
        datetime.date(2027, 1, 31),
        40,
    )
    change = LeadChange.objects.filter(lead=lead).latest("created_at")
    assert change.changes["title"] == [None, "Website redesign"]
    assert change.changes["probability"] == [None, 40]


def test_a_probability_over_100_is_a_form_error(su, org):
    lead = LeadFactory(organization=org)

    response = su.post(change_url(lead), lead_form(lead, probability=140))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["probability"]
    lead.refresh_from_db()
    assert lead.probability is None


def test_reopening_a_lost_lead_drops_its_reason(su, org, reasons):
    price, _ = reasons
    lead = LeadFactory(organization=org)
    action(su, "mark_lost", [lead], apply="1", lost_reason=price.pk)
    lead.refresh_from_db()

    response = su.post(change_url(lead), lead_form(lead, status=LeadStatus.NEW, lost_reason=price.pk))

    assert response.status_code == 302, response.content.decode()[:3000]
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason_id) == (LeadStatus.NEW, None)
