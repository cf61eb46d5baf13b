"""A parallel portfolio: the same search with other seeds in other processes, the best kept.

Worker 0 is the caller's own search (same seed, same progress reports), so a
portfolio is never worse than one worker on a run counted by iterations; the
others run with seeds derived from the caller's in forked processes (where the
platform cannot fork, the portfolio is the caller's search alone) and send
back their result. The result is the lexicographically best (hard, soft) roster, ties to the lowest
worker: with ``max_iterations`` the whole portfolio is deterministic for a
seed. A timed run waits for the other workers until the time limit (plus a
small grace for their last report), then stops whoever has not answered.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
from collections.abc import Callable
from typing import Any


def cores() -> int:
    """The cores this process may run on."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)


def can_fork() -> bool:
    """Whether worker processes can be forked here (the portfolio needs it)."""
    return "fork" in multiprocessing.get_all_start_methods()


def worker_seed(seed: int, k: int) -> int:
    """Worker ``k``'s seed: the caller's for worker 0, a derived one otherwise."""
    if k == 0:
        return seed
    return random.Random(f"gridgov-portfolio/{seed}/{k}").randrange(2**31)


def _child(run: Callable[[int], Any], k: int, conn: Any) -> None:
    """A worker process: one search, its answer through ``conn``."""
    try:
        conn.send(run(k))
    except BaseException as exc:  # report, never hang the parent
        conn.send(exc)
    finally:
        conn.close()


def run_portfolio(
    run: Callable[[int], Any],
    key: Callable[[Any], tuple[int, int]],
    *,
    workers: int,
    wait: float | None,
) -> Any:
    """``run(k)`` for worker ``k`` in ``workers`` workers (worker 0 in this process, the
    others forked; one worker where the platform cannot fork); the answer with the least
    ``key``. ``wait``: seconds to wait for the others after worker 0 ends (None: no limit)."""
    import time

    ctx = multiprocessing.get_context("fork") if can_fork() else None
    procs = []
    for k in range(1, workers if ctx is not None else 1):
        assert ctx is not None
        recv, send = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_child, args=(run, k, send), daemon=True)
        p.start()
        send.close()
        procs.append((k, p, recv))
    answers: list[tuple[int, Any]] = []
    try:
        answers.append((0, run(0)))
        end = None if wait is None else time.monotonic() + wait
        for k, _p, recv in procs:
            left = None if end is None else max(end - time.monotonic(), 0.0)
            if recv.poll(left):
                with contextlib.suppress(EOFError):
                    got = recv.recv()
                    if not isinstance(got, BaseException):
                        answers.append((k, got))
    finally:
        for _k, p, recv in procs:
            if p.is_alive():
                p.terminate()
            p.join(1.0)
            recv.close()
    return min(answers, key=lambda a: (key(a[1]), a[0]))[1]
