"""A card moved into Lost in an org that keeps lost reasons: "Move to…" asks why; a bare drop is told to."""

import pytest

from leads.services import create_lost_reason
from leads.tests.factories import LeadFactory
from pipelines.board.tests.test_pages import move_url
from pipelines.board.views import ASK_WHY_LOST
from pipelines.models import LeadStatus
from vchata.accounts.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reason(org, user):
    create_lost_reason(org=org, actor=user, name="Retired", is_active=False)
    return create_lost_reason(org=org, actor=user, name="Went with a competitor")


def lost_stage(pipeline):
    return pipeline.stages.get(status=LeadStatus.LOST)


def test_move_to_offers_the_orgs_active_reasons(browser, org, pipeline, stages, reason):
    lead = LeadFactory(organization=org, stage=stages[0])

    form = browser.get(move_url(org, pipeline, lead), HTTP_HX_REQUEST="true").content.decode()

    assert f'<option value="{reason.pk}">Went with a competitor</option>' in form
    assert "Retired" not in form


def test_a_move_into_lost_with_a_reason_closes_the_lead_with_it(browser, org, pipeline, stages, reason):
    lead = LeadFactory(organization=org, stage=stages[0])

    into_lost = {"stage": lost_stage(pipeline).pk, "lost_reason": reason.pk}

    response = browser.post(move_url(org, pipeline, lead), into_lost, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason) == (LeadStatus.LOST, reason)


def test_a_reason_sent_with_a_move_elsewhere_is_ignored(browser, org, pipeline, stages, reason):
    lead = LeadFactory(organization=org, stage=stages[0])

    response = browser.post(
        move_url(org, pipeline, lead), {"stage": stages[1].pk, "lost_reason": reason.pk}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.stage, lead.lost_reason) == (stages[1], None)


def test_a_drop_into_lost_without_a_reason_says_how_and_changes_nothing(browser, org, pipeline, stages, reason):
    lead = LeadFactory(organization=org, stage=stages[0])

    response = browser.post(move_url(org, pipeline, lead), {"stage": lost_stage(pipeline).pk}, HTTP_HX_REQUEST="true")

    assert (response.status_code, response.content.decode()) == (400, ASK_WHY_LOST)
    lead.refresh_from_db()
    assert (lead.stage, lead.status) == (stages[0], LeadStatus.NEW)


def test_another_orgs_reason_is_a_404_and_changes_nothing(browser, org, pipeline, stages, reason):
    lead = LeadFactory(organization=org, stage=stages[0])
    foreign = create_lost_reason(org=OrganizationFactory(), actor=None, name="Elsewhere")

    into_lost = {"stage": lost_stage(pipeline).pk, "lost_reason": foreign.pk}

    response = browser.post(move_url(org, pipeline, lead), into_lost, HTTP_HX_REQUEST="true")

    assert response.status_code == 404
    lead.refresh_from_db()
    assert lead.stage == stages[0]
