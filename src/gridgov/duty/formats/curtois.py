"""The Curtois & Qu shift-scheduling benchmark format (schedulingbenchmarks.org "NRP" files).

:func:`load` turns an instance into a :class:`~gridgov.duty.model.Problem` whose
rules express the benchmark exactly: the hard constraints are hard rules, and
the score's soft part is the benchmark's objective (on requests + off
requests + weighted under/over cover). Every employee works at one post,
:data:`POST`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs

from gridgov.duty.model import (
    Horizon,
    Limits,
    Post,
    Problem,
    Resource,
    RuleConfig,
    ShiftRequest,
    ShiftType,
    StaffNeed,
)
from gridgov.errors import InvalidInput, SourceProblem

POST = "ward"
"""The single post of a benchmark instance."""

START = dt.date(2024, 1, 1)
"""A Monday: day 0 of every instance."""

RULES = (
    RuleConfig("unavailable"),
    RuleConfig("forbidden_succession"),
    RuleConfig("max_shifts_per_type"),
    RuleConfig("total_minutes"),
    RuleConfig("max_consecutive"),
    RuleConfig("min_consecutive"),
    RuleConfig("min_days_off"),
    RuleConfig("max_weekends"),
    RuleConfig("shift_requests", hard=False, weight=1),
    RuleConfig("cover", hard=True),
)
"""The benchmark's rules; cover has no hard minimum, so only its weights count."""

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


@attrs.define
class _Staff:
    limits: Limits
    off: list[int] = attrs.field(factory=list)
    req: list[ShiftRequest] = attrs.field(factory=list)


class _Reader:
    def __init__(self, file: str | None) -> None:
        self.file = file
        self.errors: list[SourceProblem] = []

    def err(self, row: int, field: str, message: str) -> None:
        self.errors.append(SourceProblem(message, field=field, row=row, file=self.file))

    def int(self, row: int, field: str, text: str, *, minimum: int = 0) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            self.err(row, field, f"expected a whole number, got {text.strip()!r}")
            return 0
        if value < minimum:
            self.err(row, field, f"must be >= {minimum}, got {value}")
        return value


def _horizon(rd: _Reader, rows: list[tuple[int, list[str]]]) -> int:
    """The horizon's number of days, or 0 (with an error recorded) when it is not valid."""
    if not rows:
        return 0
    row, cols = rows[0]
    known = len(rd.errors)
    days = rd.int(row, "horizon", cols[0], minimum=1)
    return days if len(rd.errors) == known else 0


def loads(text: str, *, file: str | None = None, name: str = "") -> Problem:
    """Parse an instance; every error is raised at once, naming row and field."""
    rd = _Reader(file)
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current: str | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            current = None
            continue
        if line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                rd.err(lineno, "section", f"unknown section {line!r}")
                current = None
                continue
            current = line
            sections.setdefault(line, [])
            continue
        if current is None:
            rd.err(lineno, "section", f"data outside any section: {line[:40]!r}")
            continue
        sections[current].append((lineno, [c.strip() for c in line.split(",")]))
    missing = [
        s for s in ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF") if not sections.get(s)
    ]
    for sec in missing:
        rd.err(1, sec, "section missing or empty")
    # A bad horizon is reported even beside missing sections; 0 stands for "no
    # valid horizon", against which day ranges are not checked (no knock-on errors).
    days = _horizon(rd, sections.get("SECTION_HORIZON", []))
    if missing:
        raise InvalidInput(rd.errors)

    shift_rows: list[tuple[int, str, int, list[str]]] = []
    for row, cols in sections["SECTION_SHIFTS"]:
        if len(cols) < 2:
            rd.err(row, "shift", "expected ShiftID, minutes, cannot-follow")
            continue
        minutes = rd.int(row, "minutes", cols[1], minimum=1)
        nxt = [t for t in (cols[2].split("|") if len(cols) > 2 else []) if t]
        shift_rows.append((row, cols[0], minutes, nxt))
    shift_ids = {sid for _, sid, _, _ in shift_rows}
    shifts = []
    for row, sid, minutes, nxt in shift_rows:
        for t in nxt:
            if t not in shift_ids:
                rd.err(row, "cannot_follow", f"unknown shift {t!r}")
        shifts.append(ShiftType(sid, max(minutes, 1), forbidden_next=tuple(nxt)))

    staff: dict[str, _Staff] = {}
    order: list[str] = []
    fields = (
        "max_total_minutes",
        "min_total_minutes",
        "max_consecutive_shifts",
        "min_consecutive_shifts",
        "min_consecutive_days_off",
        "max_weekends",
    )
    for row, cols in sections["SECTION_STAFF"]:
        if len(cols) != 8:
            rd.err(row, "staff", f"expected 8 columns, got {len(cols)}")
            continue
        eid = cols[0]
        if eid in staff:
            rd.err(row, "ID", f"duplicate employee {eid!r}")
            continue
        max_shifts: dict[str, int] = {}
        for part in filter(None, cols[1].split("|")):
            sid, _, value = part.partition("=")
            if sid not in shift_ids:
                rd.err(row, "MaxShifts", f"unknown shift {sid!r}")
                continue
            max_shifts[sid] = rd.int(row, "MaxShifts", value)
        vals = [rd.int(row, f, c) for f, c in zip(fields, cols[2:], strict=True)]
        staff[eid] = _Staff(
            Limits(
                max_shifts=max_shifts,
                max_minutes=vals[0],
                min_minutes=vals[1],
                max_consecutive=vals[2],
                min_consecutive=vals[3],
                min_days_off=vals[4],
                max_weekends=vals[5],
            )
        )
        order.append(eid)

    def employee(row: int, eid: str) -> _Staff | None:
        if eid not in staff:
            rd.err(row, "EmployeeID", f"unknown employee {eid!r}")
            return None
        return staff[eid]

    def day(row: int, text: str) -> int:
        d = rd.int(row, "Day", text)
        if days and not 0 <= d < days:  # days == 0: the horizon itself is wrong
            rd.err(row, "Day", f"day {d} is outside the horizon (0..{days - 1})")
        return d

    for row, cols in sections.get("SECTION_DAYS_OFF", []):
        e = employee(row, cols[0])
        if e is not None:
            e.off.extend(day(row, c) for c in cols[1:] if c)
    for sec, on in (("SECTION_SHIFT_ON_REQUESTS", True), ("SECTION_SHIFT_OFF_REQUESTS", False)):
        for row, cols in sections.get(sec, []):
            if len(cols) != 4:
                rd.err(row, "request", f"expected 4 columns, got {len(cols)}")
                continue
            e = employee(row, cols[0])
            d = day(row, cols[1])
            if cols[2] not in shift_ids:
                rd.err(row, "ShiftID", f"unknown shift {cols[2]!r}")
                continue
            w = rd.int(row, "Weight", cols[3])
            if e is not None:
                e.req.append(ShiftRequest(d, cols[2], w, on=on))
    needs = []
    for row, cols in sections.get("SECTION_COVER", []):
        if len(cols) != 5:
            rd.err(row, "cover", f"expected 5 columns, got {len(cols)}")
            continue
        d = day(row, cols[0])
        if cols[1] not in shift_ids:
            rd.err(row, "ShiftID", f"unknown shift {cols[1]!r}")
            continue
        req_n = rd.int(row, "Requirement", cols[2])
        wu = rd.int(row, "WeightUnder", cols[3])
        wo = rd.int(row, "WeightOver", cols[4])
        needs.append(StaffNeed(cols[1], 0, None, req_n, wu, wo, days=(d,)))
    if rd.errors:
        raise InvalidInput(rd.errors)
    resources = []
    for eid in order:
        e = staff[eid]
        resources.append(
            Resource(
                eid,
                kind="person",
                limits=e.limits,
                unavailable=tuple(sorted(set(e.off))),
                requests=tuple(e.req),
            )
        )
    return Problem(
        horizon=Horizon(START, days),
        shifts=tuple(shifts),
        posts=(Post(POST, kind="ward", needs=tuple(needs)),),
        resources=tuple(resources),
        rules=RULES,
        name=name,
    )


def load(path: str | Path) -> Problem:
    """Read an instance file (see :func:`loads`)."""
    p = Path(path)
    from gridgov.utf8 import read_utf8

    return loads(read_utf8(p), file=str(p), name=p.stem)


def dumps(problem: Problem) -> str:
    """The instance text of a benchmark-shaped ``problem`` (one post, per-day cover needs,
    every limit set): :func:`loads` reads it back to an equal problem. CRLF line ends."""
    lines = ["# written by gridgov", "SECTION_HORIZON", str(problem.horizon.days), ""]
    lines += ["SECTION_SHIFTS"]
    for s in problem.shifts:
        lines.append(f"{s.id},{s.minutes},{'|'.join(s.forbidden_next)}")
    lines += ["", "SECTION_STAFF"]
    for r in problem.resources:
        lim = r.limits.over(problem.defaults)
        caps = "|".join(f"{k}={v}" for k, v in lim.max_shifts.items())
        nums = (
            lim.max_minutes,
            lim.min_minutes,
            lim.max_consecutive,
            lim.min_consecutive,
            lim.min_days_off,
            lim.max_weekends,
        )
        lines.append(",".join([r.id, caps, *(str(v or 0) for v in nums)]))
    lines += ["", "SECTION_DAYS_OFF"]
    with_off = [r for r in problem.resources if r.unavailable]
    lines += [",".join([r.id, *map(str, r.unavailable)]) for r in with_off]
    for title, on in (("SECTION_SHIFT_ON_REQUESTS", True), ("SECTION_SHIFT_OFF_REQUESTS", False)):
        lines += ["", title]
        for r in problem.resources:
            for q in r.requests:
                if q.on == on and q.shift is not None:
                    lines.append(f"{r.id},{q.day},{q.shift},{q.weight}")
    lines += ["", "SECTION_COVER"]
    for post in problem.posts[:1]:
        for n in post.needs:
            for d in n.days:
                lines.append(f"{d},{n.shift},{n.target or 0},{n.weight_under},{n.weight_over}")
    lines.append("")
    return "\r\n".join(lines)
