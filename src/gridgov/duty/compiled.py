"""A problem turned into indexes and arrays once, for fast validation and search.

Resources, days, shift types and posts become ``0..n-1`` indexes; a roster is a
grid ``shifts[r][d]`` (``-1`` = off) with ``posts[r][d]`` beside it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from gridgov.duty.model import Limits, Problem
from gridgov.errors import InvalidInput, SourceProblem

if TYPE_CHECKING:
    from gridgov.duty.rules.base import Rule

RuleTable = Mapping[str, "type[Rule]"]
"""Rule classes by the name a problem's :class:`~gridgov.duty.model.RuleConfig` uses."""

OFF = -1


@attrs.frozen
class SlotNeed:
    """The need of one (day, shift, post) slot, resolved from the posts' staff needs."""

    min: int = 0
    max: int | None = None
    target: int = 0
    weight_under: int = 0
    weight_over: int = 0
    skills: tuple[tuple[str, int], ...] = ()
    leader: bool = False


class Compiled:
    """Indexes and per-day arrays of a :class:`Problem` (built by :func:`compile_problem`).

    ``rule_types`` is the rule table the problem's rule names are looked up in
    (``None``: the built-in rules, :data:`gridgov.duty.rules.BUILTIN_RULES`). It is
    an argument, never read from the plugin manager: the edge (CLI, workspace)
    passes what plugins registered, e.g. ``Plugins.rule_table()``.
    """

    def __init__(self, problem: Problem, *, rules: RuleTable | None = None) -> None:
        self.problem = problem
        self.rule_types: RuleTable | None = rules
        h = problem.horizon
        self.D = h.days
        self.res_ids = [r.id for r in problem.resources]
        self.shift_ids = [s.id for s in problem.shifts]
        self.post_ids = [p.id for p in problem.posts]
        self.R, self.S, self.P = len(self.res_ids), len(self.shift_ids), len(self.post_ids)
        self.r_index = {x: i for i, x in enumerate(self.res_ids)}
        self.s_index = {x: i for i, x in enumerate(self.shift_ids)}
        self.p_index = {x: i for i, x in enumerate(self.post_ids)}
        self.minutes = [s.minutes for s in problem.shifts]
        self.start_minute = [s.start_minute for s in problem.shifts]
        self.night = [s.night for s in problem.shifts]
        self.forbidden_next = [
            frozenset(self.s_index[t] for t in s.forbidden_next) for s in problem.shifts
        ]
        self.weekend = [h.is_weekend(d) for d in range(self.D)]
        # weekends: the weekend days of each calendar week (Monday to Sunday)
        groups: dict[int, list[int]] = {}
        for d in range(self.D):
            if self.weekend[d]:
                groups.setdefault((h.date(d).toordinal() - 1) // 7, []).append(d)
        self.weekends = [tuple(v) for _, v in sorted(groups.items())]
        self.limits: list[Limits] = [r.limits.over(problem.defaults) for r in problem.resources]
        self.max_per_type: list[list[int | None]] = [
            [lim.max_shifts.get(s) for s in self.shift_ids] for lim in self.limits
        ]
        self.unavailable = [[False] * self.D for _ in problem.resources]
        for i, r in enumerate(problem.resources):
            for d in r.unavailable:
                if 0 <= d < self.D:
                    self.unavailable[i][d] = True
        self.unavailable_days = [[d for d in range(self.D) if row[d]] for row in self.unavailable]
        # requests: (day, shift or OFF for "whole day") -> weight
        self.on_req: list[dict[tuple[int, int], int]] = [{} for _ in problem.resources]
        self.off_req: list[dict[tuple[int, int], int]] = [{} for _ in problem.resources]
        for i, r in enumerate(problem.resources):
            for q in r.requests:
                s = OFF if q.shift is None else self.s_index[q.shift]
                table = self.on_req[i] if q.on else self.off_req[i]
                table[(q.day, s)] = table.get((q.day, s), 0) + q.weight
        self.leader = [r.leader for r in problem.resources]
        self.skills = [frozenset(r.skills) for r in problem.resources]
        self.labels = [r.label for r in problem.resources]
        self.need: list[list[list[SlotNeed | None]]] = [
            [[None] * self.P for _ in range(self.S)] for _ in range(self.D)
        ]
        for p, post in enumerate(problem.posts):
            for n in post.needs:
                s = self.s_index[n.shift]
                slot = SlotNeed(
                    min=n.min,
                    max=n.max,
                    target=n.target if n.target is not None else n.min,
                    weight_under=n.weight_under,
                    weight_over=n.weight_over,
                    skills=tuple(sorted(n.skills.items())),
                    leader=n.leader,
                )
                for d in n.days or range(self.D):
                    if 0 <= d < self.D:
                        self.need[d][s][p] = slot
        # shifts a resource may work at all (max per type not 0)
        self.allowed_shifts = [
            [s for s in range(self.S) if self.max_per_type[r][s] != 0] for r in range(self.R)
        ]
        self.open_posts = [
            [[p for p in range(self.P) if self.need[d][s][p] is not None] for s in range(self.S)]
            for d in range(self.D)
        ]

    def with_rules(self, rules: RuleTable | None) -> Compiled:
        """This compiled problem with another rule table (a shallow copy; ``self`` unchanged)."""
        if rules is None or rules is self.rule_types:
            return self
        other = copy.copy(self)
        other.rule_types = rules
        return other

    def date(self, d: int) -> str:
        """The date of day ``d`` for messages: ``Mon 2026-12-01``."""
        return self.problem.horizon.date(d).strftime("%a %Y-%m-%d")

    def shift_label(self, s: int) -> str:
        """The shift's name for messages."""
        return self.problem.shifts[s].label

    def post_label(self, p: int) -> str:
        """The post's name for messages."""
        return self.problem.posts[p].label


def check_problem(problem: Problem, *, file: str | None = None) -> list[SourceProblem]:
    """Every reference or value in ``problem`` that cannot be right, as located errors."""
    errors: list[SourceProblem] = []

    def err(field: str, message: str) -> None:
        errors.append(SourceProblem(message, field=field, file=file))

    def dupes(kind: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for i, x in enumerate(ids):
            if x in seen:
                err(f"{kind}[{i}].id", f"duplicate id {x!r}")
            seen.add(x)

    shift_ids = {s.id for s in problem.shifts}
    dupes("shifts", [s.id for s in problem.shifts])
    dupes("posts", [p.id for p in problem.posts])
    dupes("resources", [r.id for r in problem.resources])
    if not problem.shifts:
        err("shifts", "at least one shift type is needed")
    days = problem.horizon.days
    for i, s in enumerate(problem.shifts):
        for t in s.forbidden_next:
            if t not in shift_ids:
                err(f"shifts[{i}].forbidden_next", f"unknown shift type {t!r}")
    for i, p in enumerate(problem.posts):
        for j, n in enumerate(p.needs):
            where = f"posts[{i}].needs[{j}]"
            if n.shift not in shift_ids:
                err(f"{where}.shift", f"unknown shift type {n.shift!r}")
            if n.max is not None and n.max < n.min:
                err(f"{where}.max", f"max {n.max} is below min {n.min}")
            for d in n.days:
                if not 0 <= d < days:
                    err(f"{where}.days", f"day {d} is outside the horizon (0..{days - 1})")
            for k, v in n.skills.items():
                if v < 0:
                    err(f"{where}.skills.{k}", f"needs a count >= 0, got {v}")
    for i, r in enumerate(problem.resources):
        for t in list(r.limits.max_shifts):
            if t not in shift_ids:
                err(f"resources[{i}].limits.max_shifts", f"unknown shift type {t!r}")
        for j, q in enumerate(r.requests):
            if q.shift is not None and q.shift not in shift_ids:
                err(f"resources[{i}].requests[{j}].shift", f"unknown shift type {q.shift!r}")
            if not 0 <= q.day < days:
                err(f"resources[{i}].requests[{j}].day", f"day {q.day} is outside the horizon")
    for t in list(problem.defaults.max_shifts):
        if t not in shift_ids:
            err("defaults.max_shifts", f"unknown shift type {t!r}")
    from gridgov.duty.places import check_places

    errors.extend(check_places(problem, file=file))
    return errors


def compile_problem(
    problem: Problem, *, file: str | None = None, rules: RuleTable | None = None
) -> Compiled:
    """Check ``problem`` (raising :class:`InvalidInput` with every error) and index it.

    ``rules`` is the rule table its rule names are looked up in (default: the
    built-in rules); see :class:`Compiled`.
    """
    errors = check_problem(problem, file=file)
    if errors:
        raise InvalidInput(errors)
    return Compiled(problem, rules=rules)


def as_compiled(problem: Problem | Compiled, rules: RuleTable | None = None) -> Compiled:
    """``problem`` compiled with ``rules``; a :class:`Compiled` keeps its own table
    unless ``rules`` is given."""
    if isinstance(problem, Compiled):
        return problem.with_rules(rules)
    return compile_problem(problem, rules=rules)
