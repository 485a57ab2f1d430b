"""gunicorn's production settings; gunicorn reads this file when started from the project root.

    gunicorn vchata.wsgi:application           # or: make serve

Every value can be overridden on the command line; the ones a deployment tunes
come from the environment (README, docs/deploy.md).
"""

import os

from gunicorn.glogging import Logger

from vchata.logs import FILTERS, FORMATTERS, formatter_name

wsgi_app = "vchata.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers, 2 × cores + 1: a request holds a worker for its duration, so
# put the load balancer in front to buffer slow clients. Each worker keeps one
# connection per database (CONN_MAX_AGE): size PostgreSQL's max_connections for it.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * len(os.sched_getaffinity(0)) + 1))
worker_class = "sync"

# A worker silent for `timeout` seconds is killed and replaced; DB_STATEMENT_TIMEOUT
# (10 s) cancels a slow query well before that, so the request gets a 503 instead.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM or a reload, requests in flight get this long to finish.
graceful_timeout = 30
# Behind a load balancer that keeps connections open (the sync worker ignores it).
keepalive = 5

# Recycle workers now and then (the jitter keeps them from restarting together).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10

# Refuse oversized requests before Django sees them: a long filter URL fits, a header flood doesn't.
limit_request_line = 8190
limit_request_fields = 64
limit_request_field_size = 8190

# One access line a request; the log formatter adds the request id the app gave it (X-Request-ID).
_access_log = os.environ.get("GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access_log == "off" else _access_log
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"


class AccessLogOffMeansOff(Logger):
    """gunicorn writes an access line for every request whenever ``logconfig_dict`` is set, even with
    ``accesslog`` None: GUNICORN_ACCESS_LOG=off turns the lines (and the work of building them) off."""

    def access(self, resp, req, environ, request_time):
        if self.cfg.accesslog:
            super().access(resp, req, environ, request_time)


logger_class = AccessLogOffMeansOff

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": FILTERS,
    "formatters": FORMATTERS,
    "handlers": {
        name: {
            "class": "logging.StreamHandler",
            "stream": f"ext://sys.{stream}",
            "filters": ["request_id"],
            "formatter": formatter_name(os.environ.get("LOG_FORMAT", "text")),
        }
        for name, stream in (("error", "stderr"), ("access", "stdout"))
    },
    "root": {"level": "INFO", "handlers": ["error"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}

# Reloads and restarts go through signals (kill -HUP <master>); no control socket, which several
# gunicorns on one host (tests, a second instance) would otherwise share at one path.
control_socket_disable = True
