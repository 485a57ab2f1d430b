# Trigram indexes behind the lead list's ``search`` (contact name, email,
# company; lead notes), PostgreSQL only.
#
# ``icontains`` compiles to ``UPPER(col::text) LIKE UPPER('%term%')`` on
# PostgreSQL, so each index is on that same expression, with gin_trgm_ops.
# ``organization_id`` leads each index (btree_gin) so one tenant's search never
# walks another tenant's matches. The indexes exist in the database only, not
# in the models' Meta: they are vendor-specific and the suite also runs on
# SQLite, where this migration does nothing. Built CONCURRENTLY, so adding them
# to a large live table does not block writes.

from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension
from django.db import migrations

SEARCHED_COLUMNS = [
    ("leads_contact", "name"),
    ("leads_contact", "email"),
    ("leads_contact", "company"),
    ("leads_lead", "notes"),
]


def index_name(table: str, column: str) -> str:
    return f"{table.removeprefix('leads_')}_{column}_trgm_idx"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in SEARCHED_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index_name(table, column)} ON {table} "
            f"USING gin (organization_id, (UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in SEARCHED_COLUMNS:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index_name(table, column)}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("leads", "0002_lead_list_indexes_campaign_dates"),
    ]

    operations = [
        # Both skip themselves on other databases.
        TrigramExtension(),
        BtreeGinExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
