"""Serving an app with gunicorn for the load runs, and plain HTTP requests to it."""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
from pathlib import Path

from _common import BIN
from _wrk import USER_AGENT

WORKERS = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, headers: dict[str, str] | None = None,
            body: str | None = None) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read().decode("utf-8", "replace")
    finally:
        conn.close()


class Gunicorn:
    """``gunicorn -w 2 -b 127.0.0.1:<port> <app>``, access log off (gunicorn's default), errors to a file."""

    def __init__(self, app: str, chdir: Path, env: dict[str, str], log_dir: Path, name: str,
                 db_name: str | None = None) -> None:
        self.port = free_port()
        self.db_name = db_name  # PostgreSQL database whose backends count as "DB CPU"
        self.log = log_dir / f"gunicorn-{name}.log"
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{self.port}", "--chdir", str(chdir),
             "--log-level", "warning", "--error-logfile", str(self.log), app],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_ready(self, path: str = "/", seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                if request(self.port, "GET", path)[0] < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {seconds:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
