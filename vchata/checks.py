"""System checks for what a deployment forgets: the collected static files.

With ``DEBUG`` off the pages name their assets through the static manifest that
``collectstatic`` writes; without it every page that links a stylesheet fails.
The check is an error of ``check --deploy`` (the release steps run it), and the
served app logs it at start-up (``vchata.startup``). It is not part of the
plain ``check``: ``migrate`` and the lint run that before ``collectstatic``.
"""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.files.storage import storages


@checks.register(checks.Tags.staticfiles, deploy=True)
def check_static_manifest(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return []
    if storage.read_manifest() is not None:
        return []
    return [
        checks.Error(
            f"The static files manifest ({settings.STATIC_ROOT}/{storage.manifest_name}) is missing, so every page "
            "that links a stylesheet or a script would fail.",
            hint="Run `python manage.py collectstatic --no-input` before serving.",
            id="vchata.E001",
        )
    ]
