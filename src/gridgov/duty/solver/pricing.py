"""A priced start: Lagrangian prices on the cover, rows by dynamic program, kept by descent.

Relax every slot's cover (its target, and its hard minimum and maximum) into a
price per (day, shift, post): a resource that works the slot earns its price.
Each resource then plans its own row alone with :func:`~.rowdp.best_row`
(which keeps the resource's own rules exactly), and the prices move by a
subgradient step toward the cover the rows leave short or long. The rows each
round proposes go into a per-resource pool; a descent over the real roster
score (:class:`~gridgov.duty.state.RosterState`: every rule, not just cover)
swaps in a pool row whenever that lowers the weighted score.

Rows planned against common prices fit together far better than rows
re-planned one at a time against the cover the others leave; on problems
whose rows are cheap to plan this start is much better than the constructive
ones, and local search takes it from there. The descent only ever accepts
improvements, so the result is never worse than the roster it starts from.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from gridgov.duty.compiled import OFF, Compiled
from gridgov.duty.rules.cover import cover_amounts
from gridgov.duty.solver.rowdp import (
    add_requests,
    best_row,
    pair_prices,
    request_weight,
    skill_weight,
)
from gridgov.duty.state import RosterState

Slot = tuple[int, int, int]


class _Prices:
    """Prices per open slot, with the bounds past which a price could not pay."""

    def __init__(self, cp: Compiled, hard_weight: float, skill_w: float = 0.0) -> None:
        self.slots: list[Slot] = []
        self.want: list[int] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        for d in range(cp.D):
            for s in range(cp.S):
                for p in cp.open_posts[d][s]:
                    need = cp.need[d][s][p]
                    assert need is not None
                    self.slots.append((d, s, p))
                    self.want.append(max(need.min, need.target))
                    self.hi.append(need.weight_under + (hard_weight if need.min > 0 else 0.0))
                    over = need.max is not None and need.max <= max(need.min, need.target)
                    self.lo.append(-need.weight_over - (hard_weight if over else 0.0))
        self.index = {k: i for i, k in enumerate(self.slots)}
        # the skills rule relaxed too: one more price per (slot, needed skill), paid to
        # the holders of the skill who work the slot (entries after the slots' own)
        n = len(self.slots)
        #: skill_of[i]: (skill, entry) pairs of slot i's needed skills
        self.skill_of: list[list[tuple[str, int]]] = [[] for _ in range(n)]
        #: of_entry[j - n]: the slot of skill entry j
        self.of_entry: list[int] = []
        self.skill_need: list[tuple[str, int]] = []
        if skill_w:
            for i, (d, s, p) in enumerate(self.slots):
                need = cp.need[d][s][p]
                assert need is not None
                for skill, count in need.skills:
                    if count > 0:
                        self.skill_of[i].append((skill, n + len(self.of_entry)))
                        self.of_entry.append(i)
                        self.skill_need.append((skill, count))
                        self.want.append(count)
                        self.hi.append(skill_w)
                        self.lo.append(0.0)
        self.price = [h / 2 for h in self.hi]

    def entries(self, cp: Compiled, r: int, i: int) -> list[int]:
        """Slot ``i`` and the skill entries of it that resource ``r`` counts toward."""
        out = [i]
        if self.skill_of[i]:
            mine = cp.skills[r]
            out += [j for skill, j in self.skill_of[i] if skill in mine]
        return out

    def step(self, counts: list[int], size: float) -> None:
        """Move every price toward the cover it leaves short (up) or long (down)."""
        gaps = [w - c for w, c in zip(self.want, counts, strict=True)]
        norm = sum(g * g for g in gaps)
        if not norm:
            return
        t = size / norm
        price, lo, hi = self.price, self.lo, self.hi
        for i, g in enumerate(gaps):
            if g:
                price[i] = min(max(price[i] + t * g, lo[i]), hi[i])


def _row_table(
    cp: Compiled, r: int, prices: _Prices, req_w: float, pair: list[float] | None = None
) -> tuple[list[list[float]], list[list[int]]]:
    """Per-day prices ``[off, shift 0, ...]`` of resource ``r`` and the best post per shift."""
    price, index, skill_of = prices.price, prices.index, prices.skill_of
    mine = cp.skills[r]
    blocked = float("inf")
    cost = [[0.0] * (cp.S + 1) for _ in range(cp.D)]
    post = [[OFF] * cp.S for _ in range(cp.D)]
    for d in range(cp.D):
        row = cost[d]
        for s in range(cp.S):
            best, where = -blocked, OFF
            for p in cp.open_posts[d][s]:
                i = index[(d, s, p)]
                v = price[i]
                if mine and skill_of[i]:
                    v += sum(price[j] for skill, j in skill_of[i] if skill in mine)
                if pair is not None:
                    v -= pair[p]
                if v > best:
                    best, where = v, p
            row[s + 1] = -best
            post[d][s] = where
    if req_w:
        add_requests(cp, r, req_w, cost)
    return cost, post


class _Pool:
    """The rows proposed for each resource, with their own (row-scoped) weighted cost,
    and a fast model of the cover to choose among them."""

    def __init__(self, st: RosterState, prices: _Prices, hard_weight: float) -> None:
        self.st, self.prices, self.hw = st, prices, hard_weight
        cp = st.cp
        self.rows: list[dict[tuple[int, ...], tuple[list[int], float, list[int]]]] = [
            {} for _ in range(cp.R)
        ]
        self.needs = [cp.need[d][s][p] for d, s, p in prices.slots]
        self.n_slots = len(prices.slots)
        self.skill_w = prices.hi[self.n_slots :]

    def add(self, r: int, row: list[int], posts: list[int]) -> bool:
        """Add a row (False when the pool already holds it)."""
        key = tuple(row)
        if key in self.rows[r]:
            return False
        h = so = 0
        for rule in self.st.res_rules:
            a, b = rule.resource_cost(r, row, posts, None)
            h += a
            so += b
        self.rows[r][key] = (posts, self.hw * h + so, self.slots_of(r, key, posts))
        return True

    def slots_of(self, r: int, row: tuple[int, ...], posts: list[int]) -> list[int]:
        """The slots the row works, and the skill entries of them it counts toward."""
        index, prices, cp = self.prices.index, self.prices, self.st.cp
        out: list[int] = []
        for d, y in enumerate(row):
            if y >= 0:
                out += prices.entries(cp, r, index[(d, y, posts[d])])
        return out

    def cover(self, i: int, n: int) -> float:
        """The cover cost of slot ``i`` with ``n`` people (the Cover rule's formula), or
        of skill entry ``i`` with ``n`` holders of the skill (the Skills rule's)."""
        if i >= self.n_slots:
            j = i - self.n_slots
            return self.skill_w[j] * max(self.prices.skill_need[j][1] - n, 0)
        need = self.needs[i]
        assert need is not None
        hard, soft = cover_amounts(need, n)
        return self.hw * hard + soft

    def _counts(self, pick: dict[int, tuple[int, ...]]) -> list[int]:
        counts = [0] * len(self.prices.want)
        for r, k in pick.items():
            for i in self.rows[r][k][2]:
                counts[i] += 1
        return counts

    def descend(self, pick: dict[int, tuple[int, ...]], passes: int = 8) -> None:
        """Coordinate descent: each resource in turn takes its pool row that fits best."""
        counts = self._counts(pick)
        cover = self.cover
        for _ in range(passes):
            moved = False
            for r, key in pick.items():
                for i in self.rows[r][key][2]:
                    counts[i] -= 1
                best_v, best_k = None, key
                for k, (_posts, own, xs) in self.rows[r].items():
                    v = own
                    for i in xs:
                        n = counts[i]
                        v += cover(i, n + 1) - cover(i, n)
                    if best_v is None or v < best_v - 1e-9:
                        best_v, best_k = v, k
                if best_k != key:
                    pick[r], moved = best_k, True
                for i in self.rows[r][best_k][2]:
                    counts[i] += 1
            if not moved:
                return

    def anneal(
        self, pick: dict[int, tuple[int, ...]], moves: int, rng: random.Random, temp: float
    ) -> None:
        """Simulated annealing over which pool row each resource takes (the fast model),
        cooling from ``temp`` to a twentieth of it; ``pick`` ends as the best seen."""
        if not pick or moves <= 0:
            return
        counts = self._counts(pick)
        cover = self.cover
        rs = list(pick)
        keys = {r: list(self.rows[r]) for r in rs}
        cur = dict(pick)
        value = best = 0.0
        t_end = temp / 20
        exp, rand, pickr = math.exp, rng.random, rng.randrange
        for m in range(moves):
            t = temp * (t_end / temp) ** (m / moves)
            r = rs[pickr(len(rs))]
            ks = keys[r]
            k = ks[pickr(len(ks))]
            old = cur[r]
            if k == old:
                continue
            _p, own_old, xs_old = self.rows[r][old]
            _p, own_new, xs_new = self.rows[r][k]
            delta = own_new - own_old
            for i in xs_old:
                n = counts[i] - 1
                counts[i] = n
                delta += cover(i, n) - cover(i, n + 1)
            for i in xs_new:
                n = counts[i]
                counts[i] = n + 1
                delta += cover(i, n + 1) - cover(i, n)
            if delta <= 0 or rand() < exp(-delta / t):
                cur[r] = k
                value += delta
                if value < best - 1e-9:
                    best = value
                    pick.update(cur)
            else:
                for i in xs_new:
                    counts[i] -= 1
                for i in xs_old:
                    counts[i] += 1


def priced_start(
    st: RosterState,
    fixed: list[list[bool]],
    movable: list[int],
    hard_weight: float,
    clock: Callable[[], float],
    deadline: float,
    rounds: int,
    patience: int = 30,
    rng: random.Random | None = None,
    moves: int = 0,
    temp: float = 10.0,
) -> int:
    """Improve ``st`` in place with rows planned against Lagrangian prices.

    Runs at most ``rounds`` price rounds (or until ``deadline`` on ``clock``, or
    ``patience`` rounds in a row that improve nothing). Returns the rounds run.
    """
    cp = st.cp
    if not movable:
        return 0
    prices = _Prices(cp, hard_weight, skill_weight(st.rules, hard_weight))
    if not prices.slots:
        return 0
    req_w = request_weight(st.rules, hard_weight)
    free = set(movable)
    type_prices = [[0.0] * cp.S for _ in range(cp.R)]
    lb = [0.0]
    pool = _Pool(st, prices, hard_weight)
    for r in movable:
        pool.add(r, st.shifts[r][:], st.posts[r][:])
    size = 1.0
    best_bound = -float("inf")
    stale = worse = done = 0
    for _ in range(rounds):
        if clock() >= deadline:
            break
        done += 1
        counts = [0] * len(prices.want)
        bound = sum(p * w for p, w in zip(prices.price, prices.want, strict=True))
        pick: dict[int, tuple[int, ...]] = {}
        t_round = clock()
        # the first round's first row is timed: rows too dear to plan R of them in a
        # quarter of the budget leave the start as it is (the share adapts to the size)
        first_due = t_round + (deadline - t_round) / (4 * cp.R) if done == 1 else deadline
        for r in range(cp.R):
            if r == 1 and done == 1 and clock() >= first_due:
                return 0
            if clock() >= deadline:
                return done - 1
            row = None
            cost, post = _row_table(cp, r, prices, req_w, pair_prices(st, r, hard_weight))
            if r in free:
                forced = [st.shifts[r][d] if fixed[r][d] else None for d in range(cp.D)]
                due = first_due if r == 0 else deadline
                row = best_row(
                    cp,
                    r,
                    cost,
                    forced,
                    prices=type_prices[r],
                    bound=lb,
                    clock=clock,
                    deadline=due,
                )
                if clock() >= due:
                    return 0 if done == 1 else done - 1
            if row is None:  # all fixed, or no row keeps the rules: as it stands
                row, cells = st.shifts[r][:], st.posts[r][:]
                bound += sum(cost[d][row[d] + 1] for d in range(cp.D))
            else:
                cells = [post[d][y] if y >= 0 else OFF for d, y in enumerate(row)]
                bound += lb[0]
            for d, y in enumerate(row):
                if y >= 0:
                    for i in prices.entries(cp, r, prices.index[(d, y, cells[d])]):
                        counts[i] += 1
            if r in free:
                pool.add(r, row, cells)
                pick[r] = tuple(row)
        # the rows of this round, then the incumbent, each improved by descent over the pools
        gained = False
        for start in (pick, {r: tuple(st.shifts[r]) for r in movable}):
            pool.descend(start)
            gained |= _try_rows(st, fixed, pool, start, hard_weight)
        if rng is not None and moves:
            start = {r: tuple(st.shifts[r]) for r in movable}
            pool.anneal(start, moves, rng, temp)
            pool.descend(start)
            gained |= _try_rows(st, fixed, pool, start, hard_weight)
        stale = 0 if gained else stale + 1
        if stale >= patience:
            break
        if bound > best_bound or gained:
            best_bound, worse = max(bound, best_bound), 0
        else:
            worse += 1
            if worse >= 5:
                size, worse = size / 2, 0
        upper = st.soft  # the objective's scale, even while hard rules are broken
        prices.step(counts, size * max(upper - bound, 0.02 * abs(upper) + 1.0))
    return done


def _try_rows(
    st: RosterState,
    fixed: list[list[bool]],
    pool: _Pool,
    pick: dict[int, tuple[int, ...]],
    hard_weight: float,
) -> bool:
    """Put the picked rows in place if that lowers the real weighted score."""
    cells = [
        (r, d, y, pool.rows[r][key][0][d])
        for r, key in pick.items()
        for d, y in enumerate(key)
        if not fixed[r][d]
    ]
    dh, ds = st.try_cells(cells)
    if hard_weight * dh + ds < 0:
        st.commit()
        return True
    st.rollback()
    return False
