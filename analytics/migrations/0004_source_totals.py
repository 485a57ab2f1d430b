# A narrower lead rollup (pipeline, source, assignee) for stats and sources without a date filter:
# the idempotent install adds its table, function and the lead trigger that feeds it; then each org's
# rows are counted.

from django.db import migrations

from analytics import rollup_sql


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(rollup_sql.create())
        cursor.execute("SELECT id FROM accounts_organization")
        for (org_id,) in cursor.fetchall():
            rollup_sql.rebuild_org(cursor, org_id, [rollup_sql.SOURCE_TOTALS])


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_coarse_rollups")]

    # Reversing 0003 drops this table with the others.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
