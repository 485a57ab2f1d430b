# The rollups by report (lead totals, campaign totals, time in stage), each without and with the day
# of creation, replace the one day-grain lead rollup; on PostgreSQL, with their triggers and a
# recount of every org (SQLite reads live).

from django.db import migrations

from analytics import rollup_sql
from analytics.migrations import _rollup_v1


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def drop_v1(apps, schema_editor):
    if _postgres(schema_editor):
        schema_editor.connection.cursor().execute(_rollup_v1.DROP)


def restore_v1(apps, schema_editor):
    if _postgres(schema_editor):
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(_rollup_v1.CREATE)
            cursor.execute("SELECT id FROM accounts_organization")
            for (org_id,) in cursor.fetchall():
                _rollup_v1.rebuild_org(cursor, org_id)


def install(apps, schema_editor):
    if not _postgres(schema_editor):
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(rollup_sql.create())
        cursor.execute("SELECT id FROM accounts_organization")
        for (org_id,) in cursor.fetchall():
            rollup_sql.rebuild_org(cursor, org_id)


def uninstall(apps, schema_editor):
    if _postgres(schema_editor):
        schema_editor.connection.cursor().execute(rollup_sql.drop())


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_rollup_lock_order"),
        ("leads", "0011_deal_fields"),
    ]

    operations = [
        migrations.RunPython(drop_v1, restore_v1),
        migrations.DeleteModel(name="LeadRollup"),
        migrations.RunPython(install, uninstall),
    ]
