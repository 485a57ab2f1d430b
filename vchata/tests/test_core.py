import pytest

from vchata.ids import id_pattern, new_id

pytestmark = pytest.mark.django_db


def test_new_ids_are_prefixed_well_formed_and_time_ordered():
    import re
    import time

    first = new_id("lead")
    time.sleep(0.002)
    second = new_id("lead")
    assert re.fullmatch(id_pattern("lead"), first)
    assert first < second


def test_ids_made_in_one_millisecond_sort_in_the_order_they_were_made(monkeypatch):
    from vchata import ids

    monkeypatch.setattr(ids.time, "time_ns", lambda: 1_700_000_000_000 * 1_000_000)
    made = [new_id("activity") for _ in range(50)]
    assert made == sorted(made) and len(set(made)) == 50
    assert {id_[len("activity_") :][:10] for id_ in made} == {made[0][len("activity_") :][:10]}  # one millisecond


def test_health_reports_ok_when_the_database_answers(anon):
    response = anon.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


def test_the_schema_is_valid_openapi_with_camel_case_and_jwt(anon):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert schema["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"
    assert "organizationName" in schema["components"]["schemas"]["SignupInputRequest"]["properties"]

    response = anon.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200


def test_swagger_ui_loads_its_assets_from_our_own_static_files(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    asset = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200
