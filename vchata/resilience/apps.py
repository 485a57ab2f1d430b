from django.apps import AppConfig


class ResilienceConfig(AppConfig):
    name = "vchata.resilience"
    label = "resilience"
    verbose_name = "Resilience"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import vchata.checks  # noqa: F401  (registers the deploy checks)
