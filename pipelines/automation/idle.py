"""The time side of automation: IDLE_IN_STAGE rules, run by ``manage.py run_automations``.

Safe to start every minute from cron on several machines at once. Each lead
is handled in its own short transaction that locks the lead row with
``SKIP LOCKED`` (a lead another runner is working on is simply passed over)
and then claims (rule, lead, idle period) by inserting a ``RuleRun``, whose
unique constraint lets exactly one runner win even when the lock came too
late to tell. Work is fetched in bounded batches, and one run stops after
``limit`` leads, so a large backlog drains over a few runs instead of
holding one long transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .actions import attempt_action, outcome_for
from .conditions import idle_leads
from .models import Rule, RuleRun


@dataclass
class IdleRunReport:
    applied: int = 0
    failed: int = 0
    skipped: int = 0  # locked by another runner, or claimed by one meanwhile

    @property
    def handled(self) -> int:
        return self.applied + self.failed


def active_idle_rules() -> Iterable[Rule]:
    return (
        Rule.objects.filter(trigger=Rule.Trigger.IDLE_IN_STAGE, is_active=True)
        .select_related("organization", "action_user")
        .prefetch_related("condition_stages")
        .order_by("organization_id", "pipeline_id", "order", "created_at")
    )


def apply_idle_rule_to_lead(rule: Rule, lead_id: str, *, now: datetime) -> str | None:
    """Run an idle rule on one lead if it is still due and nobody else has it. Returns the outcome, None if skipped."""
    with transaction.atomic():
        lead = (
            idle_leads(rule, now=now)
            .filter(pk=lead_id)
            .select_for_update(skip_locked=True, of=("self",))
            .only("id", "last_activity_at", "created_at")
            .first()
        )
        if lead is None:
            return None
        try:
            with transaction.atomic():
                run = RuleRun.objects.create(
                    organization_id=rule.organization_id, rule=rule, lead_id=lead.pk, idle_since=lead.idle_since
                )
        except IntegrityError:
            return None  # another runner claimed this idle period first
        reason = attempt_action(rule, org=rule.organization, lead_id=lead.pk)
        if reason:
            run.outcome, run.detail = outcome_for(reason), reason
            run.save(update_fields=["outcome", "detail", "updated_at"])
        return run.outcome


def run_idle_rule(rule: Rule, *, now: datetime, batch_size: int, limit: int, report: IdleRunReport) -> None:
    while report.handled < limit:
        batch = list(idle_leads(rule, now=now).values_list("pk", flat=True)[: min(batch_size, limit - report.handled)])
        claimed = 0
        for lead_id in batch:
            outcome = apply_idle_rule_to_lead(rule, lead_id, now=now)
            if outcome is None:
                report.skipped += 1
            else:
                claimed += 1
                report.applied += outcome == RuleRun.Outcome.APPLIED
                report.failed += outcome == RuleRun.Outcome.FAILED
        # A short batch was the last one; a batch where every lead was taken
        # by other runners would come back unchanged, so leave it to them.
        if len(batch) < batch_size or claimed == 0:
            return


def run_idle_rules(*, now: datetime | None = None, batch_size: int = 200, limit: int = 5000) -> IdleRunReport:
    """Apply every active IDLE_IN_STAGE rule of every org to the leads due now, at most ``limit`` leads in all."""
    now = now or timezone.now()
    report = IdleRunReport()
    for rule in active_idle_rules():
        if report.handled >= limit:
            break
        run_idle_rule(rule, now=now, batch_size=batch_size, limit=limit, report=report)
    return report
