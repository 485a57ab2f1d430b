"""``python manage.py run_automations``: apply time-based automation rules (IDLE_IN_STAGE).

Meant for cron, e.g. every minute. Several copies may run at once, on one
machine or many: each (rule, lead, idle period) is applied exactly once.
"""

from django.core.management.base import BaseCommand, CommandParser

from pipelines.automation.idle import run_idle_rules


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Apply IDLE_IN_STAGE automation rules to the leads that have been idle long enough."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=positive_int, default=200, help="Leads fetched per query (default 200)."
        )
        parser.add_argument(
            "--limit",
            type=positive_int,
            default=5000,
            help="Most leads handled in one run; the rest wait for the next run (default 5000).",
        )

    def handle(self, *args, batch_size: int, limit: int, **options) -> None:
        report = run_idle_rules(batch_size=batch_size, limit=limit)
        self.stdout.write(
            f"Idle rules: {report.applied} applied, {report.failed} failed, "
            f"{report.skipped} skipped (taken by another run)."
        )
