# The lead rollup table; on PostgreSQL its trigger on leads_lead and a backfill of every org (SQLite reads live).

from django.db import migrations, models

from analytics.migrations import _rollup_v1 as rollup_sql


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(rollup_sql.CREATE)
        cursor.execute("SELECT id FROM accounts_organization")
        for (org_id,) in cursor.fetchall():
            rollup_sql.rebuild_org(cursor, org_id)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.connection.cursor().execute(rollup_sql.DROP)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("leads", "0007_lead_search_index"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name='LeadRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('organization_id', models.CharField(max_length=30)),
                ('pipeline_id', models.CharField(max_length=35)),
                ('stage_id', models.CharField(max_length=32)),
                ('status', models.CharField(max_length=10)),
                ('source', models.CharField(max_length=100, null=True)),
                ('assignee_id', models.CharField(max_length=31, null=True)),
                ('created_day', models.DateField()),
                ('lead_count', models.BigIntegerField(default=0)),
                ('valued_count', models.BigIntegerField(default=0)),
                ('value_total', models.DecimalField(decimal_places=2, default=0, max_digits=20)),
            ],
            options={
                'indexes': [models.Index(fields=['organization_id', 'pipeline_id', 'created_day'], name='rollup_org_pipe_day_idx')],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
