"""Compare the lead rollup with the live aggregate of the leads; exit 1 when any group differs."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from analytics import rollup_sql
from vchata.accounts.models import Organization


class Command(BaseCommand):
    help = "Compare every lead rollup group with the live aggregate of leads_lead (non-zero exit on difference)."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Only this organization's id.")

    def handle(self, *args, org=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Rollups exist on PostgreSQL only.")
        org_ids = [org] if org else list(Organization.objects.order_by("pk").values_list("pk", flat=True))
        differing = []
        with connection.cursor() as cursor:
            for org_id in org_ids:
                cursor.execute(rollup_sql.DIFFERENCES, [org_id, org_id])
                (count,) = cursor.fetchone()
                if count:
                    differing.append(org_id)
                    self.stderr.write(f"{org_id}: {count} rollup groups differ from the leads")
        if differing:
            raise CommandError(f"{len(differing)} organization(s) with rollups out of step; run rebuild_rollups")
        self.stdout.write(f"rollups match the leads in {len(org_ids)} organization(s)")
