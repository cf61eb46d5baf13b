"""A user's own rule, registered through a plugin and switched on by name."""

import datetime as dt
from collections.abc import Sequence

import pytest

from gridgov import hookimpl
from gridgov.duty import (
    Assignment,
    Horizon,
    Post,
    Problem,
    Resource,
    Roster,
    Rule,
    RuleConfig,
    ShiftType,
    StaffNeed,
    solve,
    validate,
)
from gridgov.errors import InvalidInput
from gridgov.plugins import Plugins, use_plugins


class NoNightsForT0(Rule):
    name = "no_nights_for_t0"
    scope = "resource"

    def resource_cost(self, r: int, shifts: Sequence[int], posts: Sequence[int], out):
        if self.cp.res_ids[r] != "T0":
            return (0, 0)
        n = 0
        for d, s in enumerate(shifts):
            if s >= 0 and self.cp.night[s]:
                n += 1
                if out is not None:
                    out.append(
                        self.violation(1, f"T0 works a night on {self.cp.date(d)}", r=r, d=d)
                    )
        return self.cost(n)


class _Plugin:
    @hookimpl
    def gridgov_rules(self, register) -> None:
        register("no_nights_for_t0", NoNightsForT0)


def _problem(rules) -> Problem:
    return Problem(
        Horizon(dt.date(2026, 12, 1), 4),
        (ShiftType("D", 480, dt.time(8)), ShiftType("N", 480, dt.time(23), night=True)),
        (Post("P", needs=(StaffNeed("D", min=1, max=1), StaffNeed("N", min=1, max=1))),),
        (Resource("T0"), Resource("T1"), Resource("T2")),
        rules=rules,
    )


def test_plugin_rule_is_used_by_name() -> None:
    plugins = Plugins(load_entry_points=False)
    plugins.register(_Plugin(), name="mine")
    rules = (RuleConfig("cover"), RuleConfig("no_nights_for_t0"))
    with use_plugins(plugins):
        problem = _problem(rules)
        bad = Roster((Assignment("T0", 1, "N", "P"),))
        assert any(v.rule == "no_nights_for_t0" for v in validate(problem, bad))
        result = solve(problem, max_iterations=3000, time_limit=3600, seed=0)
        assert result.score.hard == 0
        assert not any(a.resource == "T0" and a.shift == "N" for a in result.roster.assignments)


def test_unknown_rule_name_is_an_error() -> None:
    with pytest.raises(InvalidInput, match="unknown rule 'nope'"):
        validate(_problem((RuleConfig("nope"),)), Roster())
