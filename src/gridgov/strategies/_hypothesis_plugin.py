"""Registered through hypothesis' own entry-point group so ``st.from_type(Hierarchy)`` works.

Hypothesis runs this while it is itself being imported, so nothing here may
import :mod:`gridgov.strategies` at once: the strategy is resolved lazily.
"""

from __future__ import annotations

from typing import Any


def _hierarchy_strategy(thing: Any) -> Any:
    del thing
    from gridgov.strategies.org import hierarchies

    return hierarchies()


def _register() -> None:
    from hypothesis import strategies as st

    from gridgov.org.hierarchy import Hierarchy

    st.register_type_strategy(Hierarchy, _hierarchy_strategy)
