from django.db import connections
from django.test import RequestFactory

from vchata.health import health


def test_health_is_503_when_the_database_is_unreachable(settings, django_db_blocker):
    # A second connection pointed at a closed port: a real failed connect, no mocks.
    connections.settings["health_down"] = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "127.0.0.1",
        "PORT": "1",
        "NAME": "vchata",
        "USER": "postgres",
        "OPTIONS": {"connect_timeout": 2},
    }
    settings.HEALTH_DATABASE_ALIAS = "health_down"
    try:
        with django_db_blocker.unblock():
            response = health(RequestFactory().get("/health"))
    finally:
        connections["health_down"].close()
        del connections.settings["health_down"]
    assert response.status_code == 503
    assert b'"unreachable"' in response.content
