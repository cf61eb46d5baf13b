"""A roster as a mutable grid with cached costs: the incremental scorer.

``RosterState`` keeps, for every resource, the cost of its row under the
resource-scoped rules and, for every (day, shift, post) slot, the cost under
the slot-scoped rules. A change of cells re-scores only the rows and slots it
touches (plus roster-scoped rules, if any), then is committed or rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gridgov.duty.compiled import OFF, Compiled
from gridgov.duty.rules.base import RESOURCE, ROSTER, SLOT, Rule, pair_table
from gridgov.duty.rules.fused import FusedRowRules
from gridgov.duty.violation import Score, Violation

Cell = tuple[int, int, int, int]
"""``(resource, day, shift, post)``; shift ``-1`` (and post ``-1``) means off."""


class RosterState:
    """The grid ``shifts[r][d]``/``posts[r][d]`` with cached row and slot costs."""

    def __init__(
        self,
        cp: Compiled,
        rules: Sequence[Rule],
        shifts: list[list[int]] | None = None,
        posts: list[list[int]] | None = None,
    ) -> None:
        self.cp = cp
        self.rules = list(rules)
        self.res_rules = [r for r in self.rules if r.scope == RESOURCE]
        self.slot_rules = [r for r in self.rules if r.scope == SLOT]
        self.roster_rules = [r for r in self.rules if r.scope == ROSTER]
        self.fused = FusedRowRules(self.res_rules)
        #: per (resource, post) costs of the rules that have them (locality), for post choices
        self.pairs = pair_table(self.rules)
        self.shifts = shifts if shifts is not None else [[OFF] * cp.D for _ in range(cp.R)]
        self.posts = posts if posts is not None else [[OFF] * cp.D for _ in range(cp.R)]
        self.members: list[list[list[set[int]]]] = [
            [[set() for _ in range(cp.P)] for _ in range(cp.S)] for _ in range(cp.D)
        ]
        for r in range(cp.R):
            for d in range(cp.D):
                s = self.shifts[r][d]
                if s >= 0:
                    self.members[d][s][self.posts[r][d]].add(r)
        self.row_cost = [self.eval_row(r) for r in range(cp.R)]
        if self.fused.active:
            self.fused.load(self.shifts)
        self.row_rest = [self._eval_rest(r) for r in range(cp.R)]
        self.slot_cost: dict[tuple[int, int, int], tuple[int, int]] = {}
        for d in range(cp.D):
            for s in range(cp.S):
                for p in range(cp.P):
                    c = self.eval_slot(d, s, p)
                    if c != (0, 0):
                        self.slot_cost[(d, s, p)] = c
        self.roster_cost = self.eval_roster()
        self.hard = (
            sum(c[0] for c in self.row_cost)
            + sum(c[0] for c in self.slot_cost.values())
            + self.roster_cost[0]
        )
        self.soft = (
            sum(c[1] for c in self.row_cost)
            + sum(c[1] for c in self.slot_cost.values())
            + self.roster_cost[1]
        )
        self._undo: list[Cell] = []
        self._pending_rows: list[tuple[int, tuple[int, int], tuple[int, int]]] = []
        self._pending_slots: list[tuple[tuple[int, int, int], tuple[int, int]]] = []
        self._pending_roster = self.roster_cost

    def may_work(self, r: int, p: int) -> bool:
        """Whether no hard per-(resource, post) rule (hard locality) forbids ``r`` at ``p``."""
        return self.pairs is None or p < 0 or not self.pairs[0][r][p]

    # -- evaluation -------------------------------------------------------------------
    def eval_row(self, r: int, out: list[Violation] | None = None) -> tuple[int, int]:
        """Cost of resource ``r``'s row under the resource-scoped rules."""
        row, prow = self.shifts[r], self.posts[r]
        if out is None and self.fused.active:
            h, s = self.fused.cost(r, row)
            for rule in self.fused.rest:
                a, b = rule.resource_cost(r, row, prow, None)
                h += a
                s += b
            return (h, s)
        h = s = 0
        for rule in self.res_rules:
            a, b = rule.resource_cost(r, row, prow, out)
            h += a
            s += b
        return (h, s)

    def _eval_rest(self, r: int) -> tuple[int, int]:
        """Cost of ``r``'s row under the resource rules the fused scorer does not cover."""
        h = s = 0
        row, prow = self.shifts[r], self.posts[r]
        for rule in self.fused.rest:
            a, b = rule.resource_cost(r, row, prow, None)
            h += a
            s += b
        return (h, s)

    def eval_slot(
        self, d: int, s: int, p: int, out: list[Violation] | None = None
    ) -> tuple[int, int]:
        """Cost of one slot under the slot-scoped rules."""
        h = so = 0
        members = self.members[d][s][p]
        for rule in self.slot_rules:
            a, b = rule.slot_cost(d, s, p, members, out)
            h += a
            so += b
        return (h, so)

    def eval_roster(self, out: list[Violation] | None = None) -> tuple[int, int]:
        """Cost under the roster-scoped rules."""
        h = s = 0
        for rule in self.roster_rules:
            a, b = rule.roster_cost(self.shifts, self.posts, out)
            h += a
            s += b
        return (h, s)

    @property
    def score(self) -> Score:
        """The current (hard, soft) score."""
        return Score(self.hard, self.soft)

    def violations(self) -> list[Violation]:
        """Every violation of the current grid, rows first, then slots, then roster rules."""
        out: list[Violation] = []
        for r in range(self.cp.R):
            self.eval_row(r, out)
        for d in range(self.cp.D):
            for s in range(self.cp.S):
                for p in range(self.cp.P):
                    self.eval_slot(d, s, p, out)
        self.eval_roster(out)
        return out

    # -- incremental moves ------------------------------------------------------------
    def _set(self, r: int, d: int, s: int, p: int, slots: set[tuple[int, int, int]]) -> None:
        os, op = self.shifts[r][d], self.posts[r][d]
        if os >= 0:
            self.members[d][os][op].discard(r)
            slots.add((d, os, op))
        if s >= 0:
            self.members[d][s][p].add(r)
            slots.add((d, s, p))
        self.shifts[r][d] = s
        self.posts[r][d] = p if s >= 0 else OFF

    def try_cells(self, cells: Iterable[Cell]) -> tuple[int, int]:
        """Apply ``cells`` tentatively; return the (hard, soft) delta. Then commit or rollback."""
        undo: list[Cell] = []
        rows: set[int] = set()
        slots: set[tuple[int, int, int]] = set()
        shifts, posts = self.shifts, self.posts
        for r, d, s, p in cells:
            os, op = shifts[r][d], posts[r][d]
            if os == s and (s < 0 or op == p):
                continue
            undo.append((r, d, os, op))
            self._set(r, d, s, p, slots)
            rows.add(r)
        self._undo = undo
        dh = ds = 0
        prow: list[tuple[int, tuple[int, int], tuple[int, int]]] = []
        if self.fused.active and rows:
            olds: dict[int, dict[int, int]] = {}
            for r, d, os, _op in undo:
                olds.setdefault(r, {}).setdefault(d, os)
            for r in rows:
                fh, fs = self.fused.delta(r, shifts[r], olds[r])
                rest = self._eval_rest(r)
                old_rest = self.row_rest[r]
                old = self.row_cost[r]
                c = (old[0] + fh + rest[0] - old_rest[0], old[1] + fs + rest[1] - old_rest[1])
                dh += c[0] - old[0]
                ds += c[1] - old[1]
                prow.append((r, c, rest))
        else:
            for r in rows:
                c = self.eval_row(r)
                old = self.row_cost[r]
                dh += c[0] - old[0]
                ds += c[1] - old[1]
                prow.append((r, c, c))
        pslot: list[tuple[tuple[int, int, int], tuple[int, int]]] = []
        get = self.slot_cost.get
        for key in slots:
            c = self.eval_slot(*key)
            old = get(key, (0, 0))
            dh += c[0] - old[0]
            ds += c[1] - old[1]
            pslot.append((key, c))
        if self.roster_rules and undo:
            c = self.eval_roster()
            dh += c[0] - self.roster_cost[0]
            ds += c[1] - self.roster_cost[1]
            self._pending_roster = c
        self._pending_rows = prow
        self._pending_slots = pslot
        self._delta = (dh, ds)
        return (dh, ds)

    def commit(self) -> None:
        """Keep the cells of the last :meth:`try_cells`."""
        for r, c, rest in self._pending_rows:
            self.row_cost[r] = c
            self.row_rest[r] = rest
        if self.fused.active:
            self.fused.commit()
        for key, c in self._pending_slots:
            if c == (0, 0):
                self.slot_cost.pop(key, None)
            else:
                self.slot_cost[key] = c
        if self.roster_rules:
            self.roster_cost = self._pending_roster
        self.hard += self._delta[0]
        self.soft += self._delta[1]
        self._undo = []

    def rollback(self) -> None:
        """Undo the cells of the last :meth:`try_cells`."""
        if self.fused.active:
            self.fused.rollback()
        scratch: set[tuple[int, int, int]] = set()
        for r, d, s, p in reversed(self._undo):
            self._set(r, d, s, p, scratch)
        self._undo = []

    def copy_grid(self) -> tuple[list[list[int]], list[list[int]]]:
        """A copy of the grid (to remember the best roster)."""
        return [row[:] for row in self.shifts], [row[:] for row in self.posts]
