"""The analytics dashboard page: its figures come from the analytics selectors (see conftest's history)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.tests.conftest import bulk_leads
from pipelines.services import create_pipeline

pytestmark = pytest.mark.django_db


def dashboard_url(org) -> str:
    return reverse("analytics-dashboard", kwargs={"org_id": org.pk})


def stat(html: str, name: str) -> str:
    start = html.index(f'data-stat="{name}">') + len(f'data-stat="{name}">')
    return html[start : html.index("<", start)].strip()


def test_dashboard_shows_the_stats_tiles(browser, org, history):
    html = browser.get(dashboard_url(org)).content.decode()

    assert stat(html, "totalLeads") == "4"
    assert stat(html, "convertedLeads") == "1"
    assert stat(html, "conversionRate") == "25.0%"
    assert stat(html, "totalValue") == "$3.5K"
    assert stat(html, "averageValue") == "$1.2K"


def test_dashboard_shows_sources_campaigns_stages_and_funnel(browser, org, history):
    response = browser.get(dashboard_url(org))

    html = response.content.decode()
    for heading in ("Sources", "Campaigns", "Stages of Sales Pipeline", "Funnel", "Leads by status"):
        assert heading in html
    sources = [(item["row"].source, item["row"].figures.count, item["bar"]) for item in response.context["sources"]]
    assert sources == [("website", 2, 100.0), ("referral", 1, 50.0), (None, 1, 50.0)]
    assert [item["row"].campaign_name for item in response.context["campaigns"]] == ["Summer Sale", "Winter Deals"]
    assert "Spring (no leads)" not in html
    assert [(r["stage"].name, r["stage"].lead_count) for r in response.context["stage_rows"]][:2] == [
        ("New", 1),
        ("Qualified", 1),
    ]
    assert response.context["funnel_rows"][0]["bar"] == 100.0


def test_dashboard_date_range_narrows_every_figure(browser, org, history):
    html = browser.get(dashboard_url(org), {"start": "2024-03-02", "end": "2024-03-03"}).content.decode()

    assert stat(html, "totalLeads") == "2"  # B (day 1) and C (day 2)


def test_dashboard_pipeline_filter(browser, org, history):
    other = create_pipeline(org=org, name="Partners")

    response = browser.get(dashboard_url(org), {"pipeline": other.pk})

    assert stat(response.content.decode(), "totalLeads") == "0"
    assert response.context["stage_pipeline"] == other


def test_dashboard_all_pipelines_shows_the_default_pipelines_stages(browser, org, pipeline, history):
    create_pipeline(org=org, name="Partners")

    response = browser.get(dashboard_url(org), {"pipeline": "all"})

    assert stat(response.content.decode(), "totalLeads") == "4"
    assert response.context["selected_pipeline"] is None
    assert response.context["stage_pipeline"] == pipeline


def test_dashboard_with_reversed_dates_explains_and_shows_all_dates(browser, org, history):
    response = browser.get(dashboard_url(org), {"start": "2024-03-05", "end": "2024-03-01"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "must not be before the start date" in html
    assert stat(html, "totalLeads") == "4"


def test_dashboard_ignores_another_orgs_pipeline_id(browser, org, other_org, history):
    response = browser.get(dashboard_url(org), {"pipeline": other_org.pipeline_set.get().pk})

    assert response.status_code == 400
    assert "Sales Pipeline" in response.content.decode()


def test_dashboard_of_another_org_is_not_found(browser, other_org):
    assert browser.get(dashboard_url(other_org)).status_code == 404


def test_dashboard_needs_login(org):
    assert Client().get(dashboard_url(org))["Location"].startswith("/login")


def test_dashboard_query_count_does_not_grow_with_leads(browser, org, pipeline, django_assert_num_queries):
    bulk_leads(org, pipeline, 10)
    with CaptureQueriesContext(connection) as few:
        browser.get(dashboard_url(org))
    bulk_leads(org, pipeline, 200)

    with django_assert_num_queries(len(few.captured_queries)):
        browser.get(dashboard_url(org))
