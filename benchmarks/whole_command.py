"""Timing whole commands for the benchmarks: wall seconds and peak RSS from ``/usr/bin/time -v``."""

from __future__ import annotations

import os
import re
import subprocess
from typing import Any


def time_command(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Wall seconds, CPU seconds (user + system) and peak RSS of ``cmd`` under
    ``/usr/bin/time -v``, and its output (on a shared machine the CPU figure is
    the steadier one)."""
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *cmd],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if wall is None or rss is None:
        raise SystemExit(f"no /usr/bin/time -v figures for {cmd}:\n{proc.stderr[-2000:]}")
    user = re.search(r"User time \(seconds\): ([\d.]+)", proc.stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", proc.stderr)
    cpu = (float(user.group(1)) if user else 0.0) + (float(system.group(1)) if system else 0.0)
    h, m, sec = wall.groups()
    seconds = int(h or 0) * 3600 + int(m) * 60 + float(sec)
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(int(rss.group(1)) / 1024, 1),
        "output": proc.stdout,
    }
