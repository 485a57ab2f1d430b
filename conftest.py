"""Fixtures shared by every app's tests."""

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from vchata.accounts.models import Membership
from vchata.accounts.tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from vchata.tenancy.pages import CURRENT_ORG_SESSION_KEY

pytest_plugins = [
    "tests.support.fast_flush",  # transactional tests end with DELETEs, not a TRUNCATE of every table
    "tests.fuzz.summary",  # printed by the process that reports, which under xdist never loads tests/fuzz
]


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def org(user):
    """An organization owned by ``user``, with the default pipeline."""
    return OrganizationFactory(owner=user)


@pytest.fixture
def pipeline(org):
    return org.pipeline_set.get(is_default=True)


@pytest.fixture
def stages(pipeline):
    return list(pipeline.stages.order_by("order"))


@pytest.fixture
def other_org(db):
    """An organization ``user`` does not belong to."""
    return OrganizationFactory()


@pytest.fixture
def api(user, org):
    """An API client authenticated as ``user``, OWNER of ``org``."""
    return client_for(user)


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def member(org):
    return MembershipFactory(organization=org, role=Membership.Role.MEMBER).user


@pytest.fixture
def browser(user, org):
    """A browser signed in as ``user`` with ``org`` as the current organization, as after a first visit."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[CURRENT_ORG_SESSION_KEY] = org.pk  # later pages don't rewrite the session
    session.save()
    return client
