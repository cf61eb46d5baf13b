"""Issue 12: solver progress reports the improvements of the final phases too."""

from __future__ import annotations

from gridgov.duty.solver.local import solve
from gridgov.duty.violation import Score
from gridgov.examples.duty import reference_duty


def test_the_last_progress_report_is_the_result() -> None:
    problem = reference_duty(seed=0, scale=0.05)
    seen: list[Score] = []
    result = solve(
        problem, max_iterations=20, seed=1, workers=1, progress=lambda i, s: seen.append(s)
    )
    # the row re-plans and the hard-rule polish after the annealing improve on it here;
    # they used to be silent (no report at all, or a last report above the result)
    assert seen, "no progress reported"
    assert seen[-1] == result.score
