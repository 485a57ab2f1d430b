"""The app as production runs it, for the chaos test: gunicorn with gunicorn.conf.py, on a loopback port."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


class AppServer:
    """A gunicorn master (sync workers, as gunicorn.conf.py sets them) whose workers can be killed one by one."""

    def __init__(self, port: int, env: dict[str, str], log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", **env}
        for harness_only in ("PYTEST_CURRENT_TEST", "DJANGO_ALLOW_ASYNC_UNSAFE"):
            self.env.pop(harness_only, None)
        self.log_path = log
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn"],  # everything else from gunicorn.conf.py and the environment
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{self.url}/health/ready", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return sorted(int(pid) for pid in children)

    def kill_worker(self, pid: int) -> None:
        """SIGKILL: the worker dies mid-request, as in an out-of-memory kill; the master starts another."""
        os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
