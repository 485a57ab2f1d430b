"""Production settings come from the environment and pass ``check --deploy``; every response
carries the security headers, and the pages a Content-Security-Policy without inline scripts."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "crm.example.com",
    "HTTPS_ONLY": "1",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


def check_deploy(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and not k.startswith("SECURE_")}
    env.update(extra_env)
    for harness_only in ("PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # set by the test run itself
        env.pop(harness_only, None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def collected_static(tmp_path) -> Path:
    """A STATIC_ROOT with the manifest ``collectstatic`` writes (no files needed: the check reads the manifest)."""
    (tmp_path / "staticfiles.json").write_text(json.dumps({"version": "1.1", "paths": {}, "hash": ""}))
    return tmp_path


def test_check_deploy_is_clean_with_the_production_environment(collected_static):
    result = check_deploy({**PRODUCTION_ENV, "STATIC_ROOT": str(collected_static)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_names_what_is_missing_without_it(tmp_path):
    result = check_deploy({"DEBUG": "0", "ALLOWED_HOSTS": "crm.example.com", "STATIC_ROOT": str(tmp_path)})
    assert result.returncode != 0
    for check_id in ("security.W004", "security.W008", "security.W012", "security.W016", "vchata.W001"):
        assert check_id in result.stderr + result.stdout
    assert "vchata.E001" in result.stderr + result.stdout
    assert "collectstatic" in result.stderr + result.stdout


def directives(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


@pytest.fixture
def https_settings(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    return settings


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_unless_the_proxy_says_https(https_settings):
    client = Client()  # made after the settings change: SecurityMiddleware reads them once

    redirected = client.get("/auth/me")
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://testserver/auth/me"

    proxied = client.get("/auth/me", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 401
    assert proxied["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
def test_the_health_check_answers_plain_http_even_with_the_redirect_on(https_settings):
    assert Client().get("/health").status_code == 200


@pytest.mark.django_db
def test_api_responses_carry_a_policy_that_allows_nothing(anon):
    response = anon.get("/auth/me")
    assert directives(response) == {
        "default-src": "'none'",
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "form-action": "'none'",
    }
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_error_envelopes_from_the_middleware_carry_the_headers_too(anon):
    response = anon.get("/no/such/route")
    assert response.status_code == 404
    assert directives(response)["default-src"] == "'none'"


@pytest.mark.django_db
def test_pages_get_a_policy_without_inline_or_foreign_scripts(client):
    response = client.get("/login")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy["style-src"]
    assert "<script>" not in response.content.decode()  # nothing inline that the policy would block


@pytest.mark.django_db
def test_swagger_ui_gets_its_own_policy_and_loads_its_start_up_script_from_a_url(client):
    page = client.get("/api/docs")
    policy = directives(page)
    assert policy["script-src"] == "'self'"
    html = page.content.decode()
    assert "<script>" not in html
    script = client.get("/api/docs?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
