from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vchata.accounts"
    label = "accounts"
    verbose_name = "Accounts and organizations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the project's deploy checks (`manage.py check --deploy`).
        import vchata.security  # noqa: F401
