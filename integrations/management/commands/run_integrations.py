"""``python manage.py run_integrations``: the scheduled jobs of the integration layer, once.

What ``make beat`` schedules, for deployments without it (cron, every minute):
events whose send was lost, webhook retries that are due (and deliveries a dead
worker held), inbound events not processed yet, and the log retention. Without
a broker the work is done right here; with one it is sent to the workers.
Safe to run on several machines at once: every job is claimed row by row.
"""

from django.core.management.base import BaseCommand

from integrations import tasks


class Command(BaseCommand):
    help = "Sweep the outbox, retry due webhook deliveries, process waiting inbound events, prune old logs."

    def handle(self, *args, **options) -> None:
        sent = tasks.sweep_outbox()
        retried = tasks.retry_due_deliveries()
        inbound = tasks.sweep_inbound_events()
        pruned = tasks.prune_integration_logs()
        self.stdout.write(
            f"Integrations: {sent} events sent, {retried} deliveries retried, "
            f"{inbound} inbound events processed, {pruned} old rows pruned."
        )
