from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from leads.events import subscribe
        from vchata.accounts.signals import member_removed

        from . import tasks  # noqa: F401 - registers the tasks, which web processes send in-process by name
        from .apikeys import on_member_removed
        from .outbox import lead_event_rows, record_lead_event

        # Every lead event becomes an outbox row inside the transaction of the change (a move's and a
        # creation's in the statement of the change's own new rows).
        subscribe(record_lead_event, rows=lead_event_rows)
        # A key acts as its creator: when they leave the org, their keys stop working.
        member_removed.connect(on_member_removed, dispatch_uid="integrations.revoke_keys")
