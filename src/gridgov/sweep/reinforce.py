"""Emergency reinforcement: cadres of paired government units sent where need is highest.

Each government unit (``tree.relations.gov_units``) is paired with one or more
communities (``tree.relations.pairings``) and has ``cadres`` to send. Need is
*households per worker* in a community: its households over its workers (the
numeric attributes named in ``worker_attributes``, summed over the community's
subtree, plus cadres already sent).

Cadres are dispatched one at a time, always to the community with the highest
households per worker that can still get one: from a paired unit with cadres
left, or by re-routing (a unit that supplies this community's paired units'
other communities hands over, along an augmenting path, so nobody else loses a
cadre). This is water-filling over the pairings: no single cadre could be moved
from one community to another community paired with the same unit and lower
the higher of the two ratios.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence

import attrs

from gridgov.org.hierarchy import Hierarchy
from gridgov.org.rollup import rollup


@attrs.frozen
class Dispatch:
    """Cadres sent by one government unit to one community."""

    gov_unit: str
    community: str
    cadres: int


@attrs.frozen
class CommunityNeed:
    """Households per worker in a community, before and after reinforcement."""

    community: str
    households: int
    workers: int
    received: int

    @property
    def before(self) -> float:
        """Households per worker before (households when there is no worker)."""
        return self.households / self.workers if self.workers else float(self.households)

    @property
    def after(self) -> float:
        """Households per worker after the cadres arrive."""
        w = self.workers + self.received
        return self.households / w if w else float(self.households)


@attrs.frozen
class ReinforcementPlan:
    """Who goes where, and the need of every community before and after."""

    dispatches: tuple[Dispatch, ...]
    needs: tuple[CommunityNeed, ...]
    unsent: dict[str, int]
    """Cadres of each government unit left at home (no paired community in the tree)."""


def households_per_community(
    tree: Hierarchy, households: Mapping[str, int] | None = None, *, level: str = "community"
) -> dict[str, int]:
    """Households under each unit at ``level``: from ``households`` (unit id → count of
    households attached there, e.g. a coverage target) or, when ``None``, the number of
    ``household`` units in the tree."""
    out: dict[str, int] = {}
    for cid in tree.at_level(level):
        below = tree.subtree(cid)
        if households is None:
            out[cid] = sum(1 for u in below if tree[u].level == "household")
        else:
            out[cid] = sum(households.get(u, 0) for u in below)
    return out


def plan_reinforcement(
    tree: Hierarchy,
    households: Mapping[str, int],
    *,
    worker_attributes: Sequence[str] = ("cadres", "volunteers"),
    available: Mapping[str, int] | None = None,
) -> ReinforcementPlan:
    """Dispatch the cadres of every paired government unit (see the module docs).

    ``households`` maps community id → households; ``available`` overrides how many
    cadres each government unit can send (default: its ``cadres``).
    """
    rel = tree.relations
    sums = [rollup(tree, attr) for attr in worker_attributes]
    left = {
        g: int((available or {}).get(g, gov.cadres)) for g, gov in sorted(rel.gov_units.items())
    }
    if any(v < 0 for v in left.values()):
        raise ValueError("available cadres must be 0 or more")
    paired: dict[str, list[str]] = {}
    for g in sorted(rel.pairings):
        for c in rel.pairings[g]:
            if c in tree:
                paired.setdefault(c, []).append(g)
    communities = sorted(set(households) | set(paired))
    workers = {c: int(sum((s.get(c) or 0) for s in sums)) if c in tree else 0 for c in communities}
    hh = {c: int(households.get(c, 0)) for c in communities}
    got: dict[str, int] = dict.fromkeys(communities, 0)
    sent: dict[tuple[str, str], int] = {}

    def key(c: str) -> tuple[int, float, str]:
        """Communities without any worker first, then by households per worker."""
        w = workers[c] + got[c]
        return (0, -float(hh[c]), c) if not w else (1, -hh[c] / w, c)

    def augment(target: str) -> bool:
        """Find one more cadre for ``target``, re-routing earlier cadres if needed.

        Breadth-first over community → paired unit → community that unit already
        supplies; a path ending at a unit with cadres left shifts one cadre along it,
        so every other community keeps as many cadres as it had.
        """
        came: dict[str, tuple[str, str | None]] = {}  # gov -> (community reached from, prev gov)
        frontier: list[tuple[str, str | None]] = [(target, None)]
        seen_c = {target}
        while frontier:
            nxt: list[tuple[str, str | None]] = []
            for c, via in frontier:
                for g in paired.get(c, ()):
                    if g in came:
                        continue
                    came[g] = (c, via)
                    if left[g] > 0:
                        left[g] -= 1
                        node: str | None = g
                        while node is not None:
                            comm, prev = came[node]
                            sent[(node, comm)] = sent.get((node, comm), 0) + 1
                            if prev is not None:
                                sent[(prev, comm)] -= 1
                            node = prev
                        return True
                    for (g2, c2), n in sent.items():
                        if g2 == g and n > 0 and c2 not in seen_c:
                            seen_c.add(c2)
                            nxt.append((c2, g))
            frontier = nxt
        return False

    heap = [key(c) for c in communities if c in paired and hh[c] > 0]
    heapq.heapify(heap)
    while heap:
        *_, c = heapq.heappop(heap)
        if augment(c):
            got[c] += 1
            heapq.heappush(heap, key(c))
    sent = {k: n for k, n in sent.items() if n}
    dispatches = tuple(Dispatch(g, c, n) for (g, c), n in sorted(sent.items()))
    needs = tuple(CommunityNeed(c, hh[c], workers[c], got[c]) for c in communities)
    return ReinforcementPlan(dispatches, needs, {g: n for g, n in left.items() if n})
