# The lead list's ``stageId`` filter: (organization, stage, -created_at, -id).
# Built CONCURRENTLY on PostgreSQL (a big, live table: no write lock while it
# builds); a plain CREATE INDEX elsewhere (SQLite has no CONCURRENTLY).

from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0001_initial"),
        ("leads", "0003_search_trigram_indexes"),
        ("pipelines", "0003_rule_idle_days_required"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="lead",
            index=models.Index(
                fields=["organization", "stage", "-created_at", "-id"], name="lead_org_stage_created_idx"
            ),
        ),
    ]
