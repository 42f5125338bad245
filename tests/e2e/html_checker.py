"""The Nu HTML Checker (npm ``vnu-jar``), run as a local service for the whole browser session.

Every page a journey checks with axe is also sent, as the server delivered it, to the checker:
axe reads the page the browser built, the checker reads the markup itself.
"""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import time
from pathlib import Path

VNU_JAR = Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


class HtmlChecker:
    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [shutil.which("java") or "java", "-Dnu.validator.servlet.bind-address=127.0.0.1",
             "-cp", str(VNU_JAR), "nu.validator.servlet.Main", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_until_listening()

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the Nu HTML Checker stopped at start")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the Nu HTML Checker did not start within a minute")

    def errors(self, html: str) -> list[str]:
        """The checker's errors (and warnings) for one document, each with its line."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("POST", "/?out=json", body=html.encode(),
                               headers={"Content-Type": "text/html; charset=utf-8", "User-Agent": "stengage-tests"})
            answer = connection.getresponse()
            body = answer.read()
            if answer.status != 200:
                raise RuntimeError(f"the Nu HTML Checker answered {answer.status}: {body[:300]!r}")
            messages = json.loads(body)["messages"]
        finally:
            connection.close()
        return [f"line {m.get('lastLine', '?')}: {m.get('message')} [{m.get('extract', '').strip()[:80]}]"
                for m in messages if m.get("type") == "error" or m.get("subType") == "warning"]

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def available() -> str | None:
    """Why the checker cannot run here, or None."""
    if not VNU_JAR.exists():
        return f"the Nu HTML Checker is not installed at {VNU_JAR} (run make vendor)"
    if shutil.which("java") is None:
        return "no Java runtime for the Nu HTML Checker (apt-get install default-jre-headless)"
    return None
