"""Compare every rollup with the live aggregate it mirrors; exit 1 when any group differs."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from analytics import rollup_sql
from vchata.accounts.models import Organization


class Command(BaseCommand):
    help = "Compare every rollup group with the live aggregate of leads and stage visits (exit 1 on a difference)."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Only this organization's id.")

    def handle(self, *args, org=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Rollups exist on PostgreSQL only.")
        org_ids = [org] if org else list(Organization.objects.order_by("pk").values_list("pk", flat=True))
        differing = []
        with connection.cursor() as cursor:
            for org_id in org_ids:
                for rollup in rollup_sql.ROLLUPS.values():
                    cursor.execute(rollup_sql.differences(rollup), [org_id, org_id])
                    (count,) = cursor.fetchone()
                    if count:
                        differing.append(org_id)
                        self.stderr.write(f"{org_id}: {count} groups of {rollup.table} differ from the live aggregate")
                cursor.execute(rollup_sql.path_differences(), [org_id, org_id])
                (count,) = cursor.fetchone()
                if count:
                    differing.append(org_id)
                    self.stderr.write(f"{org_id}: {count} leads counted under other stages than they visited")
        if differing:
            raise CommandError(f"{len(set(differing))} organization(s) with rollups out of step; run rebuild_rollups")
        self.stdout.write(f"rollups match the leads in {len(org_ids)} organization(s)")
