from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from leads.events import subscribe

        from . import tasks  # noqa: F401 - registers the tasks, which web processes send in-process by name
        from .outbox import record_lead_event

        # Every lead event becomes an outbox row inside the transaction of the change.
        subscribe(record_lead_event)
