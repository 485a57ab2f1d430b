"""Automation under real concurrency, on PostgreSQL: threads, each with its own connection and transaction.

SQLite serialises every writer, so these only mean something on PostgreSQL
and are skipped elsewhere.
"""

import re
import threading
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from leads.models import Activity, Lead
from leads.tests.factories import LeadFactory
from pipelines.automation.models import Rule, RuleRun
from pipelines.automation.tests.factories import RuleFactory
from vchata.accounts.tests.factories import MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL's row locks"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def reps(org):
    users = [UserFactory(name=name) for name in ("Ann", "Bob", "Cy")]
    for rep in users:
        MembershipFactory(organization=org, user=rep)
    return users


def run_together(work, *, threads: int) -> None:
    """Run ``work(index)`` in ``threads`` threads released at the same instant; re-raise the first error."""
    barrier = threading.Barrier(threads)
    errors = []

    def worker(index):
        try:
            barrier.wait()
            work(index)
        except Exception as exc:  # handed back to the test below
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(index,)) for index in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in pool), "a worker hung (deadlock?)"
    if errors:
        raise errors[0]


def test_round_robin_shares_leads_evenly_across_concurrent_requests(org, pipeline, reps):
    RuleFactory(pipeline=pipeline, trigger=Rule.Trigger.LEAD_CREATED, action=Rule.Action.ASSIGN_TO, assignees=reps)

    def create_leads(index):
        for _ in range(4):
            LeadFactory(organization=org)

    run_together(create_leads, threads=6)

    counts = Counter(Lead.objects.values_list("assigned_to__name", flat=True))
    assert counts == {"Ann": 8, "Bob": 8, "Cy": 8}


def test_concurrent_run_automations_apply_each_rule_once_per_lead(org, pipeline, reps, time_machine):
    # No stage carries CONTACTED here, so the status rule leaves the lead idle in its stage for the other rule.
    pipeline.stages.filter(status="CONTACTED").update(status=None)
    qualify = RuleFactory(
        pipeline=pipeline,
        trigger=Rule.Trigger.IDLE_IN_STAGE,
        idle_days=3,
        action=Rule.Action.SET_STATUS,
        action_status="CONTACTED",
    )
    share = RuleFactory(
        pipeline=pipeline,
        trigger=Rule.Trigger.IDLE_IN_STAGE,
        idle_days=3,
        action=Rule.Action.ASSIGN_TO,
        assignees=reps,
    )
    time_machine.move_to(timezone.now() - timedelta(days=4))
    leads = [LeadFactory(organization=org) for _ in range(30)]
    time_machine.move_to(timezone.now() + timedelta(days=4))

    outputs = [StringIO() for _ in range(4)]
    run_together(lambda index: call_command("run_automations", "--batch-size", "4", stdout=outputs[index]), threads=4)
    # The runners shared the work (and passed over what another held) rather than repeating it.
    applied = [int(re.match(r"Idle rules: (\d+) applied", out.getvalue()).group(1)) for out in outputs]
    assert sum(applied) == 60

    runs = Counter(RuleRun.objects.values_list("rule_id", "lead_id"))
    assert set(runs.values()) == {1}
    assert len(runs) == 2 * len(leads)
    assert set(Counter(RuleRun.objects.values_list("rule_id", flat=True)).items()) == {(qualify.pk, 30), (share.pk, 30)}
    history = Counter(Activity.objects.filter(type__in=["STATUS_CHANGED", "ASSIGNED"]).values_list("lead_id", "type"))
    assert set(history.values()) == {1}
    assert len(history) == 2 * len(leads)
    assert Counter(Lead.objects.values_list("assigned_to__name", flat=True)) == {"Ann": 10, "Bob": 10, "Cy": 10}
