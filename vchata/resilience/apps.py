from django.apps import AppConfig


class ResilienceConfig(AppConfig):
    name = "vchata.resilience"
    label = "resilience"
    verbose_name = "Resilience"
    default_auto_field = "django.db.models.BigAutoField"
