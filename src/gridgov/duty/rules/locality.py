"""Locality: resources work near home, on the organisation tree the problem is bound to.

``RuleConfig("locality", hard=True, params={"within": "township"})``: a resource
works only at posts in the subtree of its home unit's ancestor at ``township``
(a cadre whose home is the county, above that level, may serve anywhere in the
county). Soft (``hard=False``): each shift costs ``weight`` × the tree distance
between the resource's home unit and the post's unit (edges in the tree); with
``within`` set, only shifts outside that subtree cost anything.

The rule reads the tree through the problem's :attr:`~gridgov.duty.model.Problem.places`
(set by :func:`gridgov.duty.on_tree`), never through global state. It is a
slot-scoped rule over a resource × post table computed once, so a move
re-scores only the slots it touches, each in O(people on the shift).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from gridgov.duty.compiled import Compiled
from gridgov.duty.places import PlaceIndex
from gridgov.duty.rules.base import SLOT, Cost, Out, Rule
from gridgov.values import AttrValue


class Locality(Rule):
    """Posts only in (hard) or costs growing with distance from (soft) each resource's home."""

    name = "locality"
    scope = SLOT
    description = "resources work at posts near their home unit on the organisation tree"

    def __init__(
        self,
        cp: Compiled,
        *,
        hard: bool = True,
        weight: int = 1,
        params: Mapping[str, AttrValue] | None = None,
    ) -> None:
        super().__init__(cp, hard=hard, weight=weight, params=params)
        unknown = sorted(set(self.params) - {"within"})
        if unknown:
            raise ValueError(f"locality: unknown params {unknown} (known: within)")
        places = cp.problem.places
        if places is None:
            raise ValueError(
                "locality needs a problem bound to the organisation tree: "
                "gridgov.duty.on_tree(problem, tree), or --org FILE on the command line"
            )
        within = self.params.get("within")
        if within is None and hard:
            raise ValueError("locality: a hard locality rule needs params within = LEVEL")
        if within is not None and (not isinstance(within, str) or within not in places.levels):
            raise ValueError(
                f"locality: within {within!r} is not a level of the tree "
                f"({', '.join(places.levels)})"
            )
        index = PlaceIndex(places)
        self.index = index
        self.within = within
        homes = [r.home_unit for r in cp.problem.resources]
        self.anchor = [
            None if h is None or within is None else index.anchor(h, within) for h in homes
        ]
        units = [p.unit for p in cp.problem.posts]
        #: amount[r][p]: units of violation when resource r works a shift at post p
        self.amount: list[list[int]] = []
        self.pair_amounts = self.amount
        for r, home in enumerate(homes):
            row = [0] * cp.P
            if home is not None:
                anchor = self.anchor[r]
                for p, unit in enumerate(units):
                    if unit is None:
                        continue
                    outside = anchor is not None and not index.within(unit, anchor)
                    if hard:
                        row[p] = 1 if outside else 0
                    elif anchor is None or outside:
                        row[p] = index.distance(home, unit)
            self.amount.append(row)

    def slot_cost(self, d: int, s: int, p: int, members: Collection[int], out: Out) -> Cost:
        amount = self.amount
        total = 0
        for m in members:
            a = amount[m][p]
            if a:
                total += a
                if out is not None:
                    out.append(self.violation(a, self._message(m, d, s, p), r=m, d=d, s=s, p=p))
        return self.cost(total)

    def _message(self, r: int, d: int, s: int, p: int) -> str:
        cp = self.cp
        home = cp.problem.resources[r].home_unit
        unit = cp.problem.posts[p].unit
        assert home is not None
        assert unit is not None
        ix = self.index
        where = f"{cp.post_label(p)} at {ix.label(unit)}"
        when = f"the {cp.shift_label(s)} shift of {cp.date(d)}"
        anchor = self.anchor[r]
        if self.hard and anchor is not None:
            return (
                f"{cp.labels[r]} (home {ix.label(home)}) works {when} at {where}, "
                f"outside {ix.label(anchor)} ({self.within})"
            )
        return (
            f"{cp.labels[r]} (home {ix.label(home)}) works {when} at {where}, "
            f"{ix.distance(home, unit)} steps away in the tree"
        )
