"""Lead sources: one known list for the new-lead form, the edit form and the board filter; labels everywhere."""

import pytest
from django.urls import reverse

from leads.models import Lead
from leads.sources import KNOWN_SOURCES, source_choices, source_label
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_labels_read_as_words():
    assert source_label("cold_outreach") == "Cold outreach"
    assert source_label("social_media") == "Social media"
    assert source_label("trade_show") == "Trade show"  # unknown values read the same way
    assert source_label(None) == ""


def test_other_used_sources_follow_the_known_ones_once():
    choices = source_choices(["zoom_webinar", "website", "zoom_webinar", ""])

    assert choices[: len(KNOWN_SOURCES)] == list(KNOWN_SOURCES.items())
    assert choices[len(KNOWN_SOURCES) :] == [("zoom_webinar", "Zoom webinar")]


def test_new_lead_source_is_a_dropdown_of_the_board_filters_sources(browser, org, pipeline):
    LeadFactory(organization=org, source="cold_outreach")
    new_form = browser.get(reverse("lead-new", kwargs={"org_id": org.pk})).context["form"]
    board_form = browser.get(reverse("board", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})).context[
        "filter_form"
    ]

    offered = list(new_form.fields["source"].choices)[1:]
    assert offered == list(KNOWN_SOURCES.items())
    assert list(board_form.fields["source"].choices)[1:] == offered
    assert ("cold_outreach", "Cold outreach") in offered


def test_new_lead_with_a_known_source_and_an_unknown_one(browser, org, pipeline):
    url = reverse("lead-new", kwargs={"org_id": org.pk})

    assert browser.post(url, {"contact_name": "Ada", "pipeline": pipeline.pk, "source": "event"}).status_code == 302
    refused = browser.post(url, {"contact_name": "Bob", "pipeline": pipeline.pk, "source": "made up"})

    assert Lead.objects.get(contact__name="Ada").source == "event"
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    assert not Lead.objects.filter(contact__name="Bob").exists()


def test_editing_keeps_a_source_the_api_set(browser, org):
    lead = LeadFactory(organization=org, source="zoom_webinar", value=None)
    url = reverse("lead-edit", kwargs={"org_id": org.pk, "lead_id": lead.pk})
    form = browser.get(reverse("lead-detail", kwargs={"org_id": org.pk, "lead_id": lead.pk})).context["edit_form"]

    assert ("zoom_webinar", "Zoom webinar") in list(form.fields["source"].choices)
    assert browser.post(url, {"source": "zoom_webinar", "notes": "Warm"}).status_code == 302
    lead.refresh_from_db()
    assert (lead.source, lead.notes) == ("zoom_webinar", "Warm")


def test_cards_and_the_lead_page_show_source_labels(browser, org, pipeline):
    lead = LeadFactory(organization=org, source="cold_outreach")

    board = browser.get(reverse("board", kwargs={"org_id": org.pk, "pipeline_id": pipeline.pk})).content.decode()
    page = browser.get(reverse("lead-detail", kwargs={"org_id": org.pk, "lead_id": lead.pk})).content.decode()

    assert ">Cold outreach</span>" in board
    assert '<option value="cold_outreach">Cold outreach</option>' in board
    assert "<dd>Cold outreach</dd>" in page
    assert ">cold_outreach<" not in board + page
