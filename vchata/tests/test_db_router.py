"""The replica router and the middleware that turns it on for analytics views.

A real second connection (alias ``replica``) pointed at the test database
stands in for the replica, so each test sees which connection actually ran
each query. Tests that read through it commit their rows
(``transaction=True``): a second connection cannot see another's open transaction.
"""

import pytest
from django.db import connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from leads.models import Contact, Lead
from leads.tests.factories import LeadFactory
from vchata.accounts.models import Membership
from vchata.db_router import (
    PRIMARY,
    REPLICA,
    PrimaryReplicaRouter,
    ReplicaReadsMiddleware,
    reading_from_replica,
    replica_reads,
)


@pytest.fixture(scope="module")
def replica_alias(django_db_setup, django_db_blocker):
    """Register the alias before any test of this module sets up its database access."""
    connections.settings[REPLICA] = {**connections.settings[PRIMARY]}
    try:
        yield REPLICA
    finally:
        with django_db_blocker.unblock():
            connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def replica(replica_alias):
    return connections[replica_alias]


both_connections = pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])


@both_connections
def test_lead_reads_go_to_the_replica_inside_replica_reads(replica, org):
    lead = LeadFactory(organization=org)
    primary = connections[PRIMARY]
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(primary) as on_primary, replica_reads():
        ids = list(Lead.objects.for_org(org).values_list("pk", flat=True))
    assert ids == [lead.pk]
    assert len(on_replica) == 1
    assert len(on_primary) == 0


@both_connections
def test_membership_reads_stay_on_the_primary_inside_replica_reads(replica, org, user):
    with CaptureQueriesContext(replica) as on_replica, replica_reads():
        assert Membership.objects.filter(organization=org, user=user).exists()
    assert len(on_replica) == 0


@both_connections
def test_writes_go_to_the_primary_inside_replica_reads(replica, org):
    with CaptureQueriesContext(replica) as on_replica, replica_reads():
        Contact.objects.create(organization=org, name="Ada")
    assert len(on_replica) == 0
    assert Contact.objects.for_org(org).filter(name="Ada").exists()


def test_reads_stay_on_the_primary_when_no_replica_is_configured(monkeypatch):
    monkeypatch.delitem(connections.settings, REPLICA, raising=False)
    with replica_reads():
        assert PrimaryReplicaRouter().db_for_read(Lead) == PRIMARY


def test_reads_stay_on_the_primary_outside_replica_reads(replica):
    assert PrimaryReplicaRouter().db_for_read(Lead) == PRIMARY


def test_migrations_run_on_the_primary_only():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate(PRIMARY, "leads") is True
    assert router.allow_migrate(REPLICA, "leads") is False


def _view_in(module: str, seen: list):
    def view(request):
        seen.append(reading_from_replica())
        return HttpResponse("ok")

    view.__module__ = module
    return view


def _serve(method: str, view) -> None:
    request = getattr(RequestFactory(), method)("/anything")
    middleware = ReplicaReadsMiddleware(lambda req: middleware.process_view(req, view, (), {}) or view(req))
    middleware(request)


def test_analytics_get_requests_read_from_the_replica(replica):
    seen = []
    _serve("get", _view_in("analytics.api", seen))
    assert seen == [True]
    assert reading_from_replica() is False  # switched off again once the response is out


def test_analytics_post_requests_read_from_the_primary(replica):
    seen = []
    _serve("post", _view_in("analytics.api", seen))
    assert seen == [False]


def test_other_apps_read_from_the_primary(replica):
    seen = []
    _serve("get", _view_in("leads.api", seen))
    assert seen == [False]
