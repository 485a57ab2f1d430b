"""Log records carry the request id (``%(request_id)s``), for Django's loggers and gunicorn's access log alike."""

import logging

from vchata.requestid import current_request_id

# gunicorn's access log record carries the response headers as atoms of its arguments.
_GUNICORN_ACCESS_ATOM = "{x-request-id}o"


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id``: the request being served, or ``-`` outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current_request_id()
        if request_id is None and isinstance(record.args, dict):
            request_id = record.args.get(_GUNICORN_ACCESS_ATOM)
        record.request_id = request_id or "-"
        return True
