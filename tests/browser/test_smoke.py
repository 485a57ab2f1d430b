import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_swagger_ui_renders_in_chromium_from_local_assets(page):
    page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "VChata CRM API" in page.inner_text(".swagger-ui .info .title")
