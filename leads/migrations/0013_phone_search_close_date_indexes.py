# Two indexes the lead pages and reports were missing (leads 0013):
#
# - contact phone search: a trigram index on UPPER(phone::text), led by the organization, as
#   0003 built for name, email and company (``selectors.contact_search`` searches the phone
#   for a text with a digit; without it that search read every contact of the org).
#   PostgreSQL only, in the database only (like 0003's); SQLite searches without it.
# - (organization, expected_close_date) for the deal filters (expectedCloseAfter/Before, the
#   Expected close ordering) and the forecast's months.
#
# Plain CREATE INDEX (not CONCURRENTLY): it holds off writes to contacts while it builds.

from django.db import migrations, models

PHONE_INDEX = "contact_phone_trgm_idx"


def create_phone_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {PHONE_INDEX} ON leads_contact "
        "USING gin (organization_id, (UPPER(phone::text)) gin_trgm_ops)"
    )


def drop_phone_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {PHONE_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0012_lead_changes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="lead",
            index=models.Index(fields=["organization", "expected_close_date"], name="lead_org_close_date_idx"),
        ),
        migrations.RunPython(create_phone_index, drop_phone_index),
    ]
