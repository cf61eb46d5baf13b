"""The per-version index of a tree: pre-order numbers, subtree sizes, depths.

Built once per version of a :class:`~gridgov.org.hierarchy.Hierarchy` with an
explicit stack (no recursion, so a chain 100,000 deep is fine); every hot query
is answered from these arrays instead of walking the graph.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class TreeIndex:
    """Pre-order numbering of a rooted tree.

    ``order[i]`` is the id at pre-order position ``i``; ``pos[id]`` its position;
    ``parent[i]`` the position of its parent (-1 for the root); ``size[i]`` the
    number of units in its subtree (itself included); ``depth[i]`` its distance
    from the root. ``u`` is an ancestor of ``v`` exactly when
    ``pos[u] <= pos[v] < pos[u] + size[u]``.
    """

    __slots__ = ("_up", "depth", "order", "parent", "pos", "size")

    def __init__(self, root: str, children: Mapping[str, Sequence[str]]) -> None:
        order: list[str] = []
        parent: list[int] = []
        depth: list[int] = []
        stack: list[tuple[str, int, int]] = [(root, -1, 0)]
        push = stack.append
        pop = stack.pop
        while stack:
            node, par, dep = pop()
            me = len(order)
            order.append(node)
            parent.append(par)
            depth.append(dep)
            kids = children.get(node)
            if kids:
                for kid in reversed(kids):
                    push((kid, me, dep + 1))
        size = [1] * len(order)
        for i in range(len(order) - 1, 0, -1):
            size[parent[i]] += size[i]
        self.order: list[str] = order
        self.parent: list[int] = parent
        self.depth: list[int] = depth
        self.size: list[int] = size
        self.pos: dict[str, int] = {node: i for i, node in enumerate(order)}
        self._up: list[list[int]] | None = None

    def __len__(self) -> int:
        return len(self.order)

    def is_ancestor(self, a: int, b: int) -> bool:
        """Whether position ``a`` is an ancestor of (or equal to) position ``b``."""
        return a <= b < a + self.size[a]

    def _jumps(self) -> list[list[int]]:
        """Binary-lifting table, built on first LCA query: ``up[k][i]`` is the 2^k-th ancestor."""
        if self._up is None:
            first = [p if p >= 0 else 0 for p in self.parent]
            up = [first]
            span = 1
            max_depth = max(self.depth, default=0)
            while span * 2 <= max_depth:
                prev = up[-1]
                up.append([prev[prev[i]] for i in range(len(prev))])
                span *= 2
            self._up = up
        return self._up

    def lca(self, a: int, b: int) -> int:
        """Position of the lowest common ancestor of positions ``a`` and ``b``."""
        if self.is_ancestor(a, b):
            return a
        if self.is_ancestor(b, a):
            return b
        up = self._jumps()
        size = self.size
        for level in reversed(up):
            cand = level[a]
            if not (cand <= b < cand + size[cand]):
                a = cand
        return up[0][a]
