import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vchata.settings")

application = get_wsgi_application()

from vchata.startup import report_deploy_problems, require_production_secrets  # noqa: E402  (needs settings loaded)

require_production_secrets()
report_deploy_problems()
