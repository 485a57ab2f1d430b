"""Two ways to send requests: straight into the WSGI app, and over loopback HTTP.

``InProcess`` calls the same WSGI callable gunicorn calls (every middleware,
authentication, the view, rendering) without the HTTP parsing, so timings
measure the application and nothing else. ``Http`` is a keep-alive client
for the multi-process runs (memory, the two-instance test).
"""

import http.client
import io
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass

import orjson


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str = ""
    body: dict | None = None

    @property
    def url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    nanoseconds: int

    def json(self):
        return orjson.loads(self.body)


class InProcess:
    """Sends the bearer token (API routes) and the session cookie (pages) with every request."""

    def __init__(self, token: str, cookie: str = ""):
        from django.core.wsgi import get_wsgi_application

        self.app = get_wsgi_application()
        self.auth = f"Bearer {token}"
        self.cookie = cookie

    def environ(self, request: Request) -> dict:
        body = orjson.dumps(request.body) if request.body is not None else b""
        return {
            "REQUEST_METHOD": request.method,
            "PATH_INFO": request.path,
            "QUERY_STRING": request.query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": self.auth,
            "HTTP_COOKIE": self.cookie,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }

    def send(self, request: Request) -> Reply:
        status = []
        environ = self.environ(request)
        start = time.perf_counter_ns()
        result = self.app(environ, lambda s, headers, exc_info=None: status.append(s))
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()  # fires request_finished, as a server would
        elapsed = time.perf_counter_ns() - start
        return Reply(int(status[0].split()[0]), body, elapsed)


class Http:
    """One keep-alive connection to a loopback server."""

    def __init__(self, port: int, token: str | None = None, host: str = "127.0.0.1"):
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def send(self, request: Request) -> Reply:
        body = orjson.dumps(request.body) if request.body is not None else None
        start = time.perf_counter_ns()
        self.connection.request(request.method, request.url, body=body, headers=self.headers)
        response = self.connection.getresponse()
        data = response.read()
        return Reply(response.status, data, time.perf_counter_ns() - start)

    def close(self) -> None:
        self.connection.close()


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def summarize(nanoseconds: Iterable[int]) -> tuple[float, float]:
    """(median, p95) in milliseconds."""
    values = sorted(n / 1e6 for n in nanoseconds)
    return percentile(values, 0.5), percentile(values, 0.95)
