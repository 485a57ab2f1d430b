"""The project's URLs plus views that fail on purpose, for the error-page tests (``@pytest.mark.urls``)."""

import psycopg
from django.db import OperationalError
from django.urls import path

from vchata.urls import handler404, handler500  # noqa: F401  (the handlers)
from vchata.urls import urlpatterns as project_urlpatterns


def broken(request):
    raise RuntimeError("a bug")


def database_away(request):
    # What Django raises when psycopg can't connect: no SQLSTATE, psycopg's error as the cause.
    refused = psycopg.OperationalError("connection failed: Connection refused")
    raise OperationalError(str(refused)) from refused


urlpatterns = [
    path("app/broken/", broken),
    path("broken", broken),
    path("app/database-away/", database_away),
    *project_urlpatterns,
]
