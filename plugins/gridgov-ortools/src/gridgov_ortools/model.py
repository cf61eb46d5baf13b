"""The CP-SAT model of a compiled duty problem: every built-in rule, exactly.

A Boolean ``x[r, d, s, p]`` says that resource ``r`` works shift ``s`` at post
``p`` on day ``d``; at most one per resource and day (the grid's own rule).
Each bound rule adds what it costs, the same amount the rule's own
``resource_cost``/``slot_cost`` computes, in one of two ways:

- *strict*: a hard rule becomes constraints (its amount must be 0), each one
  under the enforcement literal of its *group* (the rule and the resource, or
  the rule and the shift and post), so that CP-SAT can name an unsatisfiable
  core of groups when the rules cannot all hold;
- *penalty*: a soft rule (and every rule, when the hard ones are relaxed after
  infeasibility) adds its amount times its weight to the objective, with
  auxiliary variables that the minimisation drives to the exact amount.

The soft part of the objective is therefore exactly the validator's soft
score, and a roster of the strict model breaks no hard rule. A rule class the
model does not know (a plugin's, or a built-in name bound to another class)
is refused by name: never silently dropped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ortools.sat.python import cp_model

from gridgov.duty.compiled import OFF, Compiled
from gridgov.duty.repair import Stability
from gridgov.duty.rules import (
    Continuity,
    Cover,
    Fairness,
    ForbiddenSuccession,
    Leadership,
    MaxConsecutive,
    MaxShiftsPerType,
    MaxWeekends,
    MinConsecutive,
    MinDaysOff,
    MinRest,
    Rule,
    ShiftRequests,
    Skills,
    TotalMinutes,
    Unavailable,
)
from gridgov.errors import InvalidInput, SourceProblem

Group = tuple[str, int, int]
"""(rule name, resource or -1, shift * posts + post or -1): what one assumption covers."""

FAIRNESS_TABLE_MAX = 50_000
"""Largest table of exact fairness amounts the model builds (hours over long horizons)."""


class Unsupported(InvalidInput):
    """A rule the CP-SAT model cannot express exactly (refused, never dropped)."""


class RosterModel:
    """The variables and constraints of one problem; :meth:`grid` reads a solution."""

    def __init__(
        self,
        cp: Compiled,
        rules: Sequence[Rule],
        *,
        fixed: dict[tuple[int, int], tuple[int, int]],
        strict: bool = True,
        groups: bool = False,
        hard_weight: int = 1,
    ) -> None:
        """``fixed[(r, d)] = (shift, post)`` (shift OFF for a day off) holds those cells;
        ``strict``: hard rules are constraints (else penalties of ``hard_weight`` a unit);
        ``groups``: strict constraints go under one assumption literal per group."""
        self.cp, self.rules, self.strict = cp, list(rules), strict
        self.hard_weight = hard_weight
        self.m = cp_model.CpModel()
        self.objective: list[Any] = []
        self.hard_terms: list[Any] = []
        self.group_lits: dict[Group, Any] = {}
        self.use_groups = groups
        self._check_rules()
        cover = [r for r in self.rules if isinstance(r, Cover)]
        # cells that can be worked at all: open posts, unless nothing forbids the others
        strict_cover = any(r.hard for r in cover) and strict
        self.any_post = not strict_cover
        caps_hard = strict and any(r.hard for r in self.rules if isinstance(r, MaxShiftsPerType))
        unav_hard = strict and any(r.hard for r in self.rules if isinstance(r, Unavailable))
        R, D, S, P = cp.R, cp.D, cp.S, cp.P
        self.x: dict[tuple[int, int, int, int], Any] = {}
        for r in range(R):
            for d in range(D):
                if unav_hard and cp.unavailable[r][d] and (r, d) not in fixed:
                    continue
                for s in range(S):
                    if (
                        caps_hard
                        and cp.max_per_type[r][s] == 0
                        and fixed.get((r, d), (OFF,))[0] != s
                    ):
                        continue
                    posts = range(P) if self.any_post else cp.open_posts[d][s]
                    for p in posts:
                        self.x[(r, d, s, p)] = self.m.new_bool_var(f"x{r}_{d}_{s}_{p}")
        # y[r][d][s]: works shift s that day (any post); w[r][d]: works that day
        self.y: list[list[list[Any]]] = [[[0] * S for _ in range(D)] for _ in range(R)]
        self.w: list[list[Any]] = [[0] * D for _ in range(R)]
        by_rd: dict[tuple[int, int], list[Any]] = {}
        by_rds: dict[tuple[int, int, int], list[Any]] = {}
        for (r, d, s, _p), v in self.x.items():
            by_rd.setdefault((r, d), []).append(v)
            by_rds.setdefault((r, d, s), []).append(v)
        for (r, d, s), vs in by_rds.items():
            if len(vs) == 1:
                self.y[r][d][s] = vs[0]
            else:
                y = self.m.new_bool_var("")
                self.m.add(sum(vs) == y)
                self.y[r][d][s] = y
        for (r, d), vs in by_rd.items():
            w = self.m.new_bool_var("")
            self.m.add(sum(vs) == w)  # at most one shift a day
            self.w[r][d] = w
        # fixed cells (pinned, frozen): under their own group
        for (r, d), (s, p) in fixed.items():
            lit = self._lit(("fixed", r, -1))
            if s < 0:
                if not isinstance(self.w[r][d], int):
                    self._enforce(self.m.add(self.w[r][d] == 0), lit)
            else:
                v = self.x.get((r, d, s, p))
                if v is None:  # a cell no variable exists for: cannot hold
                    self._enforce(self.m.add_bool_or([]), lit)
                else:
                    self._enforce(self.m.add(v == 1), lit)
        self.weekend_worked: list[list[Any]] | None = None
        for rule in self.rules:
            self._add_rule(rule)
        self.m.minimize(sum(self.objective) if self.objective else 0)

    # -- refusal -------------------------------------------------------------------
    def _check_rules(self) -> None:
        errors = []
        for i, rule in enumerate(self.rules):
            if type(rule) not in _BUILDERS:
                errors.append(
                    SourceProblem(
                        f"the cpsat solver cannot model rule {rule.name!r} "
                        f"({type(rule).__module__}.{type(rule).__qualname__}); use the "
                        "local solver, or leave the rule out",
                        field=f"rules[{i}]",
                    )
                )
            elif isinstance(rule, Fairness) and rule.measure == "hours" and not self._hours_ok():
                errors.append(
                    SourceProblem(
                        "the cpsat solver cannot model rule 'fairness' with measure 'hours' "
                        "exactly on this horizon (too many distinct totals)",
                        field=f"rules[{i}]",
                    )
                )
        if errors:
            raise Unsupported(errors)

    def _hours_ok(self) -> bool:
        g = 0
        for m in self.cp.minutes:
            g = math.gcd(g, m)
        return g > 0 and self.cp.D * max(self.cp.minutes) // g + 1 <= FAIRNESS_TABLE_MAX

    # -- helpers -------------------------------------------------------------------
    def _lit(self, group: Group) -> Any:
        if not self.use_groups:
            return None
        lit = self.group_lits.get(group)
        if lit is None:
            lit = self.group_lits[group] = self.m.new_bool_var(f"g{group}")
        return lit

    @staticmethod
    def _enforce(ct: Any, lit: Any) -> None:
        if lit is not None:
            ct.only_enforce_if(lit)

    def _hold(self, ct: Any, group: Group) -> None:
        """Add a constraint of ``group``; a comparison of constants holds or fails outright."""
        lit = self._lit(group)
        if isinstance(ct, bool):
            if not ct:
                self._enforce(self.m.add_bool_or([]), lit)
            return
        self._enforce(self.m.add(ct), lit)

    def _hard(self, rule: Rule) -> bool:
        return rule.hard and self.strict

    def _pay(self, rule: Rule, coef: int, expr: Any) -> None:
        """Add ``coef`` units of ``rule``'s amount ``expr`` to the objective."""
        if rule.hard:
            self.objective.append(self.hard_weight * coef * expr)
            self.hard_terms.append(coef * expr)
        elif rule.weight:
            self.objective.append(rule.weight * coef * expr)

    def at_most(
        self, rule: Rule, group: Group, expr: Any, k: int, *, coef: int = 1, scale: int = 1
    ) -> None:
        """Amount ``ceil(max(expr - k, 0) / scale)``, ``coef`` per unit."""
        if self._hard(rule):
            self._hold(expr <= k, group)
            return
        e = self.m.new_int_var(0, 10**9, "")
        self.m.add(scale * e >= expr - k)
        self._pay(rule, coef, e)

    def at_least(
        self, rule: Rule, group: Group, expr: Any, k: int, *, coef: int = 1, scale: int = 1
    ) -> None:
        """Amount ``ceil(max(k - expr, 0) / scale)``, ``coef`` per unit."""
        if self._hard(rule):
            self._hold(expr >= k, group)
            return
        e = self.m.new_int_var(0, 10**9, "")
        self.m.add(scale * e >= k - expr)
        self._pay(rule, coef, e)

    def not_all(self, rule: Rule, group: Group, lits: Sequence[Any], *, coef: int = 1) -> None:
        """Amount 1 (``coef`` units) when every literal in ``lits`` holds."""
        real = [v for v in lits if not isinstance(v, int)]
        if any(isinstance(v, int) and v == 0 for v in lits):
            return  # a literal that is always false: never all true
        if self._hard(rule):
            self._enforce(self.m.add_bool_or([v.Not() for v in real]), self._lit(group))
            return
        b = self.m.new_bool_var("")
        self.m.add(b >= sum(real) - (len(real) - 1))
        self._pay(rule, coef, b)

    def neg(self, v: Any) -> Any:
        """The negation of a literal (or of a constant 0/1)."""
        return 1 - v if isinstance(v, int) else v.Not()

    def weekends(self) -> list[list[Any]]:
        """Per resource, one literal per weekend: worked on any of its days."""
        if self.weekend_worked is None:
            out: list[list[Any]] = []
            for r in range(self.cp.R):
                row: list[Any] = []
                for days in self.cp.weekends:
                    lits = [self.w[r][d] for d in days if not isinstance(self.w[r][d], int)]
                    if not lits:
                        row.append(0)
                        continue
                    v = self.m.new_bool_var("")
                    self.m.add_max_equality(v, lits)
                    row.append(v)
                out.append(row)
            self.weekend_worked = out
        return self.weekend_worked

    # -- the rules -----------------------------------------------------------------
    def _add_rule(self, rule: Rule) -> None:
        _BUILDERS[type(rule)](self, rule)

    def grid(self, value: Callable[[Any], int]) -> tuple[list[list[int]], list[list[int]]]:
        """The roster grid of a solution (``value`` reads a variable)."""
        cp = self.cp
        shifts = [[OFF] * cp.D for _ in range(cp.R)]
        posts = [[OFF] * cp.D for _ in range(cp.R)]
        for (r, d, s, p), v in self.x.items():
            if value(v):
                shifts[r][d], posts[r][d] = s, p
        return shifts, posts


def _unavailable(m: RosterModel, rule: Rule) -> None:
    cp = m.cp
    for r in range(cp.R):
        for d in cp.unavailable_days[r]:
            m.at_most(rule, (rule.name, r, -1), m.w[r][d], 0)


def _succession(m: RosterModel, rule: Rule) -> None:
    cp = m.cp
    for r in range(cp.R):
        pairs = _bad_pairs(cp, r, rule)
        for d in range(1, cp.D):
            for a, b in pairs:
                m.not_all(rule, (rule.name, r, -1), [m.y[r][d - 1][a], m.y[r][d][b]])


def _bad_pairs(cp: Compiled, r: int, rule: Rule) -> list[tuple[int, int]]:
    if isinstance(rule, ForbiddenSuccession):
        return [(a, b) for a in range(cp.S) for b in sorted(cp.forbidden_next[a])]
    need = cp.limits[r].min_rest_minutes or 0
    start, length = cp.start_minute, cp.minutes
    return [
        (a, b)
        for a in range(cp.S)
        for b in range(cp.S)
        if 1440 + start[b] - start[a] - length[a] < need
    ]


def _max_consecutive(m: RosterModel, rule: Rule) -> None:
    cp = m.cp
    for r in range(cp.R):
        k = cp.limits[r].max_consecutive
        if k is None:
            continue
        g = (rule.name, r, -1)
        for d in range(k, cp.D):
            window = [m.w[r][e] for e in range(d - k, d + 1)]
            if m._hard(rule):
                m.at_most(rule, g, sum(window), k)
            else:  # a run of n > k days holds n - k windows of k + 1 working days
                m.not_all(rule, g, window)


def _min_stretch(m: RosterModel, rule: Rule) -> None:
    cp = m.cp
    working = not isinstance(rule, MinDaysOff)
    for r in range(cp.R):
        lim = cp.limits[r]
        k = lim.min_consecutive if working else lim.min_days_off
        if not k or k <= 1:
            continue
        g = (rule.name, r, -1)
        row = m.w[r]

        def on(d: int, row: list[Any] = row) -> Any:
            return row[d] if working else m.neg(row[d])

        # an inner stretch of n < k days: other kind, n of this kind, other kind
        for n in range(1, k):
            for a in range(1, cp.D - n):
                lits = [m.neg(on(a - 1)), *(on(e) for e in range(a, a + n)), m.neg(on(a + n))]
                m.not_all(rule, g, lits, coef=k - n)


def _max_per_type(m: RosterModel, rule: Rule) -> None:
    cp = m.cp
    for r in range(cp.R):
        for s, limit in enumerate(cp.max_per_type[r]):
            if limit is None:
                continue
            count = sum(m.y[r][d][s] for d in range(cp.D))
            m.at_most(rule, (rule.name, r, s), count, limit)


def _total_minutes(m: RosterModel, rule: Rule) -> None:
    cp = m.cp
    unit = min(cp.minutes) if cp.minutes else 60
    for r in range(cp.R):
        lim = cp.limits[r]
        total = sum(cp.minutes[s] * m.y[r][d][s] for d in range(cp.D) for s in range(cp.S))
        g = (rule.name, r, -1)
        if lim.max_minutes is not None:
            m.at_most(rule, g, total, lim.max_minutes, scale=unit)
        if lim.min_minutes is not None:
            m.at_least(rule, g, total, lim.min_minutes, scale=unit)


def _max_weekends(m: RosterModel, rule: Rule) -> None:
    cp = m.cp
    wk = m.weekends()
    for r in range(cp.R):
        limit = cp.limits[r].max_weekends
        if limit is not None and cp.weekends:
            m.at_most(rule, (rule.name, r, -1), sum(wk[r]), limit)


def _requests(m: RosterModel, rule: Rule) -> None:
    cp = m.cp
    for r in range(cp.R):
        g = (rule.name, r, -1)
        for (d, s), wt in cp.on_req[r].items():
            miss = m.neg(m.w[r][d]) if s == OFF else m.neg(m.y[r][d][s])
            m.at_most(rule, g, miss, 0, coef=wt)
        for (d, s), wt in cp.off_req[r].items():
            hit = m.w[r][d] if s == OFF else m.y[r][d][s]
            m.at_most(rule, g, hit, 0, coef=wt)


def _slot_members(m: RosterModel) -> dict[tuple[int, int, int], list[tuple[int, Any]]]:
    out: dict[tuple[int, int, int], list[tuple[int, Any]]] = {}
    for (r, d, s, p), v in m.x.items():
        out.setdefault((d, s, p), []).append((r, v))
    return out


def _cover(m: RosterModel, rule: Rule) -> None:
    cp = m.cp
    members = _slot_members(m)
    # every open slot (also one nobody can work) and every closed slot someone could
    slots = {(d, s, p) for d in range(cp.D) for s in range(cp.S) for p in cp.open_posts[d][s]}
    for key in sorted(slots | set(members)):
        d, s, p = key
        need = cp.need[d][s][p]
        n = sum(v for _r, v in members.get(key, []))
        g = (rule.name, -1, s * cp.P + p)
        if need is None:  # closed slot: everyone there is one unit
            m.at_most(rule, g, n, 0)
            continue
        if need.min:
            m.at_least(rule, g, n, need.min)
        if need.max is not None:
            m.at_most(rule, g, n, need.max)
    # the soft target (always soft, whatever the rule's hardness)
    for d in range(cp.D):
        for s in range(cp.S):
            for p in cp.open_posts[d][s]:
                need = cp.need[d][s][p]
                assert need is not None
                if not need.weight_under and not need.weight_over:
                    continue
                vs = members.get((d, s, p), [])
                n = sum(v for _r, v in vs)
                under = m.m.new_int_var(0, max(need.target, 0), "")
                over = m.m.new_int_var(0, len(vs), "")
                m.m.add(n - need.target == over - under)
                m.objective.append(need.weight_under * under + need.weight_over * over)


def _leadership(m: RosterModel, rule: Rule) -> None:
    cp = m.cp
    for (d, s, p), vs in _slot_members(m).items():
        need = cp.need[d][s][p]
        if need is None or not need.leader:
            continue
        leaders = sum(v for r, v in vs if cp.leader[r])
        others = [v for r, v in vs if not cp.leader[r]]
        if not others:
            continue
        g = (rule.name, -1, s * cp.P + p)
        if m._hard(rule):
            for v in others:
                m._enforce(m.m.add(v <= leaders), m._lit(g))
            continue
        # one unit for the slot when someone works it and no leader does
        u = m.m.new_bool_var("")
        for v in others:
            m.m.add(u >= v - leaders)
        m._pay(rule, 1, u)


def _skills(m: RosterModel, rule: Rule) -> None:
    cp = m.cp
    members = _slot_members(m)
    for d in range(cp.D):
        for s in range(cp.S):
            for p in range(cp.P):
                need = cp.need[d][s][p]
                if need is None or not need.skills:
                    continue
                vs = members.get((d, s, p), [])
                g = (rule.name, -1, s * cp.P + p)
                for skill, count in need.skills:
                    have = sum(v for r, v in vs if skill in cp.skills[r])
                    m.at_least(rule, g, have, count)


def _fairness(m: RosterModel, rule: Rule) -> None:
    assert isinstance(rule, Fairness)
    cp = m.cp
    wk = m.weekends() if rule.measure == "weekends" else None
    g = 0
    for x in cp.minutes:
        g = math.gcd(g, x)
    for r in range(cp.R):
        if rule.measure == "nights":
            value = sum(m.y[r][d][s] for d in range(cp.D) for s in range(cp.S) if cp.night[s])
            top, step = cp.D, 1
        elif rule.measure == "shifts":
            value = sum(m.w[r][d] for d in range(cp.D))
            top, step = cp.D, 1
        elif rule.measure == "weekends":
            assert wk is not None
            value = sum(wk[r])
            top, step = len(cp.weekends), 1
        else:
            value = sum(cp.minutes[s] // g * m.y[r][d][s] for d in range(cp.D) for s in range(cp.S))
            top, step = cp.D * max(cp.minutes) // g, g
        # the rule's own arithmetic on every value the measure can take
        table = [_fair_amount(cp, rule, v * step) for v in range(top + 1)]
        idx = m.m.new_int_var(0, top, "")
        m.m.add(idx == value)
        amount = m.m.new_int_var(0, max(table), "")
        m.m.add_element(idx, table, amount)
        m.at_most(rule, (rule.name, r, -1), amount, 0)


def _fair_amount(cp: Compiled, rule: Fairness, raw: int) -> int:
    """The fairness amount of a row whose measure (in its units; minutes for hours) is ``raw``."""
    value: float = raw / 60 if rule.measure == "hours" else raw  # as measure_of computes it
    return round(abs(value - rule.target))


def _continuity(m: RosterModel, rule: Rule) -> None:
    cp = m.cp
    if cp.P < 2:
        return
    at: dict[tuple[int, int, int], list[Any]] = {}
    for (r, d, _s, p), v in m.x.items():
        at.setdefault((r, d, p), []).append(v)
    for r in range(cp.R):
        g = (rule.name, r, -1)
        last: list[Any] | None = None  # last[p]: the last worked day so far was at post p
        for d in range(cp.D):
            z = [_as_lit(m, sum(at.get((r, d, p), []))) for p in range(cp.P)]
            if last is not None:
                for q in range(cp.P):
                    m.not_all(rule, g, [last[q], m.w[r][d], m.neg(z[q])])
            new = []
            for p in range(cp.P):
                v = m.m.new_bool_var("")
                prev = last[p] if last is not None else 0
                m.m.add(v >= z[p])
                m.m.add(v >= prev - m.w[r][d])
                m.m.add(v <= z[p] + prev)
                m.m.add(v <= z[p] + 1 - m.w[r][d])
                new.append(v)
            last = new


def _as_lit(m: RosterModel, expr: Any) -> Any:
    if isinstance(expr, int):
        return expr
    b = m.m.new_bool_var("")
    m.m.add(b == expr)
    return b


def _stability(m: RosterModel, rule: Rule) -> None:
    assert isinstance(rule, Stability)
    cp = m.cp
    for r in range(cp.R):
        g = (rule.name, r, -1)
        for d in range(cp.D):
            s, p = rule.base_shifts[r][d], rule.base_posts[r][d]
            if s < 0:
                m.at_most(rule, g, m.w[r][d], 0)
            else:
                keep = m.x.get((r, d, s, p), 0)
                m.at_most(rule, g, m.neg(keep), 0)


_BUILDERS: dict[type, Callable[[RosterModel, Rule], None]] = {
    Unavailable: _unavailable,
    ForbiddenSuccession: _succession,
    MinRest: _succession,
    MaxConsecutive: _max_consecutive,
    MinConsecutive: _min_stretch,
    MinDaysOff: _min_stretch,
    MaxShiftsPerType: _max_per_type,
    TotalMinutes: _total_minutes,
    MaxWeekends: _max_weekends,
    ShiftRequests: _requests,
    Cover: _cover,
    Leadership: _leadership,
    Skills: _skills,
    Fairness: _fairness,
    Continuity: _continuity,
    Stability: _stability,
}
"""How each rule class is modelled (exact class match: a subclass may change the rule)."""
