"""Rules moved to the automation app: they leave this app's state; their tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('pipelines', '0003_rule_idle_days_required'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='ruleassignee',
                    name='rule',
                ),
                migrations.RemoveField(
                    model_name='rulerun',
                    name='rule',
                ),
                migrations.RemoveField(
                    model_name='ruleassignee',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='rulerun',
                    name='lead',
                ),
                migrations.RemoveField(
                    model_name='rulerun',
                    name='organization',
                ),
                migrations.DeleteModel(
                    name='Rule',
                ),
                migrations.DeleteModel(
                    name='RuleAssignee',
                ),
                migrations.DeleteModel(
                    name='RuleRun',
                ),
            ],
            database_operations=[],
        ),
    ]
