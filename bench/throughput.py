"""Requests per second through gunicorn: the list endpoint against the framework's ceiling.

Both are measured in the same run, against the same gunicorn (2 sync workers
on this 2-core machine), with the same load generator: ``wrk`` when it is
installed (Debian package ``wrk``), else a small threaded Python client.
Only loopback addresses are ever targeted.
"""

import re
import shutil
import subprocess
import threading
import time

from .client import Http, Request

WRK = shutil.which("wrk")


def wrk_rate(port: int, path: str, token: str | None, *, seconds: int, connections: int) -> float:
    command = [WRK, "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 30).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"wrk saw error responses from {path}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def python_rate(port: int, path: str, token: str | None, *, seconds: int, connections: int) -> float:
    done = [0] * connections
    deadline = time.monotonic() + seconds

    def drive(slot: int) -> None:
        client = Http(port, token)
        request = Request("GET", path)
        while time.monotonic() < deadline:
            reply = client.send(request)
            if reply.status != 200:
                raise RuntimeError(f"{path} answered {reply.status}")
            done[slot] += 1
        client.close()

    threads = [threading.Thread(target=drive, args=(slot,)) for slot in range(connections)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - start)


def requests_per_second(
    port: int, path: str, token: str | None, *, seconds: int = 10, connections: int = 4, warm_up: bool = True
) -> float:
    if warm_up:
        warm(port, path, token, connections=connections)
    measure = wrk_rate if WRK else python_rate
    return measure(port, path, token, seconds=seconds, connections=connections)


def warm(port: int, path: str, token: str | None, *, connections: int = 4) -> None:
    """Two seconds of load first: imports, connections, prepared statements and caches in every worker."""
    measure = wrk_rate if WRK else python_rate
    measure(port, path, token, seconds=2, connections=connections)


def load_generator() -> str:
    return "wrk" if WRK else "python threads"
