"""Checks made when the app is about to serve requests (wsgi.py / asgi.py)."""

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from vchata.checks import check_static_manifest

logger = logging.getLogger("vchata.startup")


def require_production_secrets() -> None:
    if not settings.DEBUG and not settings.SECRET_KEY_FROM_ENV:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")


def report_deploy_problems() -> None:
    """Say at start-up what ``check --deploy`` would refuse; the API serves without static files, so not fatal."""
    for problem in check_static_manifest():
        logger.error("%s %s (%s)", problem.msg, problem.hint, problem.id)
