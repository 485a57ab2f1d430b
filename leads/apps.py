from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from vchata.accounts.signals import member_removed

        from .counting import connect_signals
        from .services.members import on_member_removed

        # The lead list's cached totals are dropped by every write that could change them.
        connect_signals()
        # A member who leaves keeps no leads: they go back to the unassigned pool.
        member_removed.connect(on_member_removed, dispatch_uid="leads.release_leads")
