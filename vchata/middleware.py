"""Envelope errors for API paths that never reach DRF, and the request-size limit.

DRF's exception handler covers errors inside API views. This middleware covers
the rest: unknown API paths (Django's 404), oversize bodies (413, refused
before anything is read) and exceptions raised outside a DRF view (500, or 503
when the database is unavailable). Browser pages (``/app/``, ``/admin/``,
login) keep HTML pages (``vchata.error_pages``).
"""

import logging

from django.conf import settings

from vchata.dbfaults import retry_after
from vchata.exceptions import error_response, unavailable_response

logger = logging.getLogger("vchata.api")

PAGE_PREFIXES = ("/app/", "/admin/", "/login", "/logout", "/invite/", "/static/", "/api/docs", "/favicon")


def is_api_path(path: str) -> bool:
    return path != "/" and not path.startswith(PAGE_PREFIXES)


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = is_api_path(request.path)
        if api and request.META.get("HTTP_TRANSFER_ENCODING"):
            # Django reads a body only up to Content-Length: a chunked body would
            # silently arrive empty ("email is required"), so say what is wrong.
            return error_response(411, "Send the request body with a Content-Length header, not chunked")
        if api and self._too_large(request):
            return error_response(413, f"Request body exceeds {settings.API_MAX_BODY_BYTES} bytes")
        response = self.get_response(request)
        if api and response.status_code == 404 and not response.get("Content-Type", "").startswith("application/json"):
            return error_response(404, "Not found")
        if api and response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            return error_response(405, f'Method "{request.method}" not allowed')
        return response

    def process_exception(self, request, exception):
        if not is_api_path(request.path):
            return None
        seconds = retry_after(exception)
        if seconds is not None:
            logger.warning("Database unavailable on %s %s: %s", request.method, request.path, exception)
            return unavailable_response(seconds)
        logger.exception("Unhandled error on %s %s", request.method, request.path, exc_info=exception)
        return error_response(500, "Internal server error")

    @staticmethod
    def _too_large(request) -> bool:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return False
        return length > settings.API_MAX_BODY_BYTES
