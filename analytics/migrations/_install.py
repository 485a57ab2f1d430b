"""The step of each migration that adds rollups: every table, function and trigger (re)installed, then
the new rollups counted for every organization. PostgreSQL only; reversing 0003 drops them all."""

from django.db import migrations

from analytics import rollup_sql


def count_after_install(rollups) -> migrations.RunPython:
    def install(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(rollup_sql.create())
            cursor.execute("SELECT id FROM accounts_organization")
            for (org_id,) in cursor.fetchall():
                rollup_sql.rebuild_org(cursor, org_id, rollups)

    return migrations.RunPython(install, migrations.RunPython.noop)
