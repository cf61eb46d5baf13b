"""Check a requested swap of two assignments against the rules: yes, or why not."""

from __future__ import annotations

import attrs

from gridgov.duty.compiled import Compiled, RuleTable, as_compiled
from gridgov.duty.model import Assignment, Problem, Roster
from gridgov.duty.validate import evaluate
from gridgov.duty.violation import Violation
from gridgov.errors import InvalidInput, SourceProblem


@attrs.frozen
class SwapVerdict:
    """``ok`` when the swap breaks no hard rule that held before; ``reasons`` when not."""

    ok: bool
    roster: Roster
    reasons: tuple[Violation, ...] = ()
    soft_delta: int = 0

    def __str__(self) -> str:
        if self.ok:
            return "yes" + (f" (soft penalty {self.soft_delta:+d})" if self.soft_delta else "")
        return "no: " + "; ".join(v.message for v in self.reasons)


def _key(v: Violation) -> tuple[object, ...]:
    return (v.rule, v.resource, v.day, v.shift, v.post, v.message)


def swap(
    problem: Problem | Compiled,
    roster: Roster,
    a: Assignment,
    b: Assignment,
    *,
    rules: RuleTable | None = None,
) -> SwapVerdict:
    """Let ``a.resource`` take ``b``'s shift and ``b.resource`` take ``a``'s.

    The verdict is *no* when the swapped roster breaks a hard rule that the
    current roster keeps (the reasons are those new violations); ``roster`` in
    the verdict is the swapped roster either way. Two assignments of one
    resource exchange nothing: the verdict is *yes*, the roster unchanged.
    ``rules`` is the rule table (default: a compiled problem's own, else the
    built-in rules).
    """
    have = set(roster.assignments)
    errors = [
        SourceProblem(f"{x.resource} does not work {x.shift} at {x.post} on day {x.day}", name)
        for name, x in (("a", a), ("b", b))
        if x not in have
    ]
    if errors:
        raise InvalidInput(errors)
    if a.resource == b.resource:
        return SwapVerdict(True, roster)
    rest = [x for x in roster.assignments if x not in (a, b)]
    swapped = Roster(
        (
            *rest,
            Assignment(a.resource, b.day, b.shift, b.post),
            Assignment(b.resource, a.day, a.shift, a.post),
        )
    )
    cp = as_compiled(problem, rules)
    old = evaluate(cp, roster)
    new = evaluate(cp, swapped)
    known = {_key(v) for v in old.violations if v.hard}
    reasons = tuple(v for v in new.violations if v.hard and _key(v) not in known)
    ok = not reasons and new.score.hard <= old.score.hard
    return SwapVerdict(ok, swapped, reasons, new.score.soft - old.score.soft)
