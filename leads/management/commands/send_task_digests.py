"""``manage.py send_task_digests``: email each member their overdue and today's open tasks (once a day).

Unlike the hourly task, it doesn't wait for the organization's morning: it sends every digest not sent yet today.
"""

from django.core.management.base import BaseCommand

from leads.digest import send_task_digests


class Command(BaseCommand):
    help = "Send today's task digests that were not sent yet (one email per member and organization)."

    def handle(self, *args, **options):
        sent = send_task_digests(from_hour=0)
        self.stdout.write(f"Sent {sent} task digest{'s' if sent != 1 else ''}.")
