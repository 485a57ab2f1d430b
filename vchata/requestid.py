"""A request id on every request: in the ``X-Request-ID`` response header and in every log line.

The id is made here (a random UUID) unless ``TRUST_REQUEST_ID_HEADER`` is on,
when the one the proxy sent in ``X-Request-ID`` is kept, so one id follows a
request from the load balancer's log through gunicorn's to ours. It is off by
default: without a proxy that sets the header itself, any client could plant
ids in the logs. A kept id must look like one (letters, digits, ``-_.:``, at
most 128 characters); anything else is replaced.
"""

import re
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_finished

HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:-]{1,128}")

_current: ContextVar[str | None] = ContextVar("vchata_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served by this thread, None outside a request."""
    return _current.get()


def _request_id_for(request) -> str:
    if settings.TRUST_REQUEST_ID_HEADER:
        sent = request.META.get(_META_KEY, "")
        if _ACCEPTABLE.fullmatch(sent):
            return sent
    return uuid.uuid4().hex


def _request_finished(**kwargs) -> None:
    _current.set(None)


# The id stays set until the response is closed, not only while the middleware runs: Django logs
# a 4xx/5xx answer ("Service Unavailable: /leads/…") after the middleware has returned it.
request_finished.connect(_request_finished, dispatch_uid="vchata.requestid")


class RequestIdMiddleware:
    """First in ``MIDDLEWARE``, so even the 500 and 503 answers of the layers inside carry the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _request_id_for(request)
        request.request_id = request_id
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response
