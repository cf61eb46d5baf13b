"""A fork server for the ``gridgov`` commands of the documentation's shell blocks.

Every ``gridgov ...`` line of a shell block used to start a new interpreter and
import the library again (about 0.6 s of CPU a command, most of the README
tour's time). Here one process imports :mod:`gridgov.cli` once; the shell finds
a small ``gridgov`` client first on its ``PATH``, which hands the server its
arguments, folder, environment and its stdin, stdout and stderr (the file
descriptors themselves, over a Unix socket), and exits with the command's
status. For each command the server forks a supervisor, which forks the
command: a fresh process that takes over those descriptors, folder and
environment and runs ``sys.exit(main())`` exactly as the console script does
(atexit handlers and finalisers run as at any interpreter exit). The
supervisor waits for it and sends its status back (``128 + N`` when killed by
signal N, as a shell says); if the client goes away first (a timeout killed
the shell), the command's process group is killed.

So the text of every block still runs as written, through the real argument
parser and the real command functions, in a process of its own; what is shared
is only the work of importing the library. ``tests/test_doc_blocks.py`` checks
that a command gives the same output and status through the client as through
the installed console script. ``GRIDGOV_DOC_FORKSERVER=0`` turns it off.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

#: Modules imported once by the server (the CLI and what its commands import lazily).
#: Not pyarrow: its memory pool is chosen from the environment when first used.
PRELOAD = (
    "gridgov.cli",
    "gridgov.org",
    "gridgov.duty",
    "gridgov.sweep",
    "gridgov.store",
    "gridgov.notify",
    "gridgov.report",
    "gridgov.workspace",
    "gridgov.examples",
)

_STATUS = struct.Struct("!i")
SHELL_TIMEOUT = 300  # the longest a doc block's shell may run (tests/doc_blocks.py)
_LIMIT = 1 << 22  # the request (arguments, folder, environment), at most 4 MiB

CLIENT = """\
#!{python} -IS
# gridgov, run by the doc-block runner's fork server (tests/cli_forkserver.py).
import json, os, socket, struct, sys
try:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect({socket_path!r})
except OSError:
    os.execv({console!r}, [{console!r}, *sys.argv[1:]])
request = json.dumps({{"argv": sys.argv, "cwd": os.getcwd(), "env": dict(os.environ)}}).encode()
socket.send_fds(s, [struct.pack("!i", len(request)) + request], [0, 1, 2])
status = b""
while len(status) < 4:
    part = s.recv(4 - len(status))
    if not part:
        sys.exit(70)
    status += part
sys.exit(struct.unpack("!i", status)[0])
"""


class _BecomeCommand(BaseException):
    """Raised in the command's fresh process to unwind out of the server's loop, so that
    the command runs at the top level and exits as any interpreter does."""

    def __init__(self, request: dict[str, object], fds: list[int]) -> None:
        super().__init__()
        self.request = request
        self.fds = fds


def _recv_exact(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        part = conn.recv(n - len(data))
        if not part:
            raise EOFError("the client went away")
        data += part
    return data


def _run_command(request: dict[str, object], fds: list[int]) -> None:
    """In the command's own process: take over the client's descriptors and run the CLI."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    env = request["env"]
    assert isinstance(env, dict)
    os.environ.clear()
    os.environ.update(env)
    import time

    time.tzset()
    os.chdir(str(request["cwd"]))
    argv = request["argv"]
    assert isinstance(argv, list)
    sys.argv = [str(a) for a in argv]
    sys.argv[0] = sys.argv[0].removesuffix(".exe")
    from gridgov.cli import main

    sys.exit(main())


def _supervise(conn: socket.socket) -> int:
    """In the supervisor: read one request, fork the command, report its status."""
    msg, fds, _, _ = socket.recv_fds(conn, 4 + 65536, 3)
    if len(fds) != 3 or len(msg) < 4:
        return 1
    size = _STATUS.unpack(msg[:4])[0]
    if not 0 < size <= _LIMIT:
        return 1
    body = msg[4:]
    if len(body) < size:
        body += _recv_exact(conn, size - len(body))
    request = json.loads(body)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        conn.close()
        raise _BecomeCommand(request, fds)
    for fd in fds:
        os.close(fd)
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        ready, _, _ = select.select([conn], [], [], 0.05)
        if ready and not conn.recv(1, socket.MSG_PEEK):
            os.killpg(pid, signal.SIGKILL)  # the client is gone: so is its command
            os.waitpid(pid, 0)
            return 0
    code = os.waitstatus_to_exitcode(status)
    conn.sendall(_STATUS.pack(128 - code if code < 0 else code))
    return 0


def serve(socket_path: str) -> None:
    """Import the library, then serve commands on ``socket_path`` until killed."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)
    server.listen(16)
    server.settimeout(0.5)
    # supervisors are reaped here (not by the kernel), so that the CPU time of every
    # command adds up in this process's children and then in the test run's
    signal.signal(signal.SIGTERM, _stop)
    print("ready", flush=True)
    try:
        _accept_loop(server)
    except _Stop:
        server.close()
        _reap(block=True)


class _Stop(Exception):
    """SIGTERM: stop serving, wait for the commands still running."""


def _stop(signum: int, frame: object) -> None:
    raise _Stop


def _reap(*, block: bool = False) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _accept_loop(server: socket.socket) -> None:
    while True:
        _reap()
        try:
            conn, _ = server.accept()
        except TimeoutError:
            continue
        conn.settimeout(None)
        if os.fork() == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            server.close()
            code = 1
            try:
                code = _supervise(conn)
            except _BecomeCommand:
                raise
            except BaseException:
                import traceback

                traceback.print_exc()
            os._exit(code)
        conn.close()


class ForkServer:
    """A running server and the folder of its ``gridgov`` client (put it first on ``PATH``)."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="gridgov-forkserver-")
        folder = Path(self._dir.name)
        self.socket_path = str(folder / "s")
        self.bin = folder / "bin"
        self.bin.mkdir()
        console = Path(sys.executable).parent / "gridgov"
        client = self.bin / "gridgov"
        client.write_text(
            CLIENT.format(
                python=sys.executable, socket_path=self.socket_path, console=str(console)
            ),
            encoding="utf-8",
        )
        client.chmod(0o755)
        root = str(Path(__file__).resolve().parents[1])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.cli_forkserver", self.socket_path],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            self.close()
            raise RuntimeError("the gridgov fork server did not start")

    def close(self) -> None:
        """Stop the server (it waits for commands still running) and remove its files."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=SHELL_TIMEOUT)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._dir.cleanup()


_SHARED: ForkServer | None = None
_LOCK = threading.Lock()


def shared() -> ForkServer | None:
    """The one fork server of this test process (started on first use), or None when
    ``GRIDGOV_DOC_FORKSERVER=0`` or Unix sockets with descriptor passing are not here."""
    global _SHARED
    if os.environ.get("GRIDGOV_DOC_FORKSERVER", "1") == "0" or not hasattr(socket, "send_fds"):
        return None
    with _LOCK:
        if _SHARED is None:
            import atexit

            _SHARED = ForkServer()
            atexit.register(_SHARED.close)
        return _SHARED


if __name__ == "__main__":
    command: _BecomeCommand | None = None
    try:
        serve(sys.argv[1])
    except _BecomeCommand as become:
        command = become
    if command is not None:  # a forked command (the server itself just returns when stopped)
        _run_command(command.request, command.fds)
