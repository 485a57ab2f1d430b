from django.apps import AppConfig
from django.db.models.signals import pre_delete


class AutomationConfig(AppConfig):
    """Pipeline automation: rules, the engine that runs them, their API and admin.

    Above ``leads`` and ``pipelines``: it listens to lead events and changes
    leads through ``leads.services``; neither of them imports it.
    """

    name = "pipelines.automation"
    label = "automation"
    verbose_name = "Pipeline automation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from leads.events import subscribe
        from pipelines.models import Stage

        from .engine import handle_lead_event, rules_for_all
        from .signals import pause_rules_losing_their_last_stage_condition

        # Automation runs inside the transaction of every lead change.
        subscribe(handle_lead_event, prepare=rules_for_all)
        pre_delete.connect(
            pause_rules_losing_their_last_stage_condition, sender=Stage, dispatch_uid="automation.rule_stage_guard"
        )
