"""Built-in rules, one module per family, and how a problem's rules are bound.

``BUILTIN_RULES`` maps each rule name to its class. Plugins add rule classes by
name through the ``gridgov_rules`` hook, but the duty core never asks the plugin
manager: :func:`bind_rules` looks names up in the compiled problem's rule table
(``compile_problem(problem, rules=...)``; default :data:`BUILTIN_RULES`). Only
the edge (CLI, workspace) builds a table from the plugins
(:meth:`gridgov.plugins.Plugins.rule_table`) and passes it in.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from gridgov.duty.compiled import Compiled, RuleTable
from gridgov.duty.model import DEFAULT_RULES
from gridgov.duty.rules.availability import ShiftRequests, Unavailable
from gridgov.duty.rules.base import RESOURCE, ROSTER, SLOT, Rule, runs
from gridgov.duty.rules.consecutive import MaxConsecutive, MinConsecutive, MinDaysOff
from gridgov.duty.rules.continuity import Continuity
from gridgov.duty.rules.cover import Cover
from gridgov.duty.rules.fairness import Fairness
from gridgov.duty.rules.leadership import Leadership
from gridgov.duty.rules.locality import Locality
from gridgov.duty.rules.skills import Skills
from gridgov.duty.rules.succession import ForbiddenSuccession, MinRest
from gridgov.duty.rules.totals import MaxShiftsPerType, TotalMinutes
from gridgov.duty.rules.weekends import MaxWeekends
from gridgov.errors import InvalidInput, SourceProblem

BUILTIN_RULES: Mapping[str, type[Rule]] = MappingProxyType(
    {
        cls.name: cls
        for cls in (
            Unavailable,
            ShiftRequests,
            ForbiddenSuccession,
            MinRest,
            MaxConsecutive,
            MinConsecutive,
            MinDaysOff,
            MaxShiftsPerType,
            TotalMinutes,
            MaxWeekends,
            Cover,
            Leadership,
            Skills,
            Fairness,
            Continuity,
            Locality,
        )
    }
)
"""The built-in rule classes by name (read-only): the default rule table."""


def rule_types(cp: Compiled) -> RuleTable:
    """The rule table ``cp`` looks names up in: its own, or the built-ins."""
    return BUILTIN_RULES if cp.rule_types is None else cp.rule_types


def bind_rules(cp: Compiled) -> list[Rule]:
    """The problem's rules (or the defaults) bound to ``cp``; unknown names are errors.

    Names are looked up in ``cp``'s rule table (:func:`rule_types`), never in
    the plugin manager.
    """
    types = rule_types(cp)
    configs = cp.problem.rules or DEFAULT_RULES
    rules: list[Rule] = []
    errors: list[SourceProblem] = []
    for i, cfg in enumerate(configs):
        cls = types.get(cfg.name)
        if cls is None:
            have = ", ".join(sorted(types))
            errors.append(
                SourceProblem(f"unknown rule {cfg.name!r} (known: {have})", f"rules[{i}].name")
            )
            continue
        try:
            rules.append(cls(cp, hard=cfg.hard, weight=cfg.weight, params=cfg.params))
        except (TypeError, ValueError) as exc:
            errors.append(SourceProblem(str(exc), f"rules[{i}].params"))
    if errors:
        raise InvalidInput(errors)
    return rules


__all__ = [
    "BUILTIN_RULES",
    "RESOURCE",
    "ROSTER",
    "SLOT",
    "Continuity",
    "Cover",
    "Fairness",
    "ForbiddenSuccession",
    "Leadership",
    "Locality",
    "MaxConsecutive",
    "MaxShiftsPerType",
    "MaxWeekends",
    "MinConsecutive",
    "MinDaysOff",
    "MinRest",
    "Rule",
    "RuleTable",
    "ShiftRequests",
    "Skills",
    "TotalMinutes",
    "Unavailable",
    "bind_rules",
    "rule_types",
    "runs",
]
