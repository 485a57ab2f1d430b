"""Error pages never crash: with DEBUG off and no ``collectstatic`` (so no static manifest) the 404, 500
and 503 answers still render, unknown API paths answer the JSON envelope, and ``check --deploy`` and the
start-up log name the missing manifest."""

import json
import logging

import pytest
from django.test import Client

from tests.support.api import leads_url
from vchata.checks import check_static_manifest
from vchata.startup import report_deploy_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_static_manifest(settings, tmp_path):
    """Production's static storage (hashed names from the manifest) over a STATIC_ROOT nobody collected into."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    return tmp_path


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)  # what a browser gets, not the test client's re-raise


def test_an_unknown_api_path_is_the_json_404_envelope(api, org, no_static_manifest):
    response = api.get(leads_url(org, "123"))

    assert response.status_code == 404
    assert response.json() == {"success": False, "statusCode": 404, "message": "Not found", "error": "Not Found"}


def test_an_unknown_page_is_the_html_404_page(browser, no_static_manifest):
    response = browser.get("/app/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'href="/static/css/app.css"' in response.content.decode()  # the plain URL, no manifest needed


@pytest.mark.urls("tests.reliability.failing_urls")
def test_a_failing_page_is_the_html_500_page(visitor, no_static_manifest):
    response = visitor.get("/app/broken/")

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.urls("tests.reliability.failing_urls")
def test_a_failing_api_path_is_the_500_envelope(visitor, no_static_manifest):
    response = visitor.get("/broken")

    assert response.status_code == 500
    assert response.json()["error"] == "Internal Server Error"


@pytest.mark.urls("tests.reliability.failing_urls")
def test_a_page_that_lost_its_database_is_the_503_page(visitor, no_static_manifest):
    response = visitor.get("/app/database-away/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Temporarily unavailable" in response.content.decode()


def test_the_missing_manifest_is_a_deploy_error_that_says_run_collectstatic(no_static_manifest):
    (problem,) = check_static_manifest()

    assert problem.id == "vchata.E001"
    assert problem.is_serious()
    assert "collectstatic" in problem.hint


def test_with_the_manifest_the_check_is_quiet(no_static_manifest):
    (no_static_manifest / "staticfiles.json").write_text(json.dumps({"version": "1.1", "paths": {}, "hash": ""}))

    assert check_static_manifest() == []


def test_the_check_is_quiet_in_development(no_static_manifest, settings):
    settings.DEBUG = True

    assert check_static_manifest() == []


def test_start_up_logs_the_missing_manifest(no_static_manifest, caplog):
    with caplog.at_level(logging.ERROR, logger="vchata.startup"):
        report_deploy_problems()

    assert "vchata.E001" in caplog.text
    assert "collectstatic" in caplog.text
