"""Fixtures for the reliability tests: real throttle rates, PostgreSQL-only marks."""

import pytest
from django.core.cache import cache
from django.db import connection


@pytest.fixture
def throttle_rates(settings):
    """``throttle_rates(anon="3/minute", ...)`` sets real rates (the suite runs unthrottled) on a clean counter."""

    def apply(**rates: str) -> None:
        current = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {
            **current,
            "DEFAULT_THROTTLE_RATES": {**current["DEFAULT_THROTTLE_RATES"], **rates},
        }
        cache.clear()

    yield apply
    cache.clear()


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks and real concurrent connections)")
