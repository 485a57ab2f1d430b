from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .counting import connect_signals

        # The lead list's cached totals are dropped by every write that could change them.
        connect_signals()
