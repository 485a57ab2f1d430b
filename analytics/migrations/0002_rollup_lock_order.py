# Rollup rows locked in the order of their group key, so opposite moves of two leads can't deadlock.

from django.db import migrations

from analytics.migrations import _rollup_v1 as rollup_sql


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.connection.cursor().execute(rollup_sql.KEY_FUNCTION + rollup_sql.TRIGGER_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_lead_rollup")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
