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

    __slots__ = ("_up", "depth", "max_depth", "order", "parent", "pos", "size")

    def __init__(
        self,
        root: str | None,
        children: Mapping[str, Sequence[str]],
        parents: Mapping[str, str | None] | None = None,
    ) -> None:
        if parents is None:
            parents = {kid: node for node, kids in children.items() for kid in kids}
        # Pre-order by an explicit stack: children pushed in reverse so they pop in order.
        order: list[str] = []
        append = order.append
        stack = [] if root is None else [root]  # no root: the empty tree's index
        pop = stack.pop
        extend = stack.extend
        get = children.get
        while stack:
            node = pop()
            append(node)
            kids = get(node)
            if kids:
                extend(reversed(kids))
        pos = {node: i for i, node in enumerate(order)}
        parent = [-1] if order else []
        parent += [pos[parents[node]] for node in order[1:]]  # type: ignore[index]
        depth = [0] * len(order)
        for i in range(1, len(order)):
            depth[i] = depth[parent[i]] + 1
        size = [1] * len(order)
        for i in range(len(order) - 1, 0, -1):
            size[parent[i]] += size[i]
        self.order: list[str] = order
        self.parent: list[int] = parent
        self.depth: list[int] = depth
        self.size: list[int] = size
        self.pos: dict[str, int] = pos
        self._up: list[list[int]] | None = None
        self.max_depth = max(depth, default=0)

    @classmethod
    def from_preorder(
        cls,
        order: list[str],
        pos: dict[str, int],
        parent: list[int],
        depth: list[int],
        size: list[int],
    ) -> TreeIndex:
        """An index from arrays already in pre-order (the columnar tree's, see
        :mod:`gridgov.org.columnar_tree`); the caller guarantees they are consistent."""
        index = object.__new__(cls)
        index.order = order
        index.pos = pos
        index.parent = parent
        index.depth = depth
        index.size = size
        index._up = None
        index.max_depth = max(depth, default=0)
        return index

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
            while span * 2 <= self.max_depth:
                prev = up[-1]
                up.append([prev[prev[i]] for i in range(len(prev))])
                span *= 2
            self._up = up
        return self._up

    def lca(self, a: int, b: int) -> int:
        """Position of the lowest common ancestor of positions ``a`` and ``b``.

        Shallow trees (the usual six levels) climb parent links directly; deep ones
        use binary lifting, O(log depth) per query.
        """
        size = self.size
        if a <= b < a + size[a]:
            return a
        if b <= a < b + size[b]:
            return b
        if self.max_depth <= 32:
            parent = self.parent
            while not (a <= b < a + size[a]):
                a = parent[a]
            return a
        up = self._jumps()
        for level in reversed(up):
            cand = level[a]
            if not (cand <= b < cand + size[cand]):
                a = cand
        return up[0][a]
