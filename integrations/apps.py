from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from leads.events import subscribe

        from .outbox import record_lead_event

        # Every lead event becomes an outbox row inside the transaction of the change.
        subscribe(record_lead_event)
