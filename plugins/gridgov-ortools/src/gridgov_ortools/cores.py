"""Why the hard rules cannot all hold: an unsatisfiable core of rule groups, in words.

Every strict constraint of the model sits under the assumption literal of its
group (:data:`~gridgov_ortools.model.Group`). CP-SAT, asked to solve under all
assumptions, returns a subset that is already infeasible; each group is then
dropped in turn and kept out when the rest stays infeasible, while time allows,
so the core shrinks toward a minimal one. :func:`describe` says it the way a
coordinator reads it: whose limits and which needs clash.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from ortools.sat.python import cp_model

from gridgov.duty.compiled import Compiled
from gridgov.duty.rules.base import Rule
from gridgov_ortools.model import Group, RosterModel


def unsat_core(
    cp: Compiled,
    rules: Sequence[Rule],
    fixed: dict[tuple[int, int], tuple[int, int]],
    *,
    seconds: float,
    seed: int = 0,
    workers: int = 1,
) -> list[Group]:
    """Groups whose constraints cannot all hold together (empty when none was found in
    ``seconds``)."""
    end = time.monotonic() + seconds
    model = RosterModel(cp, rules, fixed=fixed, groups=True)
    model.m.clear_objective()  # type: ignore[no-untyped-call]
    index = {lit.index: g for g, lit in model.group_lits.items()}

    def infeasible(groups: list[Group], budget: float) -> list[Group] | None:
        model.m.clear_assumptions()
        model.m.add_assumptions([model.group_lits[g] for g in groups])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(budget, 0.05)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = seed
        if solver.solve(model.m) != cp_model.INFEASIBLE:
            return None
        return [index[i] for i in solver.sufficient_assumptions_for_infeasibility()]

    core = infeasible(sorted(model.group_lits), seconds / 2)
    if not core:
        return []
    i = 0
    while i < len(core) and time.monotonic() < end:
        rest = core[:i] + core[i + 1 :]
        smaller = infeasible(rest, min(1.0, end - time.monotonic())) if rest else None
        if smaller is not None:
            core = [g for g in rest if g in set(smaller)] or rest
        else:
            i += 1
    return sorted(core)


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g} h"


def _group_words(cp: Compiled, rules: Sequence[Rule], g: Group) -> str:
    name, r, sp = g
    who = cp.labels[r] if r >= 0 else ""
    lim = cp.limits[r] if r >= 0 else None
    if name == "fixed":
        return f"the pinned or frozen assignments of {who}"
    if name == "max_shifts_per_type":
        s = sp
        cap = cp.max_per_type[r][s]
        if cap == 0:
            return f"{who} may not work {cp.shift_label(s)} shifts"
        return f"{who}'s maximum of {cap} {cp.shift_label(s)} shifts"
    if sp >= 0:
        s, p = divmod(sp, cp.P)
        where = f"the {cp.shift_label(s)} shifts at {cp.post_label(p)}"
        if name == "cover":
            lows = [n.min for day in cp.need for n in [day[s][p]] if n is not None and n.min]
            need = sum(lows)
            return (
                f"the staff {where} need ({need} shift(s), {_hours(need * cp.minutes[s])} "
                "over the horizon)"
            )
        if name == "skills":
            return f"the skills {where} need"
        if name == "leadership":
            return f"a party member or cadre on each of {where}"
        return f"rule {name!r} on {where}"
    assert lim is not None
    words = {
        "unavailable": f"{who}'s days off ({len(cp.unavailable_days[r])} day(s))",
        "forbidden_succession": f"the forbidden shift successions for {who}",
        "min_rest": f"{who}'s minimum rest of {(lim.min_rest_minutes or 0) / 60:g} h",
        "max_consecutive": f"{who}'s maximum of {lim.max_consecutive} working days in a row",
        "min_consecutive": f"{who}'s minimum of {lim.min_consecutive} working days in a row",
        "min_days_off": f"{who}'s minimum of {lim.min_days_off} days off in a row",
        "max_weekends": f"{who}'s maximum of {lim.max_weekends} working weekends",
        "shift_requests": f"{who}'s shift requests (hard)",
    }
    if name == "total_minutes":
        parts = []
        if lim.min_minutes is not None:
            parts.append(f"minimum of {_hours(lim.min_minutes)}")
        if lim.max_minutes is not None:
            parts.append(f"maximum of {_hours(lim.max_minutes)}")
        return f"{who}'s {' and '.join(parts)}"
    return words.get(name, f"rule {name!r} for {who}")


def describe(cp: Compiled, rules: Sequence[Rule], core: Sequence[Group]) -> str:
    """One line: the rules and resources that cannot all hold (CP-SAT's proof)."""
    if not core:
        return "CP-SAT proved that the hard rules cannot all hold (no smaller cause found in time)"
    parts = [_group_words(cp, rules, g) for g in core]
    return "CP-SAT proved these cannot all hold together: " + "; ".join(parts)
