"""Django's 404 and 500 handlers (``vchata/urls.py``): the JSON envelope for API paths, HTML pages otherwise.

They must work when little else does, since that is when they are needed:

- API paths never render a template, so an unknown ``/leads/{orgId}/123`` is
  the 404 envelope even if the page templates could not render;
- the pages (``templates/404.html``, ``500.html``, ``503.html``) load their
  stylesheet by its plain ``/static/`` URL, not through the static manifest,
  so they render before ``collectstatic`` has run (``vchata.checks`` says to
  run it);
- the 500 and 503 pages render without the request, so without context
  processors that would read the session or the user from a database that may
  be the very thing that failed.

An exception that means the database is unavailable (``vchata.dbfaults``) is
a 503 with ``Retry-After``, for pages as for the API.
"""

import logging
import sys

from django.http import HttpResponse
from django.template import loader
from django.views import defaults

from vchata.dbfaults import retry_after
from vchata.exceptions import error_response, unavailable_response
from vchata.middleware import is_api_path

logger = logging.getLogger("vchata.api")

# If even the template fails (a broken deploy), the page that reports a failure must not fail too.
_BARE_PAGES = {500: "<h1>Server error (500)</h1>", 503: "<h1>Temporarily unavailable (503)</h1>"}


def page_not_found(request, exception=None):
    if is_api_path(request.path):
        return error_response(404, "Not found")
    return defaults.page_not_found(request, exception)


def server_error(request):
    # Django calls the handler while it handles the exception, so the exception is still at hand.
    error = sys.exc_info()[1]
    seconds = retry_after(error) if error is not None else None
    if is_api_path(request.path):
        return unavailable_response(seconds) if seconds is not None else error_response(500, "Internal server error")
    response = _page(500 if seconds is None else 503)
    if seconds is not None:
        response["Retry-After"] = str(seconds)
    return response


def _page(status: int) -> HttpResponse:
    try:
        body = loader.get_template(f"{status}.html").render()
    except Exception:
        logger.exception("The %s page could not be rendered", status)
        body = _BARE_PAGES[status]
    return HttpResponse(body, status=status)
