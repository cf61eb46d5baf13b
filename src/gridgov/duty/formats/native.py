"""gridgov's own problem files: JSON or TOML, the shape of :class:`~gridgov.duty.model.Problem`.

Days may be written as day indexes or as ISO dates (``"2026-12-03"``) in
``unavailable``, ``requests[].day`` and ``needs[].days``; times as ``"22:00"``.
Unknown keys, wrong types and dangling references are errors that name the
field, e.g. ``problem.json: $.resources[3].limits.max_minutes: invalid value``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs

from gridgov.duty.compiled import check_problem
from gridgov.duty.model import Problem
from gridgov.errors import InvalidInput, SourceProblem
from gridgov.serialize import structure, unstructure


def _day(
    value: Any, start: dt.date | None, field: str, errors: list[SourceProblem], file: str | None
) -> Any:
    if isinstance(value, dt.date):
        value = value.isoformat()
    if isinstance(value, str) and start is not None:
        try:
            return (dt.date.fromisoformat(value) - start).days
        except ValueError:
            errors.append(
                SourceProblem(
                    f"expected a day index or an ISO date, got {value!r}", field, file=file
                )
            )
    return value


def _dates_to_days(data: Any, file: str | None) -> Any:
    """Turn ISO dates in day fields into indexes (in place on a copy of plain data)."""
    if not isinstance(data, dict):
        return data
    errors: list[SourceProblem] = []
    start = None
    horizon = data.get("horizon")
    if isinstance(horizon, dict):
        raw = horizon.get("start")
        if isinstance(raw, dt.date):
            horizon["start"] = raw.isoformat()
            raw = horizon["start"]
        if isinstance(raw, str):
            try:
                start = dt.date.fromisoformat(raw)
            except ValueError:
                start = None
    for i, res in enumerate(data.get("resources") or []):
        if not isinstance(res, dict):
            continue
        if isinstance(res.get("unavailable"), list):
            res["unavailable"] = [
                _day(v, start, f"$.resources[{i}].unavailable[{j}]", errors, file)
                for j, v in enumerate(res["unavailable"])
            ]
        for j, q in enumerate(res.get("requests") or []):
            if isinstance(q, dict) and "day" in q:
                q["day"] = _day(
                    q["day"], start, f"$.resources[{i}].requests[{j}].day", errors, file
                )
    for i, post in enumerate(data.get("posts") or []):
        if not isinstance(post, dict):
            continue
        for j, need in enumerate(post.get("needs") or []):
            if isinstance(need, dict) and isinstance(need.get("days"), list):
                need["days"] = [
                    _day(v, start, f"$.posts[{i}].needs[{j}].days[{k}]", errors, file)
                    for k, v in enumerate(need["days"])
                ]
    for s in data.get("shifts") or []:
        if isinstance(s, dict) and isinstance(s.get("start"), dt.time):
            s["start"] = s["start"].strftime("%H:%M")
    if errors:
        raise InvalidInput(errors)
    return data


def from_data(data: Any, *, file: str | None = None) -> Problem:
    """A checked :class:`Problem` from parsed JSON/TOML data; every error at once."""
    if not isinstance(data, dict):
        raise InvalidInput(
            [SourceProblem("expected an object with horizon, shifts, posts, resources", file=file)]
        )
    problem = structure(_dates_to_days(data, file), Problem, file=file)
    errors = [
        attrs.evolve(e, field=f"$.{e.field}") if e.field else e
        for e in check_problem(problem, file=file)
    ]
    if errors:
        raise InvalidInput(errors)
    return problem


def loads(text: str, *, file: str | None = None, toml: bool = False) -> Problem:
    """Parse a JSON (or TOML) problem text."""
    from gridgov.documents import load_json_text, load_toml_text

    data = load_toml_text(text, file=file) if toml else load_json_text(text, file=file)
    return from_data(data, file=file)


def load(path: str | Path) -> Problem:
    """Read a ``.json`` or ``.toml`` problem file."""
    p = Path(path)
    from gridgov.utf8 import read_utf8

    return loads(read_utf8(p), file=str(p), toml=p.suffix.lower() == ".toml")


def dumps(problem: Problem, *, indent: int | None = 1) -> str:
    """The problem as JSON text that :func:`loads` reads back to an equal value."""
    return json.dumps(unstructure(problem), indent=indent, ensure_ascii=False)
