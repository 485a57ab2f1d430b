# The lead totals carry the board's weighted value (value × own probability; value of leads
# without one): the columns are added, the functions and triggers reinstalled, those rows recounted.

from django.db import migrations

from analytics import rollup_sql

WEIGHTED = [rollup_sql.LEAD_TOTALS, rollup_sql.by_day(rollup_sql.LEAD_TOTALS)]


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for rollup in WEIGHTED:
            for name in ("own_chance_value", "stage_chance_value"):
                cursor.execute(
                    f"ALTER TABLE {rollup.table} ADD COLUMN IF NOT EXISTS {name} numeric(20, 2) NOT NULL DEFAULT 0"
                )
        cursor.execute(rollup_sql.create())
        cursor.execute("SELECT id FROM accounts_organization")
        for (org_id,) in cursor.fetchall():
            rollup_sql.rebuild_org(cursor, org_id, WEIGHTED)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0004_source_totals")]

    # Reversing 0003 drops these tables with the others.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
