"""Recount every rollup from the leads and stage visits, one organization per transaction (``--org`` for one)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from analytics import rollup_sql
from vchata.accounts.models import Organization


class Command(BaseCommand):
    help = "Rebuild the analytics rollups from the leads and stage visits, one org per transaction."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Only this organization's id.")

    def handle(self, *args, org=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Rollups exist on PostgreSQL only; SQLite reports read the leads directly.")
        org_ids = [org] if org else list(Organization.objects.order_by("pk").values_list("pk", flat=True))
        for org_id in org_ids:
            # One short transaction per org: other orgs' writers wait only for this org's recount.
            with transaction.atomic(), connection.cursor() as cursor:
                rollup_sql.rebuild_org(cursor, org_id)
            self.stdout.write(f"rebuilt {org_id}")
