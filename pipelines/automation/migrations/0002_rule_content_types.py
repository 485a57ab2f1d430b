"""The rule models' content types follow them from pipelines to automation.

So admin history and permissions that point at them keep pointing at them.
On a new database there are none yet; Django creates them after migrating.
"""

from django.db import migrations

MODELS = ("rule", "ruleassignee", "rulerun")


def relabel(apps, from_label: str, to_label: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    taken = set(content_type.objects.filter(app_label=to_label, model__in=MODELS).values_list("model", flat=True))
    content_type.objects.filter(app_label=from_label, model__in=set(MODELS) - taken).update(app_label=to_label)


def forwards(apps, schema_editor):
    relabel(apps, "pipelines", "automation")


def backwards(apps, schema_editor):
    relabel(apps, "automation", "pipelines")


class Migration(migrations.Migration):
    dependencies = [
        ("automation", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
