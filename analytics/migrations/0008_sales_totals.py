# The forecast's rollups (open leads by month of expected close date and stage) and win/loss's (closed
# leads by lost reason), by org, pipeline and assignee and by day: installed, then counted.

from django.db import migrations

from analytics import rollup_sql


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(rollup_sql.create())
        cursor.execute("SELECT id FROM accounts_organization")
        for (org_id,) in cursor.fetchall():
            rollup_sql.rebuild_org(cursor, org_id, rollup_sql.SALES_ROLLUPS)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0007_path_totals")]

    # Reversing 0003 drops these tables with the others.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
