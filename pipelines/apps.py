from django.apps import AppConfig


class PipelinesConfig(AppConfig):
    name = "pipelines"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from vchata.accounts.signals import organization_created

        from .services import give_new_organization_its_pipeline

        organization_created.connect(give_new_organization_its_pipeline, dispatch_uid="pipelines.default_pipeline")
