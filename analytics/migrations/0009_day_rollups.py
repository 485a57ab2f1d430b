# Two rollups by day: figures by owner alone (a date range's stats and leads created per week read
# tens of rows a day instead of hundreds) and conversions by day of conversion (converted per week):
# tables, functions and triggers reinstalled, then counted.

from django.db import migrations

from analytics import rollup_sql


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(rollup_sql.create())
        cursor.execute("SELECT id FROM accounts_organization")
        for (org_id,) in cursor.fetchall():
            rollup_sql.rebuild_org(cursor, org_id, rollup_sql.DAY_ROLLUPS)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0008_sales_totals")]

    # Reversing 0003 drops these tables with the others.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
