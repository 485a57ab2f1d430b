"""The lead page's deal: its title, close date and probability edited there, and "Mark lost" asking why."""

import datetime

import pytest
from django.urls import reverse

from leads.models import LeadChange
from leads.services import create_lost_reason
from leads.tests.factories import LeadFactory
from pipelines.models import LeadStatus
from vchata.accounts.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def lead_url(org, lead, name="lead-detail"):
    return reverse(name, kwargs={"org_id": org.pk, "lead_id": lead.pk})


def edit(lead, **fields) -> dict:
    """The Edit details form as the page renders it for ``lead``, with ``fields`` changed."""
    return {
        "title": lead.title or "",
        "value": lead.value if lead.value is not None else "",
        "expected_close_date": lead.expected_close_date or "",
        "probability": lead.probability if lead.probability is not None else "",
        "source": lead.source or "",
        "campaign": lead.campaign_id or "",
        "notes": lead.notes,
        **fields,
    }


@pytest.fixture
def reasons(org, user):
    create_lost_reason(org=org, actor=user, name="Retired", is_active=False)
    return [create_lost_reason(org=org, actor=user, name=name) for name in ("Too expensive", "No budget")]


def test_the_deal_fields_are_edited_on_the_lead_page_and_shown(browser, org, stages):
    lead = LeadFactory(organization=org, stage=stages[1])

    response = browser.post(
        lead_url(org, lead, "lead-edit"),
        edit(lead, title="Website redesign", expected_close_date="2027-02-15", probability="35"),
    )

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.title, lead.expected_close_date, lead.probability) == (
        "Website redesign",
        datetime.date(2027, 2, 15),
        35,
    )
    change = LeadChange.objects.filter(lead=lead).latest("created_at")
    assert change.changes["expectedCloseDate"] == [None, "2027-02-15"]
    page = browser.get(lead_url(org, lead)).content.decode()
    assert "<dt>Deal</dt><dd>Website redesign</dd>" in page
    assert '<time datetime="2027-02-15">Feb 15, 2027</time>' in page
    assert "<dt>Probability</dt><dd>35%</dd>" in page


def test_without_its_own_probability_the_page_says_the_stage_s(browser, org, stages):
    lead = LeadFactory(organization=org, stage=stages[1])

    page = browser.get(lead_url(org, lead)).content.decode()

    assert f"{stages[1].probability}% (the stage's)" in page


@pytest.mark.parametrize("probability", ["140", "-5", "half"])
def test_a_probability_outside_0_to_100_is_a_form_error_and_saves_nothing(browser, org, stages, probability):
    lead = LeadFactory(organization=org, stage=stages[1])

    response = browser.post(lead_url(org, lead, "lead-edit"), edit(lead, title="Kept?", probability=probability))

    assert response.status_code == 400
    lead.refresh_from_db()
    assert (lead.title, lead.probability) == (None, None)


def test_mark_lost_asks_for_one_of_the_orgs_active_reasons(browser, org, stages, reasons):
    lead = LeadFactory(organization=org, stage=stages[1])

    page = browser.get(lead_url(org, lead)).content.decode()

    form = page[page.index('<details class="mark-lost">') : page.index("</details>", page.index("mark-lost"))]
    assert '<select name="lost_reason" id="id_lost_reason" required>' in form
    assert [reason.name in form for reason in reasons] == [True, True]
    assert "Retired" not in form


def test_mark_lost_with_a_reason_closes_the_lead_with_it(browser, org, stages, reasons):
    lead = LeadFactory(organization=org, stage=stages[1])

    response = browser.post(lead_url(org, lead, "lead-status"), {"status": "LOST", "lost_reason": reasons[1].pk})

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.stage.status, lead.lost_reason) == (LeadStatus.LOST, LeadStatus.LOST, reasons[1])
    assert "Lead marked lost (No budget)." in browser.get(lead_url(org, lead)).content.decode()


@pytest.mark.parametrize("reason", ["", "foreign"])
def test_mark_lost_without_a_reason_of_the_org_changes_nothing(browser, org, stages, reasons, reason):
    lead = LeadFactory(organization=org, stage=stages[1])
    before = lead.status
    if reason == "foreign":
        reason = create_lost_reason(org=OrganizationFactory(), actor=None, name="Elsewhere").pk

    response = browser.post(lead_url(org, lead, "lead-status"), {"status": "LOST", "lost_reason": reason}, follow=True)

    lead.refresh_from_db()
    assert (lead.status, lead.stage, lead.lost_reason) == (before, stages[1], None)
    assert [str(m) for m in response.context["messages"]]


def test_mark_lost_is_one_button_when_the_org_keeps_no_reasons(browser, org, stages):
    lead = LeadFactory(organization=org, stage=stages[1])

    page = browser.get(lead_url(org, lead)).content.decode()

    assert "mark-lost" not in page
    assert '<input type="hidden" name="status" value="LOST">' in page
