"""Which engine runs the bulk paths: pure Python, or the columnar engine (pyarrow + numpy).

The columnar engine is an optional extra (``pip install gridgov[cli]``): the bare
core never imports it, and every bulk reader keeps its pure-Python path, which is
also the reference the fast path is property-tested against. ``engine="auto"``
uses the columnar engine when it is installed and the input is large enough for
it to pay for its import; ``"python"`` and ``"columnar"`` force one path.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from typing import Literal

from gridgov.errors import EngineUnavailable

__all__ = [
    "AUTO_MIN_BYTES",
    "ENGINES",
    "Engine",
    "EngineUnavailable",
    "columnar_available",
    "use_columnar",
]

Engine = Literal["auto", "python", "columnar"]
ENGINES: tuple[Engine, ...] = ("auto", "python", "columnar")

# Inputs smaller than this stay on the pure-Python path under engine="auto".
AUTO_MIN_BYTES = 256 * 1024


@cache
def columnar_available() -> bool:
    """Whether pyarrow and numpy can be imported (checked once, without importing them)."""
    try:
        return all(importlib.util.find_spec(m) is not None for m in ("pyarrow", "numpy"))
    except (ImportError, ValueError):  # a module blocked with sys.modules[name] = None
        return False


def use_columnar(engine: Engine, size: int) -> bool:
    """Whether an input of ``size`` bytes goes to the columnar engine under ``engine``."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (expected one of {', '.join(ENGINES)})")
    if engine == "python":
        return False
    if engine == "columnar":
        if not columnar_available():
            raise EngineUnavailable(
                "the columnar engine needs pyarrow and numpy: pip install 'gridgov[cli]'"
            )
        return True
    return size >= AUTO_MIN_BYTES and columnar_available()
