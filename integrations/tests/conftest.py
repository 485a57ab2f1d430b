"""Fixtures of the integrations tests: a loopback receiver, webhook endpoints, Meta settings."""

import pytest

from .receiver import start_receiver

META_SECRET = "test-app-secret"
META_TOKEN = "test-verify-token"


@pytest.fixture
def receiver():
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_loopback(settings):
    """Targets on 127.0.0.1 (the receiver) are allowed, as with WEBHOOKS_ALLOW_PRIVATE=1."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def fast_retries(settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 0, 0]
    settings.WEBHOOK_RETRY_JITTER = 0


@pytest.fixture
def meta_settings(settings):
    settings.META_APP_SECRET = META_SECRET
    settings.META_VERIFY_TOKEN = META_TOKEN
