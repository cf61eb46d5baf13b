"""Domain events about rosters, built so that no person's name leaks into them.

An event's ``summary`` is sent as it is on every channel; only its
``personal`` facts are masked per channel. :func:`violation_events` therefore
words each violation from the masked view of the problem
(:func:`gridgov.duty.privacy.masked`) and puts the person's name, if any, in
``personal`` only.
"""

from __future__ import annotations

import datetime as dt

from gridgov.duty.compiled import RuleTable
from gridgov.duty.model import Problem, Roster
from gridgov.duty.privacy import masked
from gridgov.duty.validate import evaluate
from gridgov.events import Event, rule_violation


def violation_events(
    problem: Problem,
    roster: Roster,
    *,
    roster_id: str,
    unit: str,
    at: dt.datetime,
    hard_only: bool = True,
    secret: bytes,
    rules: RuleTable | None = None,
) -> list[Event]:
    """One ``rule-violation`` event per violation of ``roster`` (hard ones only by default).

    The detail names people masked (``Z** (K01)``) whatever the channel; the
    person's full name goes in ``personal["person_name"]``, which channels
    mask unless configured with ``mask = false``. ``at`` is the caller's
    clock reading; ``secret`` keys the event ids (the workspace's,
    :meth:`gridgov.workspace.Workspace.secret`); ``rules`` the rule table (default:
    the built-in rules).
    """
    names = {r.id: r.name for r in problem.resources if r.kind == "person" and r.name}
    found = evaluate(masked(problem), roster, rules=rules).violations
    return [
        rule_violation(
            roster=roster_id,
            rule=v.rule,
            unit=unit,
            at=at,
            detail=v.message,
            person_name=names.get(v.resource or "", ""),
            secret=secret,
        )
        for v in found
        if v.hard or not hard_only
    ]


__all__ = ["violation_events"]
