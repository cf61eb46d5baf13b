"""The built-in solver: a constructive start improved by Lagrangian prices, then simulated
annealing over incremental moves.

With no ``start`` roster, the better of two constructions is improved by the
priced start (:mod:`gridgov.duty.solver.pricing`: rows planned by dynamic
program against common cover prices, kept only when the roster gets better).

Moves (each re-scores only the rows and slots it touches, see
:class:`~gridgov.duty.state.RosterState`):

- *change*: one resource-day to another shift/post or off;
- *fill*: put a resource on a slot that is short of people;
- *swap*: two resources exchange their cells on one day;
- *block swap*: two resources exchange a run of 2-7 days;
- *block set*: a run of days of one resource all to one shift, or all off;
- *row*: one resource's whole row re-planned by the row program against the cover;
- *rows*: two or three rows cleared and re-planned in turn (ruin and recreate).

No move mix is fixed: each move's share of the annealing's time follows its credit,
what it takes off the weighted score per second of its own measured time in this
run (:class:`_Credit`), so the row programs get time where they pay (short
horizons) and little where one costs seconds.

A unit of a hard rule weighs a little more than the largest unit of soft
penalty, and more while hard rules stay broken (strategic oscillation), and
ever more in the last tenth of the run; the temperature falls geometrically
from a start set by the soft weights. The best roster of the annealing is then
re-planned row by row (:mod:`gridgov.duty.solver.rowdp`: each row in turn, then
ruin-and-recreate of two or three rows) before a hard-rule polish. The result is
the lexicographically best (hard, soft) roster seen. The run is deterministic for
a seed when stopped by ``max_iterations``; a time limit stops it wherever the clock says.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator

import attrs

from gridgov.duty.compiled import OFF, Compiled, RuleTable, as_compiled, compile_problem
from gridgov.duty.grid import from_grid, to_grid
from gridgov.duty.model import Assignment, Problem, Roster
from gridgov.duty.rules import bind_rules
from gridgov.duty.rules.availability import ShiftRequests
from gridgov.duty.rules.base import Rule
from gridgov.duty.solver.construct import construct, construct_rows
from gridgov.duty.solver.explain import explain
from gridgov.duty.solver.pricing import priced_start
from gridgov.duty.solver.rowdp import best_row, row_prices
from gridgov.duty.solver.skillfix import fix_skills
from gridgov.duty.state import Cell, RosterState
from gridgov.duty.violation import Score, Violation

Progress = Callable[[int, Score], None]


@attrs.frozen
class SolveResult:
    """The best roster found, its score and violations, and why hard rules fail (if they do).

    ``optimal`` is True when the solver proved that no roster has a lower score
    (exact solvers such as ``cpsat`` can; the local search never claims it);
    ``bound`` is then, or whenever the solver knows one, a proven lower bound on
    the soft score of any roster that keeps the hard rules (None: unknown).
    """

    roster: Roster
    score: Score
    violations: tuple[Violation, ...]
    explanation: tuple[str, ...]
    iterations: int
    seconds: float
    optimal: bool = False
    bound: int | None = None

    @property
    def feasible(self) -> bool:
        """True when the roster breaks no hard rule."""
        return self.score.hard == 0


def _unit_weight(cp: Compiled, rules: list[Rule]) -> int:
    """The largest soft penalty one unit of anything can carry."""
    top = 1
    for rule in rules:
        if rule.hard:
            continue
        w = rule.weight
        if isinstance(rule, ShiftRequests):
            ws = [v for t in cp.on_req + cp.off_req for v in t.values()]
            w *= max(ws, default=1)
        top = max(top, w)
    for day in cp.need:
        for row in day:
            for need in row:
                if need is not None:
                    top = max(top, need.weight_under, need.weight_over)
    return top


class _Best:
    """The best (hard, soft) roster of a run so far; ``progress`` hears of each new one,
    from whichever phase finds it."""

    def __init__(self, st: RosterState, progress: Progress | None) -> None:
        self.key = (st.hard, st.soft)
        self.grid = st.copy_grid()
        self.progress = progress
        self.it = 0  # the annealing's moves so far: the iteration count reported

    def offer(self, st: RosterState) -> bool:
        """Keep ``st``'s roster if it is better than the best; True when it is."""
        if (st.hard, st.soft) >= self.key:
            return False
        self.key = (st.hard, st.soft)
        self.grid = st.copy_grid()
        if self.progress is not None:
            self.progress(self.it, Score(*self.key))
        return True

    def state(self, cp: Compiled, rules: list[Rule]) -> RosterState:
        """A new incremental state on a copy of the best roster."""
        return RosterState(cp, rules, [x[:] for x in self.grid[0]], [x[:] for x in self.grid[1]])


class _Search:
    def __init__(
        self,
        cp: Compiled,
        state: RosterState,
        fixed: list[list[bool]],
        rng: random.Random,
    ) -> None:
        self.cp, self.st, self.fixed, self.rng = cp, state, fixed, rng
        self.movable = [r for r in range(cp.R) if not all(fixed[r])]
        self.hot: list[tuple[int, int, int]] = []
        self.refresh_hot()

    def refresh_hot(self) -> None:
        """Slots short of their need (target or minimum), for the *fill* move."""
        cp = self.cp
        hot = []
        for d in range(cp.D):
            for s in range(cp.S):
                for p in cp.open_posts[d][s]:
                    need = cp.need[d][s][p]
                    assert need is not None
                    if len(self.st.members[d][s][p]) < max(need.min, need.target):
                        hot.append((d, s, p))
        self.hot = hot

    def value(self, r: int, d: int) -> tuple[int, int]:
        """A random new (shift, post) for cell (r, d), or off."""
        cp, rng = self.cp, self.rng
        allowed = cp.allowed_shifts[r]
        if not allowed or (self.st.shifts[r][d] >= 0 and rng.random() < 0.3):
            return (OFF, OFF)
        s = allowed[rng.randrange(len(allowed))]
        posts = cp.open_posts[d][s]
        if not posts:
            return (OFF, OFF)
        return (s, posts[rng.randrange(len(posts))])

    def move(self, kind: int | None = None) -> list[Cell] | None:
        """A random move of ``kind`` (an index of :data:`MOVES`; by default drawn with the
        starting shares), or None when it would touch a fixed cell or an unavailable day."""
        if kind is None:
            kind = min(bisect.bisect(START_CUMULATIVE, self.rng.random()), SMALL_MOVES - 1)
        cells = self._move(kind)
        if cells is None:
            return None
        unavailable = self.cp.unavailable
        may_work = self.st.may_work
        for r, d, s, p in cells:
            if s >= 0 and (unavailable[r][d] or not may_work(r, p)):
                return None
        return cells

    def _move(self, kind: int) -> list[Cell] | None:
        cp, rng, st, fixed = self.cp, self.rng, self.st, self.fixed
        if not self.movable:
            return None
        r = self.movable[rng.randrange(len(self.movable))]
        a, b = st.shifts, st.posts
        if kind == CHANGE:  # change one cell
            d = rng.randrange(cp.D)
            if fixed[r][d]:
                return None
            s, p = self.value(r, d)
            return [(r, d, s, p)]
        if kind == FILL:  # fill a slot short of people
            if not self.hot:
                return None
            d, s, p = self.hot[rng.randrange(len(self.hot))]
            if fixed[r][d] or cp.max_per_type[r][s] == 0:
                return None
            if rng.random() < 0.5 or a[r][d] >= 0:
                return [(r, d, s, p)]
            # ... and give up another day's work, keeping the resource's total
            d2 = rng.randrange(cp.D)
            if d2 == d or a[r][d2] < 0 or fixed[r][d2]:
                return [(r, d, s, p)]
            return [(r, d, s, p), (r, d2, OFF, OFF)]
        if kind == SLIDE:  # slide a stretch of one row by a day (rotate a segment)
            if cp.D < 3:
                return None
            n = rng.randint(3, min(10, cp.D))
            d1 = rng.randrange(cp.D - n + 1)
            seg = list(range(d1, d1 + n))
            if any(fixed[r][d] for d in seg):
                return None
            src = seg[1:] + seg[:1] if rng.random() < 0.5 else seg[-1:] + seg[:-1]
            rot: list[Cell] = []
            for d, e in zip(seg, src, strict=True):
                s = a[r][e]
                if s >= 0 and not cp.open_posts[d][s]:
                    return None
                p = b[r][e] if s < 0 or b[r][e] in cp.open_posts[d][s] else cp.open_posts[d][s][0]
                rot.append((r, d, s, p))
            return rot
        if kind == IN_ROW:  # move work inside one row: exchange two days, or two blocks
            n = 1 if rng.random() < 0.6 or cp.D < 4 else rng.randint(2, min(7, cp.D // 2))
            d1 = rng.randrange(cp.D - n + 1)
            d2 = rng.randrange(cp.D - n + 1)
            if abs(d1 - d2) < n:
                return None
            cells: list[Cell] = []
            for k in range(n):
                u, v = d1 + k, d2 + k
                if fixed[r][u] or fixed[r][v]:
                    return None
                su, sv = a[r][u], a[r][v]
                if (su >= 0 and not cp.open_posts[v][su]) or (sv >= 0 and not cp.open_posts[u][sv]):
                    return None
                pu = (
                    b[r][u]
                    if su < 0 or b[r][u] in cp.open_posts[v][su]
                    else cp.open_posts[v][su][0]
                )
                pv = (
                    b[r][v]
                    if sv < 0 or b[r][v] in cp.open_posts[u][sv]
                    else cp.open_posts[u][sv][0]
                )
                cells.append((r, v, su, pu))
                cells.append((r, u, sv, pv))
            return cells
        if kind in (SWAP, SWAP_BLOCK):  # two resources exchange one day or a block of days
            r2 = self.movable[rng.randrange(len(self.movable))]
            if r2 == r:
                return None
            if kind == SWAP:
                d1, n = rng.randrange(cp.D), 1
            else:
                n = rng.randint(min(2, cp.D), min(7, cp.D))
                d1 = rng.randrange(cp.D - n + 1)
            cells = []
            for d in range(d1, d1 + n):
                if fixed[r][d] or fixed[r2][d]:
                    return None
                cells.append((r, d, a[r2][d], b[r2][d]))
                cells.append((r2, d, a[r][d], b[r][d]))
            return cells
        # a block of one resource's days all to one shift, or all off
        n = rng.randint(min(2, cp.D), min(7, cp.D))
        d1 = rng.randrange(cp.D - n + 1)
        s, p = self.value(r, d1) if rng.random() < 0.6 else (OFF, OFF)
        out: list[Cell] = []
        for d in range(d1, d1 + n):
            if fixed[r][d]:
                return None
            if s >= 0 and not cp.open_posts[d][s]:
                return None
            pp = p if s < 0 or p in cp.open_posts[d][s] else cp.open_posts[d][s][0]
            out.append((r, d, s, pp))
        return out


MOVES = (
    "change",
    "fill",
    "slide",
    "in-row",
    "swap",
    "swap-block",
    "block",
    "row",
    "rows",
    "window",
    "windows",
)
"""The annealing's moves: seven small ones (see the module's docstring), then *row* (one
resource's whole row re-planned by the row program against the cover as it stands),
*rows* (two or three rows cleared and re-planned one after another), and *window* /
*windows*: the same over a window of :data:`WINDOW_DAYS` days, the rest of each row
forced as it is (an exact program of a few milliseconds where a whole row takes a
second)."""

CHANGE, FILL, SLIDE, IN_ROW, SWAP, SWAP_BLOCK, BLOCK, ROW, ROWS, WINDOW, WINDOWS = range(len(MOVES))
SMALL_MOVES = ROW

START_SHARES = (0.18, 0.10, 0.12, 0.10, 0.15, 0.20, 0.15, 0.10, 0.10, 0.10, 0.10)
"""The share of the annealing's time each move starts with (then its credit decides)."""

START_CUMULATIVE = list(
    itertools.accumulate(x / sum(START_SHARES[:SMALL_MOVES]) for x in START_SHARES[:SMALL_MOVES])
)


ROW_WORK = 3.0
"""A first guess of one row program's cost, in small moves per day and shift type (a
timed run then measures it); the fixed cost of a row move in a run counted by moves."""

WINDOW_DAYS = (7, 28)
"""Least and most days of a *window* / *windows* move's window (drawn uniformly; the
whole row when the horizon is shorter)."""

CREDIT_SEGMENT = 0.01
"""The moves' credits and shares are renewed every this share of the annealing's time
(every 4,096 moves in a run counted by moves)."""

DEAR = 0.99
"""A whole-row move whose draws take this share of a segment or more is dropped from a
timed run (its draws are cut off at a segment)."""

CREDIT_DECAY = 0.7
"""How much of a move's credit carries over to the next segment."""

CREDIT_FLOOR = 0.05
"""A move's time share is at least this share of the best move's: every move keeps being
tried, so one that starts to pay is seen."""


class _Credit:
    """Adaptive move selection for the annealing.

    A move's credit is the weighted penalty its accepted moves took off per second of
    its own time (per unit of work in a run counted by moves), smoothed from segment
    to segment; its share of the time follows its credit (at least
    :data:`CREDIT_FLOOR` of the best's). A move is drawn with its time share divided
    by its measured cost, so an expensive move (a row program) gets its share of the
    time, not of the draws."""

    def __init__(self, costs: list[float]) -> None:
        n = len(MOVES)
        self.share = [x / sum(START_SHARES) for x in START_SHARES]
        self.cost = list(costs)
        self.credit: list[float | None] = [None] * n
        self.gain = [0.0] * n
        self.spent = [0.0] * n
        self.tries = [0] * n
        self.cum: list[float] = []
        self._draws()

    def _draws(self) -> None:
        w = [sh / max(c, 1e-12) for sh, c in zip(self.share, self.cost, strict=True)]
        total = sum(w)
        self.cum = list(itertools.accumulate(x / total for x in w))

    def pick(self, x: float) -> int:
        """The move for a uniform draw ``x`` in [0, 1)."""
        return min(bisect.bisect(self.cum, x), len(self.cum) - 1)

    def drop(self, k: int) -> None:
        """Never draw move ``k`` (it cannot apply here)."""
        self.share[k] = 0.0
        self.credit[k] = 0.0
        self._draws()

    def update(self, segment: float | None = None) -> None:
        """Close a segment: renew costs, credits and time shares from what it measured.

        With ``segment`` (a timed run's segment, in seconds), a whole-row move one draw
        of which was measured to cost a segment (:data:`DEAR`) is dropped for the rest of
        the run: each draw would stall the search for longer than the credits take to
        adapt, and the window moves do that work at a fraction of the cost (a timed
        draw is cut off at a segment, so at most one is wasted)."""
        for k in range(len(MOVES)):
            if self.tries[k]:
                self.cost[k] = 0.5 * self.cost[k] + 0.5 * self.spent[k] / self.tries[k]
                one = self.spent[k] / self.tries[k]
                if segment is not None and k in (ROW, ROWS) and one >= DEAR * segment:
                    self.share[k] = 0.0
            if self.spent[k] > 0:
                rate = self.gain[k] / self.spent[k]
                c = self.credit[k]
                self.credit[k] = rate if c is None else CREDIT_DECAY * c + (1 - CREDIT_DECAY) * rate
        known = [c for c, sh in zip(self.credit, self.share, strict=True) if c is not None and sh]
        top = max(known, default=0.0)
        if top > 0:
            mean = sum(known) / len(known)
            self.share = [
                0.0 if not sh else max(c if c is not None else mean, CREDIT_FLOOR * top)
                for c, sh in zip(self.credit, self.share, strict=True)
            ]
            total = sum(self.share)
            self.share = [x / total for x in self.share]
        # in place: the annealing's loop holds these lists
        self.gain[:] = [0.0] * len(MOVES)
        self.spent[:] = [0.0] * len(MOVES)
        self.tries[:] = [0] * len(MOVES)
        self._draws()


ROW_DESCENT_SWEEPS = 20
"""Most sweeps of whole-row re-plans over the best roster after the annealing."""

LNS_ROUNDS = 200
"""Ruin-and-recreate rounds in a run counted by iterations (a timed run uses its share)."""

ROW_DESCENT_SHARE = 0.1
"""Share of a timed run kept for the whole-row re-plans of the best roster."""


def _replan(
    st: RosterState,
    r: int,
    fixed_row: list[bool],
    weight: float,
    lo: int = 0,
    hi: int = -1,
    clock: Callable[[], float] | None = None,
    deadline: float = math.inf,
) -> list[Cell] | None:
    """The cells that re-plan resource ``r``'s days ``lo..hi`` (all days by default) by the
    row program against the cover as it stands; fixed days and the days outside are
    forced as they are. None when no row keeps the row's rules."""
    cp = st.cp
    hi = cp.D - 1 if hi < 0 else hi
    row = st.shifts[r]
    forced = [row[d] if fixed_row[d] or not lo <= d <= hi else None for d in range(cp.D)]
    cost, post = row_prices(st, r, weight)
    new = best_row(cp, r, cost, forced, clock=clock, deadline=deadline)
    if new is None:
        return None
    cells = [
        (r, d, y, post[d][y] if y >= 0 else OFF) for d, y in enumerate(new) if forced[d] is None
    ]
    if not all(st.may_work(r, p) for _r, _d, _y, p in cells):
        return None  # only a post a hard rule forbids would do (hard locality)
    return cells


def _window(days: int, rng: random.Random) -> tuple[int, int]:
    """A random window of :data:`WINDOW_DAYS` days (first and last day) of a horizon."""
    n = min(rng.randint(*WINDOW_DAYS), days)
    lo = rng.randrange(days - n + 1)
    return lo, lo + n - 1


def _row_descent(
    cp: Compiled,
    st: RosterState,
    fixed: list[list[bool]],
    movable: list[int],
    weight: float,
    clock: Callable[[], float],
    deadline: float,
    sweeps: int,
    best: _Best | None = None,
    span: int | None = None,
) -> None:
    """Re-plan every movable row in turn, keeping each re-plan that does not worsen the
    weighted score, until a sweep changes nothing (or ``sweeps`` sweeps / the deadline);
    ``best`` is offered each roster kept. With ``span`` shorter than the horizon, each
    row is re-planned window by window (``span`` days, overlapping by half)."""
    span = cp.D if span is None or span >= cp.D else max(span, 2)
    step = span if span == cp.D else span // 2
    windows = [(lo, min(lo + span, cp.D) - 1) for lo in range(0, max(cp.D - span, 0) + 1, step)]
    if windows[-1][1] < cp.D - 1:
        windows.append((cp.D - span, cp.D - 1))
    for _ in range(sweeps):
        gained = False
        # rows that break hard rules first
        for r in sorted(movable, key=lambda r: -st.row_cost[r][0]):
            for lo, hi in windows:
                if clock() >= deadline:
                    return
                cells = _replan(st, r, fixed[r], weight, lo, hi, clock=clock, deadline=deadline)
                if cells is None:
                    continue
                dh, ds = st.try_cells(cells)
                if weight * dh + ds < 0:
                    st.commit()
                    gained = True
                    if best is not None:
                        best.offer(st)
                else:
                    st.rollback()
        if not gained:
            return


MEND_SHARE = 0.01
"""Most of a timed run spent mending the annealing's last roster when it breaks hard
rules but beats the best on soft penalties."""

FIX_WINDOW = 10
"""Days either side of a hard violation that a windowed row re-plan may change."""

FIX_EVERY = 65535
"""The annealing re-plans windows around hard violations every 65,536 moves (a mask),
after the first half of its run, while no roster breaking no hard rule has been found
(for at most 0.5% of a timed run each time); and whenever its roster has broken hard
rules for longer than its stall count of moves (a break the small moves do not mend,
while the soft score goes on falling: mended, that roster may be far better than the
best feasible one)."""


def _fix_rows(
    cp: Compiled,
    st: RosterState,
    fixed: list[list[bool]],
    weight: float,
    clock: Callable[[], float],
    deadline: float,
    best: _Best | None = None,
) -> None:
    """Re-plan, by the row program, windows of the rows that break hard rules: the days
    within ``FIX_WINDOW`` of each break, and for a break with no day (the weekends
    worked, the minutes window) windows across the whole row in turn. The days
    outside a window are forced as they are (the program does not check between two
    forced days, so other breaks do not block it), so it stays small and exact on
    long horizons. A re-plan is kept when it breaks fewer hard rules (or as few, with
    a lower soft penalty), whatever it costs in soft penalties; ``best`` is offered each."""
    span = 2 * FIX_WINDOW + 1
    for r in sorted(range(cp.R), key=lambda r: -st.row_cost[r][0]):
        if st.row_cost[r][0] == 0:
            break
        out: list[Violation] = []
        st.eval_row(r, out)
        hard = [v for v in out if v.hard]
        centres = sorted({v.day for v in hard if v.day is not None})
        if any(v.day is None for v in hard):
            centres += list(range(FIX_WINDOW, cp.D + FIX_WINDOW, span))
        for c in centres:
            if st.row_cost[r][0] == 0:
                break
            if clock() >= deadline:
                return
            cells = _replan(
                st, r, fixed[r], weight, c - FIX_WINDOW, c + FIX_WINDOW, clock, deadline
            )
            if cells is None:
                continue
            dh, ds = st.try_cells(cells)
            if dh < 0 or (dh == 0 and ds < 0):
                st.commit()
                if best is not None:
                    best.offer(st)
            else:
                st.rollback()


def _recreate(
    st: RosterState,
    rows: list[int],
    fixed: list[list[bool]],
    weight: float,
    clock: Callable[[], float] | None = None,
    deadline: float = math.inf,
    lo: int = 0,
    hi: int = -1,
) -> list[Cell]:
    """Clear ``rows`` (their free days ``lo..hi``, all days by default) and re-plan them
    one after another by the row program against the cover they left, twice (the second
    pass with the others back); committed. The cells that put the old rows back."""
    cp = st.cp
    hi = cp.D - 1 if hi < 0 else hi
    days = range(lo, hi + 1)
    old = [(r, d, st.shifts[r][d], st.posts[r][d]) for r in rows for d in days]
    st.try_cells([(r, d, OFF, OFF) for r in rows for d in days if not fixed[r][d]])
    st.commit()
    for r in rows + rows:
        cells = _replan(st, r, fixed[r], weight, lo, hi, clock=clock, deadline=deadline)
        if cells is None:
            continue
        st.try_cells(cells)
        st.commit()
    return old


def _row_lns(
    cp: Compiled,
    st: RosterState,
    fixed: list[list[bool]],
    movable: list[int],
    weight: float,
    rng: random.Random,
    clock: Callable[[], float],
    deadline: float,
    rounds: int,
    best: _Best | None = None,
    windowed: bool = False,
) -> None:
    """Ruin and recreate by rows (:func:`_recreate` of two or three rows, over a random
    window when ``windowed``), keeping the result unless the weighted score got worse
    (then the old rows go back); ``best`` is offered each roster kept."""
    if len(movable) < 2:
        return
    for _ in range(rounds):
        if clock() >= deadline:
            return
        k = min(len(movable), 2 + (rng.random() < 0.5))
        h0, s0 = st.hard, st.soft
        rows = rng.sample(movable, k)
        lo, hi = _window(cp.D, rng) if windowed else (0, -1)
        old = _recreate(st, rows, fixed, weight, clock, deadline, lo, hi)
        if weight * (st.hard - h0) + (st.soft - s0) > 0:
            st.try_cells(old)
            st.commit()
        elif best is not None:
            best.offer(st)


TAIL_FACTOR = 3.0
"""Time kept at the end of a timed run for the final evaluation, in builds of the
incremental state (measured on the run's own start): the limit holds at any size. The
final evaluation is one build, the list of violations about another, and the roster's
conversion (measured on a 364 x 150 x 32 instance with two workers under load: 2.6
builds)."""

START_SHARE = 0.3
"""Most of a timed run the constructions may take (they end far sooner unless the run
is very short for the problem or the machine loaded; the rows' first pass may take
twice as long)."""

START_FIX_SHARE = 0.05
"""Most of a timed run spent re-planning the windows of rows the start leaves breaking
hard rules (only when it does)."""

PRICE_SHARE = 0.5
"""Most of a timed run spent on the priced start (it stops sooner when it stalls)."""

PRICE_ROUNDS = 20
"""Price rounds of the priced start in a run counted by iterations."""

POOL_MOVES_PER_RESOURCE = 100
"""Annealing moves over the pools of the priced start per round, per movable resource."""

POLISH_BUDGET = 50_000
"""Most moves the final hard-rule polish evaluates in a run counted by iterations."""


def _polish_hard(
    cp: Compiled,
    st: RosterState,
    fixed: list[list[bool]],
    clock: Callable[[], float],
    deadline: float,
    budget: int,
    best: _Best | None = None,
) -> None:
    """Descent on the rows that break hard rules: every one-day change and every exchange
    of two days, first improvement of (hard, soft), until none (or the budget is spent);
    ``best`` is offered each."""
    improved = True
    evals = 0
    while improved and clock() < deadline and evals < budget:
        improved = False
        for r in range(cp.R):
            if st.row_cost[r][0] == 0:
                continue
            for cells in _row_neighbours(cp, st, r, fixed[r]):
                evals += 1
                if evals & 255 == 0 and clock() >= deadline:
                    return
                dh, ds = st.try_cells(cells)
                if dh < 0 or (dh == 0 and ds < 0):
                    st.commit()
                    improved = True
                    if best is not None:
                        best.offer(st)
                    break
                st.rollback()
            if clock() >= deadline:
                return


def _row_neighbours(
    cp: Compiled, st: RosterState, r: int, fixed: list[bool]
) -> Iterator[list[Cell]]:
    row, prow = st.shifts[r], st.posts[r]
    free = [d for d in range(cp.D) if not fixed[d]]
    for d in free:
        options = [(OFF, OFF)] + [
            (s, p)
            for s in cp.allowed_shifts[r]
            for p in cp.open_posts[d][s]
            if not cp.unavailable[r][d]
        ]
        for s, p in options:
            if s != row[d] or (s >= 0 and p != prow[d]):
                yield [(r, d, s, p)]
    for i, d1 in enumerate(free):
        for d2 in free[i + 1 :]:
            if row[d1] == row[d2]:
                continue
            if (row[d2] >= 0 and cp.unavailable[r][d1]) or (row[d1] >= 0 and cp.unavailable[r][d2]):
                continue
            s1, s2 = row[d1], row[d2]
            if (s2 >= 0 and not cp.open_posts[d1][s2]) or (s1 >= 0 and not cp.open_posts[d2][s1]):
                continue
            p1 = cp.open_posts[d1][s2][0] if s2 >= 0 else OFF
            p2 = cp.open_posts[d2][s1][0] if s1 >= 0 else OFF
            yield [(r, d1, s2, p1), (r, d2, s1, p2)]


def _drop_forbidden(st: RosterState, fixed: list[list[bool]]) -> None:
    """Take off any shift at a post a hard per-(resource, post) rule forbids (hard
    locality): such a rule is a limit on who may work where, never traded for cover."""
    if st.pairs is None:
        return
    cp = st.cp
    off = [
        (r, d, OFF, OFF)
        for r in range(cp.R)
        for d in range(cp.D)
        if not fixed[r][d] and st.shifts[r][d] >= 0 and not st.may_work(r, st.posts[r][d])
    ]
    if off:
        st.try_cells(off)
        st.commit()


def _best_start(
    cp: Compiled,
    rules: list[Rule],
    shifts: list[list[int]],
    posts: list[list[int]],
    fixed: list[list[bool]],
    rng: random.Random,
    clock: Callable[[], float],
    deadline: float = math.inf,
) -> tuple[RosterState, float]:
    """The better of the slot-filling and the row-first constructions, and the seconds
    one build of the incremental state took. Both stop at ``deadline`` (the rows' first
    pass, the start itself, may take twice as long)."""
    starts = []
    spent = 0.0
    for build in (construct, construct_rows):
        a, b = [row[:] for row in shifts], [row[:] for row in posts]
        build(cp, a, b, fixed, rng, clock=clock, deadline=deadline)
        t = clock()
        st = RosterState(cp, rules, a, b)
        spent = max(spent, clock() - t)
        _drop_forbidden(st, fixed)  # the constructions do not know hard locality
        starts.append(st)
    return min(starts, key=lambda s: (s.hard, s.soft)), spent


def _solve_one(
    problem: Problem | Compiled,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    pinned: Iterable[Assignment] = (),
    start: Roster | None = None,
    frozen_before: int = 0,
    max_iterations: int | None = None,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.perf_counter,
    extra_rules: Iterable[Rule] = (),
    temperature: float | None = None,
) -> SolveResult:
    """One search (see :func:`solve`).

    Plan a roster: the best one found within ``time_limit`` seconds (or ``max_iterations``).

    - ``pinned`` assignments are fixed: that resource works that shift at that
      post that day, whatever else happens.
    - ``start`` is an initial roster (e.g. the published one); days before
      ``frozen_before`` keep exactly what ``start`` says, off days included.
    - ``progress(iterations, best_score)`` is called on each new best.
    - ``extra_rules`` are rules bound to the same compiled problem added to the
      problem's own (repair uses one to count changes).
    - ``temperature`` sets the starting temperature of the annealing (default:
      from the soft weights); a low one keeps the search close to ``start``.

    When the result still breaks hard rules, ``explanation`` says why in terms
    of the problem (shortages of qualified free people per post, shift and day)
    and lists the violations left.
    """
    t0 = clock()
    cp = problem if isinstance(problem, Compiled) else compile_problem(problem)
    rules = bind_rules(cp) + list(extra_rules)
    rng = random.Random(seed)
    if start is not None:
        shifts, posts, _extra = to_grid(cp, start)
    else:
        shifts = [[OFF] * cp.D for _ in range(cp.R)]
        posts = [[OFF] * cp.D for _ in range(cp.R)]
    fixed = [[d < frozen_before for d in range(cp.D)] for _ in range(cp.R)]
    for r in range(cp.R):
        for d in range(frozen_before, cp.D):
            if start is None:
                shifts[r][d] = posts[r][d] = OFF
    pin_roster = Roster(tuple(pinned))
    pshifts, pposts, _ = to_grid(cp, pin_roster)
    for r in range(cp.R):
        for d in range(cp.D):
            if pshifts[r][d] >= 0:
                shifts[r][d], posts[r][d] = pshifts[r][d], pposts[r][d]
                fixed[r][d] = True
    unit = _unit_weight(cp, rules)
    w_min = unit + 1.0
    if start is None:
        # counted from here: what came before (loading plugins) is no reason to skimp
        due = clock() + START_SHARE * time_limit if max_iterations is None else math.inf
        st, spent = _best_start(cp, rules, shifts, posts, fixed, rng, clock, due)
        best = _Best(st, progress)
        if progress is not None:
            progress(0, Score(*best.key))
        # the final evaluation costs about one state build: keep that much time for it
        budget = max(time_limit - TAIL_FACTOR * spent, 0.5 * time_limit)
        if st.hard:
            # rows the construction left breaking hard rules: windowed row re-plans first
            due = clock() + START_FIX_SHARE * budget if max_iterations is None else math.inf
            _fix_rows(cp, st, fixed, unit * 10.0 + 10.0, clock, due, best)
        movable = [r for r in range(cp.R) if not all(fixed[r])]
        priced_start(
            st,
            fixed,
            movable,
            w_min * 10,
            clock,
            t0 + budget * PRICE_SHARE if max_iterations is None else math.inf,
            PRICE_ROUNDS if max_iterations is not None else 10**9,
            rng=rng,
            moves=POOL_MOVES_PER_RESOURCE * len(movable),
            temp=0.3 * unit,
        )
        best.offer(st)
        if st.hard:
            due = clock() + START_FIX_SHARE * budget if max_iterations is None else math.inf
            fix_skills(st, fixed, w_min * 10, clock, due)
            best.offer(st)
    else:
        t_build = clock()
        st = RosterState(cp, rules, shifts, posts)
        budget = max(time_limit - TAIL_FACTOR * (clock() - t_build), 0.5 * time_limit)
        best = _Best(st, progress)
        if progress is not None:
            progress(0, Score(*best.key))
    search = _Search(cp, st, fixed, rng)

    weight = 10.0 * w_min  # reach feasibility first, then let the weight oscillate down
    # initial temperature: the median worsening of some random moves (timed: the cost
    # of a small move, the unit the row moves' first cost estimate is counted in)
    ups: list[float] = []
    t_probe = clock()
    for _ in range(200):
        cells = search.move()
        if not cells:
            continue
        dh, ds = st.try_cells(cells)
        st.rollback()
        delta = weight * dh + ds
        if delta > 0:
            ups.append(delta)
    ups.sort()
    limit = max_iterations
    timed = limit is None
    small = max((clock() - t_probe) / 200, 1e-7) if timed else 1.0
    row_work = ROW_WORK * cp.D * (cp.S + 1) * small
    window_work = ROW_WORK * min(cp.D, sum(WINDOW_DAYS) / 2) * (cp.S + 1) * small
    credit = _Credit([small] * SMALL_MOVES + [row_work, 5 * row_work, window_work, 5 * window_work])
    if len(search.movable) < 2:
        credit.drop(ROWS)  # one free row or none: nothing to re-plan together
        credit.drop(WINDOWS)
    if not search.movable:
        credit.drop(ROW)
        credit.drop(WINDOW)
    t_end = 0.3
    # the last 5% of the time is kept for a hard-rule polish, if one is needed
    search_limit = budget * (0.95 - (ROW_DESCENT_SHARE if ROW_DESCENT_SWEEPS else 0.0))
    search_due = t0 + search_limit if timed else math.inf
    t_start = max(min(ups[len(ups) // 2] if ups else 10.0, 0.1 * unit), 1.0)
    if temperature is not None:
        t_start = max(temperature, t_end)
    temp = t_start
    a0 = clock() - t0  # the annealing's schedule starts after the priced start
    it = 0
    exp, rand = math.exp, rng.random
    last_gain = last_feasible = 0
    soft_scale = 1.0
    stall = 2000 + 5 * cp.R * cp.D
    segment = max((search_limit - a0) * CREDIT_SEGMENT, 1e-3) if timed else 4096.0
    next_update = (clock() if timed else 0.0) + segment
    pick, gain, used, tries = credit.pick, credit.gain, credit.spent, credit.tries
    while True:
        if it & 255 == 0:
            now = clock()
            elapsed = now - t0
            if elapsed >= search_limit or (limit is not None and it >= limit):
                break
            frac = (
                it / limit
                if limit is not None
                else (elapsed - a0) / max(search_limit / 0.95 - a0, 1e-9)
            )
            temp = t_start * (t_end / t_start) ** min(frac, 1.0)
            # strategic oscillation: hard rules weigh more while any is broken;
            # in the last tenth of the run they weigh ever more, to end feasible
            floor = w_min if frac < 0.9 else w_min * (1 + 50 * (frac - 0.9))
            weight = min(max(weight * (1.02 if st.hard > 0 else 0.99), floor), 20 * floor)
            if it & 4095 == 0:
                search.refresh_hot()
            if st.hard == 0:
                last_feasible = it
            stuck = it - last_feasible > stall // 4  # a break the small moves do not mend
            if st.hard > 0 and (
                stuck or (it & FIX_EVERY == 0 and it and best.key[0] > 0 and frac > 0.5)
            ):
                # rows that keep breaking hard rules: re-plan windows around the breaks
                last_feasible = it
                fix_deadline = clock() + 0.005 * budget if limit is None else math.inf
                best.it = it
                _fix_rows(cp, st, fixed, weight, clock, fix_deadline)
                if best.offer(st):
                    last_gain = it
            # stuck short of feasibility for a while: soft penalties count a tenth
            soft_scale = 0.1 if best.key[0] > 0 and it - last_gain > stall // 2 else 1.0
            if (now if timed else it) >= next_update:
                credit.update(segment if timed else None)
                next_update = (now if timed else it) + segment
        it += 1
        k = pick(rand())
        t_move = clock() if timed else 0.0
        if k < SMALL_MOVES:
            cells = search.move(k)
            work = 1.0
        elif k in (ROW, WINDOW):
            r = search.movable[rng.randrange(len(search.movable))]
            lo, hi = (0, -1) if k == ROW else _window(cp.D, rng)
            # a timed row program may take one segment at most (then it is dropped)
            due = min(search_due, t_move + segment) if timed else search_due
            cells = _replan(st, r, fixed[r], weight, lo, hi, clock=clock, deadline=due)
            work = row_work if k == ROW else window_work
        else:  # ROWS / WINDOWS: ruin and recreate two or three rows, then accept or put back
            rows = rng.sample(search.movable, min(len(search.movable), 2 + (rand() < 0.5)))
            lo, hi = (0, -1) if k == ROWS else _window(cp.D, rng)
            h0, s0 = st.hard, st.soft
            due = min(search_due, t_move + segment) if timed else search_due
            old = _recreate(st, rows, fixed, weight, clock, due, lo, hi)
            delta = weight * (st.hard - h0) + soft_scale * (st.soft - s0)
            if delta <= 0 or rand() < exp(-delta / temp):
                if delta < 0:
                    gain[k] -= delta
                if (st.hard, st.soft) < best.key:
                    best.it = it
                    best.offer(st)
                    last_gain = it
            else:
                st.try_cells(old)
                st.commit()
            unit_work = row_work if k == ROWS else window_work
            used[k] += clock() - t_move if timed else 4 * len(rows) * unit_work
            tries[k] += 1
            continue
        if not cells:
            used[k] += clock() - t_move if timed else work
            tries[k] += 1
            continue
        dh, ds = st.try_cells(cells)
        delta = weight * dh + soft_scale * ds
        if delta <= 0 or rand() < exp(-delta / temp):
            st.commit()
            if delta < 0:
                gain[k] -= delta
            if (st.hard, st.soft) < best.key:
                best.it = it
                best.offer(st)
                last_gain = it
        else:
            st.rollback()
        used[k] += clock() - t_move if timed else work
        tries[k] += 1
    best.it = it
    if st.hard and st.soft < best.key[1]:
        # the annealing ends on a roster that breaks a hard rule but beats the best on
        # soft penalties: mend its breaks (windows around them) before it is dropped
        due = clock() + MEND_SHARE * budget if limit is None else math.inf
        _fix_rows(cp, st, fixed, w_min * 10, clock, due, best)
    if ROW_DESCENT_SWEEPS:
        polish = best.state(cp, rules)
        # a feasible best needs no hard-rule polish: the row phases may use its 5% too
        share = 0.95 if best.key[0] > 0 else 1.0
        deadline = t0 + budget * share if limit is None else math.inf
        if polish.hard:
            _fix_rows(cp, polish, fixed, w_min * 10, clock, deadline, best)
        # whole rows when a sweep of them fits half the time left (as measured in this
        # run), else windows of them
        dear = timed and credit.cost[ROW] * len(search.movable) > (deadline - clock()) / 2
        span = WINDOW_DAYS[1] if dear else None
        _row_descent(
            cp,
            polish,
            fixed,
            search.movable,
            w_min * 10,
            clock,
            deadline,
            ROW_DESCENT_SWEEPS,
            best,
            span,
        )
        rounds = LNS_ROUNDS if limit is not None else 10**9
        _row_lns(
            cp, polish, fixed, search.movable, w_min * 10, rng, clock, deadline, rounds, best, dear
        )
    if best.key[0] > 0:
        polish = best.state(cp, rules)
        # bounded by the clock when the run is timed, by a move budget when it is counted
        deadline = t0 + budget if limit is None else math.inf
        evals = POLISH_BUDGET if limit is not None else 10**9
        fix_skills(polish, fixed, w_min * 10, clock, deadline)
        best.offer(polish)
        _polish_hard(cp, polish, fixed, clock, deadline, evals, best)
    best_grid = best.grid
    final = RosterState(cp, bind_rules(cp), best_grid[0], best_grid[1])
    _drop_forbidden(final, fixed)
    violations = final.violations()
    why = explain(cp, violations) if final.hard else ()
    return SolveResult(
        roster=from_grid(cp, final.shifts, final.posts),
        score=final.score,
        violations=tuple(violations),
        explanation=why,
        iterations=it,
        seconds=clock() - t0,
    )


def solve(
    problem: Problem | Compiled,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    pinned: Iterable[Assignment] = (),
    start: Roster | None = None,
    frozen_before: int = 0,
    max_iterations: int | None = None,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.perf_counter,
    extra_rules: Iterable[Rule] = (),
    temperature: float | None = None,
    workers: int | None = None,
    rules: RuleTable | None = None,
) -> SolveResult:
    """Plan a roster: the best one found within ``time_limit`` seconds (or ``max_iterations``).

    - ``pinned`` assignments are fixed: that resource works that shift at that
      post that day, whatever else happens.
    - ``start`` is an initial roster (e.g. the published one); days before
      ``frozen_before`` keep exactly what ``start`` says, off days included.
    - ``progress(iterations, best_score)`` is called on each new best, whichever
      phase finds it (the start, the annealing, the row re-plans, the polish), in
      the first worker; when the portfolio's result is better than the last
      report (another worker's), it is reported too, so the last report is the
      result's score (``iterations``: the annealing's moves so far).
    - ``extra_rules`` are rules bound to the same compiled problem added to the
      problem's own (repair uses one to count changes).
    - ``temperature`` sets the starting temperature of the annealing (default:
      from the soft weights); a low one keeps the search close to ``start``.
    - ``workers`` searches run at once, each with its own seed, the best kept
      (:mod:`~gridgov.duty.solver.portfolio`). Default: every core for a timed
      run, one for a run counted by ``max_iterations``. With one worker (or
      ``max_iterations``) the result is deterministic for a seed.
    - ``rules`` is the rule table the problem's rule names are looked up in
      (default: a compiled problem's own, else the built-in rules); the worker
      processes inherit it with the compiled problem.

    The time limit holds whatever the size: every phase, the row programs
    included, stops at its deadline, and the end keeps the time the final
    evaluation takes (measured on the run's own start).

    When the result still breaks hard rules, ``explanation`` says why in terms
    of the problem (shortages of qualified free people per post, shift and day)
    and lists the violations left.
    """
    from gridgov.duty.solver.portfolio import cores, run_portfolio, worker_seed

    n = workers if workers is not None else (1 if max_iterations is not None else cores())
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    t0 = clock()
    cp = as_compiled(problem, rules)
    pins = tuple(pinned)
    extra = tuple(extra_rules)
    last: list[Score] = []

    def heard(it: int, score: Score) -> None:
        last[:] = [score]
        if progress is not None:
            progress(it, score)

    # several workers end a grace early: sending back and comparing their results then
    # fits in the limit
    own = time_limit * (1 - GRACE_SHARE) if n > 1 and max_iterations is None else time_limit

    def run(k: int) -> SolveResult:
        return _solve_one(
            cp,
            time_limit=max(own - (clock() - t0), 1e-3),
            seed=worker_seed(seed, k),
            pinned=pins,
            start=start,
            frozen_before=frozen_before,
            max_iterations=max_iterations,
            progress=heard if k == 0 and progress is not None else None,
            clock=clock,
            extra_rules=extra,
            temperature=temperature,
        )

    if n == 1:
        best = run(0)
    else:
        wait = None if max_iterations is not None else max(0.2, time_limit * GRACE_SHARE)
        best = run_portfolio(run, lambda r: (r.score.hard, r.score.soft), workers=n, wait=wait)
        best = attrs.evolve(best, seconds=clock() - t0)
    if progress is not None and (not last or best.score < last[0]):
        progress(best.iterations, best.score)
    return best


GRACE_SHARE = 0.02
"""Share of a timed run's limit (at least 0.2 s) the portfolio waits past worker 0's end;
with several workers each search ends this share before the limit, so that the results'
transfer and the wait fit in it."""
