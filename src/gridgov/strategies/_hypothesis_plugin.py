"""Registered through hypothesis' own entry-point group so ``st.from_type(Hierarchy)`` works."""

from __future__ import annotations


def _register() -> None:
    from hypothesis import strategies as st

    from gridgov.org.hierarchy import Hierarchy
    from gridgov.strategies.org import hierarchies

    st.register_type_strategy(Hierarchy, hierarchies())
