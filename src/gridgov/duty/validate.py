"""``validate`` and ``score``: every broken rule of a roster, in words, and its score."""

from __future__ import annotations

import attrs

from gridgov.duty.compiled import Compiled, RuleTable, as_compiled
from gridgov.duty.grid import to_grid
from gridgov.duty.model import Problem, Roster
from gridgov.duty.rules import bind_rules
from gridgov.duty.state import RosterState
from gridgov.duty.violation import Score, Violation

ONE_SHIFT = "one_shift_a_day"


@attrs.frozen
class Evaluation:
    """A roster's score and every violation behind it."""

    score: Score
    violations: tuple[Violation, ...]

    @property
    def hard_violations(self) -> tuple[Violation, ...]:
        """The violations of hard rules."""
        return tuple(v for v in self.violations if v.hard)


def evaluate(
    problem: Problem | Compiled, roster: Roster, *, rules: RuleTable | None = None
) -> Evaluation:
    """Score ``roster`` and list every violation.

    A resource with two assignments on one day breaks ``one_shift_a_day``
    (hard); only its first assignment that day counts for the other rules.
    ``rules`` is the rule table the problem's rule names are looked up in
    (default: a compiled problem's own, else the built-in rules).
    """
    cp = as_compiled(problem, rules)
    shifts, posts, extra = to_grid(cp, roster)
    state = RosterState(cp, bind_rules(cp), shifts, posts)
    violations: list[Violation] = []
    for a in extra:
        r = cp.r_index[a.resource]
        violations.append(
            Violation(
                ONE_SHIFT,
                True,
                1,
                f"{cp.labels[r]} has a second shift ({a.shift} at {a.post}) on {cp.date(a.day)}",
                resource=a.resource,
                day=a.day,
                shift=a.shift,
                post=a.post,
            )
        )
    violations.extend(state.violations())
    hard = state.hard + len(extra)
    return Evaluation(Score(hard, state.soft), tuple(violations))


def validate(
    problem: Problem | Compiled, roster: Roster, *, rules: RuleTable | None = None
) -> list[Violation]:
    """Every violation of ``roster`` against ``problem``'s rules (empty when all hold)."""
    return list(evaluate(problem, roster, rules=rules).violations)


def score(problem: Problem | Compiled, roster: Roster, *, rules: RuleTable | None = None) -> Score:
    """``Score(hard, soft)`` of ``roster``: hard is 0 when every hard rule holds."""
    return evaluate(problem, roster, rules=rules).score
