"""Loopback receivers and workspace helpers for the outbox reliability tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CLI = "import sys; from gridgov.cli import main; sys.exit(main(sys.argv[1:]))"

Behaviour = Callable[[str, int], tuple[int, dict[str, str]]]
"""(event id, how many times this id was seen, 1-based) -> (HTTP status, extra headers)."""


class Hook:
    """A real HTTP server on 127.0.0.1 counting every POST by its ``webhook-id``."""

    def __init__(
        self,
        behave: Behaviour = lambda key, n: (200, {}),
        delay: float = 0.0,
        *,
        meet: int = 0,
        meet_timeout: float = 120.0,
    ) -> None:
        """``meet=N``: hold each request until N requests are in flight at once, the
        first time (at most ``meet_timeout`` s); :attr:`met` says whether they were."""
        self.behave = behave
        self.delay = delay
        self.meet = meet
        self.meet_timeout = meet_timeout
        self.met = False
        self.in_flight = 0
        self.meeting = threading.Condition()
        self.seen: Counter[str] = Counter()
        self.accepted: Counter[str] = Counter()
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                with outer.meeting:
                    outer.in_flight += 1
                    if outer.meet and outer.in_flight >= outer.meet:
                        outer.met = True
                        outer.meeting.notify_all()
                    elif outer.meet:
                        outer.meeting.wait_for(lambda: outer.met, timeout=outer.meet_timeout)
                try:
                    self._answer()
                finally:
                    with outer.meeting:
                        outer.in_flight -= 1

            def _answer(self) -> None:
                if outer.delay:
                    time.sleep(outer.delay)
                key = self.headers.get("webhook-id", "")
                with outer.lock:
                    outer.seen[key] += 1
                    status, headers = outer.behave(key, outer.seen[key])
                    if 200 <= status < 300:
                        outer.accepted[key] += 1
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A local port nobody listens on (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def gridgov(*args: str, timeout: float = 120, env: dict[str, str] | None = None) -> Any:
    """Run ``gridgov ARGS`` in a new process; the completed process (text output)."""
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def start(*args: str) -> subprocess.Popen[str]:
    """Start ``gridgov ARGS`` in a new process (output captured)."""
    return subprocess.Popen(
        [sys.executable, "-c", CLI, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def workspace(root: Path, config: str, store: str | None = None) -> Path:
    """``gridgov init ROOT`` with ``config`` (TOML) instead of the default channels and routes."""
    args = ["init", str(root)] + (["--store", store] if store else [])
    done = gridgov(*args)
    assert done.returncode == 0, done.stderr
    text = (root / "gridgov.toml").read_text(encoding="utf-8")
    head = text.split("# A channel:", 1)[0]
    if "[notify]" in config:
        head = head.split("[notify]", 1)[0]
    (root / "gridgov.toml").write_text(head + config, encoding="utf-8")
    return root
