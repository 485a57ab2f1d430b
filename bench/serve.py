"""Start a gunicorn on a loopback port for a measurement, and stop it afterwards."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn on port {port} did not become healthy in {timeout:.0f}s")
        time.sleep(0.2)


@contextmanager
def gunicorn(
    *, port: int, workers: int = 2, env: dict[str, str] | None = None, settings: str = "bench.settings"
) -> Iterator[subprocess.Popen]:
    """A gunicorn master with ``workers`` sync workers on 127.0.0.1:``port``; stopped on exit."""
    # gunicorn.conf.py is production's: no access line per request and no worker recycling while measuring.
    quiet = {"GUNICORN_ACCESS_LOG": "off", "GUNICORN_MAX_REQUESTS": "0"}
    environment = {**os.environ, **quiet, "DJANGO_SETTINGS_MODULE": settings, **(env or {})}
    command = [
        str(GUNICORN),
        "vchata.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=environment, start_new_session=True)
    try:
        wait_healthy(port)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def worker_pids(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")
