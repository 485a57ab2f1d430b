import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vchata.settings")

application = get_asgi_application()

from vchata.startup import report_deploy_problems, require_production_secrets  # noqa: E402  (needs settings loaded)

require_production_secrets()
report_deploy_problems()
