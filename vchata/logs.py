"""Log lines that carry the request id, as text or one JSON object a line (``LOG_FORMAT=json``).

Django's loggers (``settings.LOGGING``) and gunicorn's (``gunicorn.conf.py``)
share these formatters and the filter, so every line of both carries
``request_id``: the request being served, the id gunicorn's access log reads
from the response's ``X-Request-ID``, or ``-`` outside a request.
"""

import logging

from vchata.requestid import current_request_id

# gunicorn's access log record carries the response headers among its arguments.
_GUNICORN_ACCESS_ATOM = "{x-request-id}o"

FORMATTERS = {
    "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    "json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    },
}
FILTERS = {"request_id": {"()": "vchata.logs.RequestIdFilter"}}


def formatter_name(log_format: str) -> str:
    return "json" if log_format == "json" else "text"


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current_request_id()
        if request_id is None and isinstance(record.args, dict):
            request_id = record.args.get(_GUNICORN_ACCESS_ATOM)
        record.request_id = request_id or "-"
        return True
