"""The rule models, moved from pipelines: state only, on the tables pipelines created (db_table keeps their names)."""

import django.db.models.deletion
import vchata.ids
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('leads', '0004_lead_stage_list_index'),
        ('pipelines', '0004_rules_move_to_automation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Rule',
                    fields=[
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('id', vchata.ids.PrefixedIdField(editable=False, max_length=31, prefix='rule', primary_key=True, serialize=False)),
                        ('name', models.CharField(max_length=120)),
                        ('is_active', models.BooleanField(default=True)),
                        ('order', models.PositiveIntegerField(default=0, help_text='Rules of a pipeline are evaluated in ascending order.')),
                        ('trigger', models.CharField(choices=[('LEAD_CREATED', 'Lead created'), ('ACTIVITY_ADDED', 'Activity logged'), ('STATUS_CHANGED', 'Status changed'), ('STAGE_ENTERED', 'Stage entered'), ('IDLE_IN_STAGE', 'No activity for N days')], max_length=20)),
                        ('trigger_activity_type', models.CharField(blank=True, choices=[('NOTE', 'Note'), ('CALL', 'Call'), ('EMAIL_SENT', 'Email Sent'), ('EMAIL_RECEIVED', 'Email Received'), ('MEETING', 'Meeting'), ('SMS', 'Sms'), ('SOCIAL_MESSAGE', 'Social Message'), ('TASK', 'Task')], default='', help_text='ACTIVITY_ADDED: which type.', max_length=16)),
                        ('trigger_status', models.CharField(blank=True, choices=[('NEW', 'New'), ('QUALIFIED', 'Qualified'), ('CONTACTED', 'Contacted'), ('CONVERTED', 'Converted'), ('LOST', 'Lost')], default='', help_text='STATUS_CHANGED: to which status.', max_length=10)),
                        ('idle_days', models.PositiveSmallIntegerField(blank=True, help_text='IDLE_IN_STAGE: days without any activity.', null=True)),
                        ('condition_sources', models.JSONField(blank=True, default=list, help_text="The lead's source is one of these (a list of strings).")),
                        ('condition_min_value', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True)),
                        ('condition_max_value', models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True)),
                        ('condition_assigned', models.BooleanField(blank=True, help_text='True: only assigned leads; False: only unassigned; empty: either.', null=True)),
                        ('action', models.CharField(choices=[('MOVE_TO_STAGE', 'Move to stage'), ('SET_STATUS', 'Set status'), ('ASSIGN_TO', 'Assign'), ('ADD_ACTIVITY', 'Add activity')], max_length=20)),
                        ('action_status', models.CharField(blank=True, choices=[('NEW', 'New'), ('QUALIFIED', 'Qualified'), ('CONTACTED', 'Contacted'), ('CONVERTED', 'Converted'), ('LOST', 'Lost')], default='', help_text='SET_STATUS: target.', max_length=10)),
                        ('round_robin_cursor', models.PositiveIntegerField(default=0, editable=False)),
                        ('action_activity_type', models.CharField(blank=True, choices=[('NOTE', 'Note'), ('CALL', 'Call'), ('EMAIL_SENT', 'Email Sent'), ('EMAIL_RECEIVED', 'Email Received'), ('MEETING', 'Meeting'), ('SMS', 'Sms'), ('SOCIAL_MESSAGE', 'Social Message'), ('TASK', 'Task')], default='', help_text='ADD_ACTIVITY: type.', max_length=16)),
                        ('action_description', models.TextField(blank=True, default='', help_text='ADD_ACTIVITY: its description.')),
                        ('action_stage', models.ForeignKey(blank=True, help_text='MOVE_TO_STAGE: target.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='pipelines.stage')),
                        ('action_user', models.ForeignKey(blank=True, help_text="ASSIGN_TO: this member (leave empty to assign round-robin over the rule's assignees).", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('condition_stages', models.ManyToManyField(blank=True, help_text='The lead is in one of these stages.', related_name='condition_of_rules', to='pipelines.stage')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='accounts.organization')),
                        ('pipeline', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rules', to='pipelines.pipeline')),
                        ('trigger_stage', models.ForeignKey(blank=True, help_text='STAGE_ENTERED: which stage. IDLE_IN_STAGE: only leads in this stage (optional).', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='pipelines.stage')),
                    ],
                    options={
                        'db_table': 'pipelines_rule',
                        'ordering': ['pipeline', 'order', 'created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='RuleAssignee',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField()),
                        ('rule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignees', to='automation.rule')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'pipelines_ruleassignee',
                        'ordering': ['rule', 'position'],
                    },
                ),
                migrations.CreateModel(
                    name='RuleRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('idle_since', models.DateTimeField(blank=True, null=True)),
                        ('outcome', models.CharField(choices=[('APPLIED', 'Applied'), ('FAILED', 'Failed')], default='APPLIED', max_length=10)),
                        ('detail', models.TextField(blank=True, default='', help_text='Why it failed, when it did.')),
                        ('lead', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rule_runs', to='leads.lead')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='accounts.organization')),
                        ('rule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='runs', to='automation.rule')),
                    ],
                    options={
                        'db_table': 'pipelines_rulerun',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='rule',
                    index=models.Index(fields=['organization', 'pipeline', 'trigger'], name='rule_org_pipeline_trigger_idx'),
                ),
                migrations.AddConstraint(
                    model_name='rule',
                    constraint=models.CheckConstraint(condition=models.Q(('trigger__in', ['LEAD_CREATED', 'ACTIVITY_ADDED', 'STATUS_CHANGED', 'STAGE_ENTERED', 'IDLE_IN_STAGE'])), name='rule_trigger_known'),
                ),
                migrations.AddConstraint(
                    model_name='rule',
                    constraint=models.CheckConstraint(condition=models.Q(('action__in', ['MOVE_TO_STAGE', 'SET_STATUS', 'ASSIGN_TO', 'ADD_ACTIVITY'])), name='rule_action_known'),
                ),
                migrations.AddConstraint(
                    model_name='rule',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('trigger', 'ACTIVITY_ADDED'), _negated=True), models.Q(('trigger_activity_type', ''), _negated=True), _connector='OR'), name='rule_activity_trigger_has_type'),
                ),
                migrations.AddConstraint(
                    model_name='rule',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('trigger', 'STATUS_CHANGED'), _negated=True), models.Q(('trigger_status', ''), _negated=True), _connector='OR'), name='rule_status_trigger_has_status'),
                ),
                migrations.AddConstraint(
                    model_name='rule',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('trigger', 'STAGE_ENTERED'), _negated=True), ('trigger_stage__isnull', False), _connector='OR'), name='rule_stage_trigger_has_stage'),
                ),
                migrations.AddConstraint(
                    model_name='rule',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('trigger', 'IDLE_IN_STAGE'), ('idle_days__isnull', False), ('idle_days__gte', 1)), models.Q(models.Q(('trigger', 'IDLE_IN_STAGE'), _negated=True), ('idle_days__isnull', True)), _connector='OR'), name='rule_idle_days_iff_idle_trigger'),
                ),
                migrations.AddConstraint(
                    model_name='rule',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('action', 'MOVE_TO_STAGE'), _negated=True), ('action_stage__isnull', False), _connector='OR'), name='rule_move_has_stage'),
                ),
                migrations.AddConstraint(
                    model_name='rule',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('action', 'SET_STATUS'), _negated=True), models.Q(('action_status', ''), _negated=True), _connector='OR'), name='rule_set_status_has_status'),
                ),
                migrations.AddConstraint(
                    model_name='rule',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('action', 'ADD_ACTIVITY'), _negated=True), models.Q(('action_activity_type', ''), _negated=True), _connector='OR'), name='rule_add_activity_has_type'),
                ),
                migrations.AddConstraint(
                    model_name='rule',
                    constraint=models.CheckConstraint(condition=models.Q(('condition_min_value__isnull', True), ('condition_min_value__gte', 0), _connector='OR'), name='rule_min_value_gte_0'),
                ),
                migrations.AddConstraint(
                    model_name='rule',
                    constraint=models.CheckConstraint(condition=models.Q(('condition_min_value__isnull', True), ('condition_max_value__isnull', True), ('condition_min_value__lte', models.F('condition_max_value')), _connector='OR'), name='rule_value_range_ordered'),
                ),
                migrations.AddConstraint(
                    model_name='ruleassignee',
                    constraint=models.UniqueConstraint(fields=('rule', 'user'), name='rule_assignee_once_per_rule'),
                ),
                migrations.AddConstraint(
                    model_name='ruleassignee',
                    constraint=models.UniqueConstraint(fields=('rule', 'position'), name='rule_assignee_position_unique'),
                ),
                migrations.AddIndex(
                    model_name='rulerun',
                    index=models.Index(fields=['organization', 'rule', '-created_at'], name='rule_run_org_rule_idx'),
                ),
                migrations.AddConstraint(
                    model_name='rulerun',
                    constraint=models.UniqueConstraint(condition=models.Q(('idle_since__isnull', False)), fields=('rule', 'lead', 'idle_since'), name='rule_run_once_per_idle_period'),
                ),
            ],
            database_operations=[],
        ),
    ]
