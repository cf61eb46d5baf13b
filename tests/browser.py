"""A real headless Chromium for tests, driven over the DevTools protocol on a pipe.

No driver and no websocket library: Chromium's ``--remote-debugging-pipe``
reads JSON commands on file descriptor 3 and writes replies and events on 4,
each message ended by a NUL byte. :class:`Browser` opens a page, records every
console message, uncaught exception and log entry, evaluates JavaScript in
the page and takes screenshots and PDFs.

``chromium_path()`` finds the browser (``GRIDGOV_CHROMIUM`` or ``chromium`` on
the PATH); tests skip without it unless ``GRIDGOV_REQUIRE_BROWSER=1`` (CI).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

_TIMEOUT = 60.0


def chromium_path() -> str | None:
    """The Chromium executable, or None."""
    given = os.environ.get("GRIDGOV_CHROMIUM")
    if given:
        return given
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The Chromium executable; skips the test without one, fails in CI (required)."""
    path = chromium_path()
    if path is None:
        if os.environ.get("GRIDGOV_REQUIRE_BROWSER") == "1":
            pytest.fail("GRIDGOV_REQUIRE_BROWSER=1 but no chromium is installed")
        pytest.skip(
            "no chromium (apt-get install chromium); GRIDGOV_REQUIRE_BROWSER=1 makes it fail"
        )
    return path


def _above_nine(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Browser:
    """One headless Chromium with one page."""

    def __init__(self, executable: str, *, width: int = 1200, height: int = 900) -> None:
        self._profile = tempfile.mkdtemp(prefix="gridgov-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # the browser's ends, above 9 (and close-on-exec) so that putting them on 3 and 4
        # cannot clobber either
        to_chrome_r, from_chrome_w = _above_nine(to_chrome_r), _above_nine(from_chrome_w)
        args = [
            "--headless",
            "--no-sandbox",  # tests run as root in CI
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--remote-debugging-pipe",
            f"--user-data-dir={self._profile}",
            f"--window-size={width},{height}",
            "about:blank",
        ]

        def on_3_and_4() -> None:  # in the child, before exec: the protocol's descriptors
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self._proc = subprocess.Popen(
            [executable, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=on_3_and_4,
            close_fds=False,  # keeps 3 and 4; every other descriptor here is close-on-exec
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        targets = self.send("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self._session = self.send("Target.attachToTarget", targetId=page["targetId"], flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=True)

    # --- the protocol ------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or self._proc.poll() is not None:
                raise TimeoutError("chromium did not answer")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise ConnectionError("chromium closed the pipe")
                self._buf += chunk
        raw, _, self._buf = self._buf.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        """Run one protocol command and return its result (events are kept in ``events``)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + _TIMEOUT
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        """Wait for the next event ``method`` (or one already received)."""
        for i, event in enumerate(self.events):
            if event["method"] == method:
                return self.events.pop(i)
        deadline = time.monotonic() + _TIMEOUT
        while True:
            message = self._read_message(deadline)
            if message.get("method") == method:
                return message
            if "method" in message:
                self.events.append(message)

    # --- what tests use ----------------------------------------------------------------
    def open(self, path: Path) -> None:
        """Load a local file and wait for its load event."""
        self.send("Page.navigate", session=True, url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page (exceptions raise)."""
        result = self.send(
            "Runtime.evaluate", session=True, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions and error log entries so far."""
        out = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append(f"exception: {params['exceptionDetails']}")
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning"):
                out.append(f"console.{params['type']}: {params['args']}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                out.append(f"log: {params['entry']}")
        return out

    def viewport(self, width: int, height: int, *, mobile: bool = False) -> None:
        """Resize the page like a device of that size (a phone with ``mobile``)."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )

    def screenshot(self, path: Path, *, full_page: bool = False) -> None:
        """A PNG of the viewport (or of the whole page)."""
        result = self.send(
            "Page.captureScreenshot",
            session=True,
            format="png",
            captureBeyondViewport=full_page,
        )
        path.write_bytes(base64.b64decode(result["data"]))

    def pdf(self) -> bytes:
        """The page printed to PDF (print styles apply, ``beforeprint`` runs)."""
        result = self.send("Page.printToPDF", session=True, printBackground=True)
        return base64.b64decode(result["data"])

    def close(self) -> None:
        """End the browser and remove its profile."""
        with contextlib.suppress(TimeoutError, ConnectionError, RuntimeError, OSError):
            self.send("Browser.close")  # the browser may be gone already
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
