from django.apps import AppConfig
from django.db.models.signals import pre_delete


class PipelinesConfig(AppConfig):
    name = "pipelines"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from leads.events import subscribe

        from .automation.engine import handle_lead_event
        from .automation.signals import pause_rules_losing_their_last_stage_condition
        from .models import Stage

        # Automation runs inside the transaction of every lead change.
        subscribe(handle_lead_event)
        pre_delete.connect(
            pause_rules_losing_their_last_stage_condition, sender=Stage, dispatch_uid="pipelines.rule_stage_guard"
        )
