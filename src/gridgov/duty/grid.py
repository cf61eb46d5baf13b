"""Converting between a :class:`Roster` of assignments and the solver's grid."""

from __future__ import annotations

from gridgov.duty.compiled import OFF, Compiled
from gridgov.duty.model import Assignment, Roster
from gridgov.errors import InvalidInput, SourceProblem


def to_grid(
    cp: Compiled, roster: Roster, *, file: str | None = None, first_row: int = 1
) -> tuple[list[list[int]], list[list[int]], list[Assignment]]:
    """The grid of ``roster`` plus the assignments that did not fit (a second shift a day).

    Unknown resources, shifts or posts and days outside the horizon raise
    :class:`InvalidInput`, one error per bad assignment, located in ``file`` with
    assignment ``i`` on row ``first_row + i``.
    """
    shifts = [[OFF] * cp.D for _ in range(cp.R)]
    posts = [[OFF] * cp.D for _ in range(cp.R)]
    extra: list[Assignment] = []
    errors: list[SourceProblem] = []
    single_post = cp.post_ids[0] if cp.P == 1 else None
    for i, a in enumerate(roster.assignments):
        r = cp.r_index.get(a.resource)
        s = cp.s_index.get(a.shift)
        p = cp.p_index.get(a.post if a.post or single_post is None else single_post)
        if r is None:
            errors.append(
                SourceProblem(
                    f"unknown resource {a.resource!r}", "resource", row=first_row + i, file=file
                )
            )
        if s is None:
            errors.append(
                SourceProblem(
                    f"unknown shift type {a.shift!r}", "shift", row=first_row + i, file=file
                )
            )
        if p is None:
            errors.append(
                SourceProblem(f"unknown post {a.post!r}", "post", row=first_row + i, file=file)
            )
        if not 0 <= a.day < cp.D:
            errors.append(
                SourceProblem(
                    f"day {a.day} is outside the horizon (0..{cp.D - 1})",
                    "day",
                    row=first_row + i,
                    file=file,
                )
            )
            continue
        if r is None or s is None or p is None:
            continue
        if shifts[r][a.day] >= 0:
            extra.append(a)
            continue
        shifts[r][a.day] = s
        posts[r][a.day] = p
    if errors:
        raise InvalidInput(errors)
    return shifts, posts, extra


def from_grid(cp: Compiled, shifts: list[list[int]], posts: list[list[int]]) -> Roster:
    """The roster of a grid, sorted by resource, day."""
    out = []
    for r in range(cp.R):
        rid = cp.res_ids[r]
        for d in range(cp.D):
            s = shifts[r][d]
            if s >= 0:
                out.append(Assignment(rid, d, cp.shift_ids[s], cp.post_ids[posts[r][d]]))
    return Roster(tuple(out))
