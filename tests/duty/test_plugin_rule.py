"""A user's own rule, registered through a plugin and switched on by name."""

import datetime as dt
from collections.abc import Sequence

import pytest

from gridgov import hookimpl
from gridgov.duty import (
    Assignment,
    Dropout,
    Horizon,
    Post,
    Problem,
    Resource,
    Roster,
    Rule,
    RuleConfig,
    ShiftType,
    StaffNeed,
    evaluate,
    repair,
    score,
    solve,
    swap,
    validate,
)
from gridgov.duty.compiled import compile_problem
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


def test_plugin_rule_is_used_by_name_from_the_table_the_caller_passes() -> None:
    plugins = Plugins(load_entry_points=False)
    plugins.register(_Plugin(), name="mine")
    table = plugins.rule_table()
    rules = (RuleConfig("cover"), RuleConfig("no_nights_for_t0"))
    problem = _problem(rules)
    bad = Roster((Assignment("T0", 1, "N", "P"),))
    assert any(v.rule == "no_nights_for_t0" for v in validate(problem, bad, rules=table))
    assert (
        score(problem, bad, rules=table)
        == evaluate(compile_problem(problem, rules=table), bad).score
    )
    result = solve(problem, max_iterations=3000, time_limit=3600, seed=0, rules=table)
    assert result.score.hard == 0
    assert not any(a.resource == "T0" and a.shift == "N" for a in result.roster.assignments)
    # the forked portfolio workers get the table with the compiled problem
    many = solve(compile_problem(problem, rules=table), max_iterations=2000, workers=2, seed=1)
    assert many.score.hard == 0


def test_the_core_never_asks_the_shared_plugin_manager() -> None:
    """Even with the plugin made the shared manager, the core uses only the table given."""
    plugins = Plugins(load_entry_points=False)
    plugins.register(_Plugin(), name="mine")
    problem = _problem((RuleConfig("cover"), RuleConfig("no_nights_for_t0")))
    with use_plugins(plugins), pytest.raises(InvalidInput, match="unknown rule 'no_nights_for_t0'"):
        validate(problem, Roster())


def test_repair_and_swap_take_the_rule_table() -> None:
    plugins = Plugins(load_entry_points=False)
    plugins.register(_Plugin(), name="mine")
    table = plugins.rule_table()
    problem = _problem((RuleConfig("cover"), RuleConfig("no_nights_for_t0")))
    roster = Roster(
        tuple(Assignment("T0", d, "D", "P") for d in range(4))
        + tuple(Assignment("T1" if d < 2 else "T2", d, "N", "P") for d in range(4))
    )
    assert validate(problem, roster, rules=table) == []
    # T0 would take T1's night: the plugin rule says no
    verdict = swap(
        problem, roster, Assignment("T0", 0, "D", "P"), Assignment("T1", 0, "N", "P"), rules=table
    )
    assert not verdict.ok and {v.rule for v in verdict.reasons} == {"no_nights_for_t0"}
    with pytest.raises(InvalidInput, match="unknown rule 'no_nights_for_t0'"):
        swap(problem, roster, Assignment("T0", 0, "D", "P"), Assignment("T1", 0, "N", "P"))
    fixed = repair(problem, roster, Dropout("T1", 0), max_iterations=2000, rules=table)
    assert fixed.score.hard == 0
    assert not any(a.resource == "T0" and a.shift == "N" for a in fixed.roster.assignments)
    with pytest.raises(InvalidInput, match="unknown rule 'no_nights_for_t0'"):
        repair(problem, roster, Dropout("T1", 0), max_iterations=10)


def test_unknown_rule_name_is_an_error() -> None:
    with pytest.raises(InvalidInput, match="unknown rule 'nope'"):
        validate(_problem((RuleConfig("nope"),)), Roster())


def test_the_cli_passes_the_plugins_rule_table(tmp_path, capsys) -> None:
    """The edge (``gridgov roster check``/``swap``) asks the plugin manager and passes the table."""
    from gridgov.cli import main
    from gridgov.duty.formats import native
    from gridgov.duty.formats.roster_csv import roster_csv_text

    plugins = Plugins(load_entry_points=False)
    plugins.register(_Plugin(), name="mine")
    problem = _problem((RuleConfig("cover"), RuleConfig("no_nights_for_t0")))
    (tmp_path / "p.json").write_text(native.dumps(problem), encoding="utf-8")
    bad = Roster((Assignment("T0", 1, "N", "P"),))
    (tmp_path / "r.csv").write_text(roster_csv_text(bad), encoding="utf-8")
    args = ["roster", "check", str(tmp_path / "p.json"), str(tmp_path / "r.csv"), "--json"]
    with use_plugins(plugins):
        assert main(args) == 1
    out = capsys.readouterr().out
    assert "no_nights_for_t0" in out
    # without the plugin the rule name is unknown: a one-line error, no traceback
    with use_plugins(Plugins(load_entry_points=False)):
        assert main(args) == 1
    assert "unknown rule 'no_nights_for_t0'" in capsys.readouterr().err


def test_a_rule_name_two_plugins_register_is_reported_naming_both(tmp_path, capsys) -> None:
    from gridgov.cli import main
    from gridgov.duty.formats import native
    from gridgov.duty.formats.roster_csv import roster_csv_text

    plugins = Plugins(load_entry_points=False)
    plugins.register(_Plugin(), name="mine")
    plugins.register(_Plugin(), name="theirs")
    problem = _problem((RuleConfig("cover"), RuleConfig("no_nights_for_t0")))
    (tmp_path / "p.json").write_text(native.dumps(problem), encoding="utf-8")
    (tmp_path / "r.csv").write_text(roster_csv_text(Roster()), encoding="utf-8")
    with use_plugins(plugins):
        code = main(["roster", "check", str(tmp_path / "p.json"), str(tmp_path / "r.csv")])
    err = capsys.readouterr().err
    assert code == 1 and "'no_nights_for_t0' is disabled" in err and "mine" in err
    assert "Traceback" not in err
