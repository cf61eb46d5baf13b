"""Text pictures of a hierarchy: Mermaid flowcharts and Graphviz DOT, with a depth limit."""

from __future__ import annotations

from collections.abc import Iterator

from gridgov.escape import mermaid_label
from gridgov.org.hierarchy import Hierarchy


def _visible(tree: Hierarchy, max_depth: int | None) -> Iterator[tuple[str, str | None, int]]:
    """(id, parent, hidden descendants) for units within ``max_depth`` of the root."""
    idx = tree.index
    order, parent, depth, size = idx.order, idx.parent, idx.depth, idx.size
    i = 0
    n = len(order)
    while i < n:
        par = order[parent[i]] if parent[i] >= 0 else None
        if max_depth is not None and depth[i] >= max_depth:
            yield order[i], par, size[i] - 1
            i += size[i]  # skip the subtree
        else:
            yield order[i], par, 0
            i += 1


def _label(tree: Hierarchy, uid: str, hidden: int) -> str:
    unit = tree[uid]
    label = f"{unit.name or unit.id} ({unit.level})"
    if hidden:
        label += f" +{hidden} below"
    return label


def to_mermaid(tree: Hierarchy, *, max_depth: int | None = None) -> str:
    """A Mermaid ``flowchart TD`` of the tree down to ``max_depth`` (root = depth 0)."""
    ids: dict[str, str] = {}
    lines = ["flowchart TD"]
    for uid, par, hidden in _visible(tree, max_depth):
        node = f"n{len(ids)}"
        ids[uid] = node
        lines.append(f'  {node}["{mermaid_label(_label(tree, uid, hidden))}"]')
        if par is not None:
            lines.append(f"  {ids[par]} --> {node}")
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(tree: Hierarchy, *, max_depth: int | None = None) -> str:
    """A Graphviz ``digraph`` of the tree down to ``max_depth`` (root = depth 0)."""
    lines = ["digraph hierarchy {", "  rankdir=TB;", "  node [shape=box];"]
    for uid, par, hidden in _visible(tree, max_depth):
        lines.append(f"  {_dot_quote(uid)} [label={_dot_quote(_label(tree, uid, hidden))}];")
        if par is not None:
            lines.append(f"  {_dot_quote(par)} -> {_dot_quote(uid)};")
    lines.append("}")
    return "\n".join(lines) + "\n"
