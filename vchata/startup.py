"""Checks made when the app is about to serve requests (wsgi.py / asgi.py)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_production_secrets() -> None:
    if not settings.DEBUG and not settings.SECRET_KEY_FROM_ENV:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
