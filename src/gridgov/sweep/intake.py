"""The one intake: what a visit *is*, and what becomes of it.

Batch coverage (:func:`gridgov.sweep.coverage`), the CSV fast path, the
incremental :class:`~gridgov.sweep.CoverageTracker` and every store call this
module; none of them decides these things on its own.

**Placing.** A visit is *rejected*, with a reason, when its sweep is not the
sweep being counted (``belongs to another sweep``), its household is not on the
register (``unknown household``) or lies outside the sweep's scope, or its time
cannot be placed in the sweep's window (before, after, or an offset time in a
naive sweep; see :mod:`gridgov.sweep.rules`). A store, which holds many sweeps,
rejects a visit of an ``unknown sweep`` or ``unknown household`` at once and
keeps every other one; the others are left out when its coverage is counted.

**Identity.** Two uploads with the same id are the same visit when their
*content* is equal: sweep, household, the time *as an instant* (``08:00+08:00``
and ``00:00Z`` are one time; a naive time is read in the sweep's zone), visitor,
outcome, persons seen and registered, note, returnees and residents seen.
:func:`identity` is that content; :func:`digest` a stable text of it that
stores keep beside every version.

**Fate.** Among the placed versions of one visit id: one content counts once
(every exact repeat is a *duplicate*); two or more contents are a *conflict*,
and no version counts, until a coordinator *resolves* it by naming the version
to keep (:func:`counted_version`). Every version is kept: nothing a field
worker sent is lost. The order in which versions arrive never matters.

:func:`offer` is the hot path over plain rows (ids and content keys, no
objects): a columnar engine can replace it with an array version and be
property-tested against it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable, Iterable, Sequence
from typing import Any, TypeVar

from gridgov.sweep.frame import HouseholdFrame
from gridgov.sweep.model import Visit
from gridgov.sweep.rules import (
    REASON_OTHER_SWEEP,
    REASON_OUT_OF_SCOPE,
    REASON_UNKNOWN_HOUSEHOLD,
    TimeRule,
)

ACCEPTED = "accepted"
"""The first version of a visit id."""
DUPLICATE = "duplicate"
"""An exact repeat of a version already seen."""
CONFLICT = "conflict"
"""A version with another content than an earlier version of the same id."""
REJECTED = "rejected"

NEW, REPEAT, OTHER = 0, 1, 2
""":func:`offer` codes: a new id, a repeated version, a new version of a known id."""

VisitKey = tuple[Any, ...]
K = TypeVar("K", bound=Hashable)
"""A version's key: a :data:`VisitKey`, a digest, or an engine's row key."""


def place(frame: HouseholdFrame, visit: Visit) -> tuple[int, int] | str:
    """``(household number, time in µs)`` of a visit that can count, else why it cannot."""
    if visit.sweep != frame.sweep.id:
        return REASON_OTHER_SWEEP
    h = frame.index.get(visit.household)
    if h is None:
        return REASON_OUT_OF_SCOPE if visit.household in frame.outside else REASON_UNKNOWN_HOUSEHOLD
    t = frame.rule.place(visit.at)
    if isinstance(t, str):
        return t
    return h, t


def identity(visit: Visit, t: int | None) -> VisitKey:
    """The content that makes two uploads of one id the same visit (``t``: the instant in
    µs on the sweep's time line; ``None`` when the time cannot be placed, then the
    time's text stands for it)."""
    return (
        visit.sweep,
        visit.household,
        visit.at.isoformat() if t is None else t,
        visit.visitor,
        visit.outcome.value,
        visit.persons_seen,
        visit.persons_registered,
        visit.note,
        visit.returnees,
        visit.residents_seen,
    )


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


DIGEST_LENGTH = 32
"""Hexadecimal digits of a digest kept."""


def digest(key: VisitKey) -> str:
    """A stable text of an identity: the SHA-256 of its compact JSON (which escapes only
    quotes, backslashes and control characters, the same in every Python), shortened.

    The bulk ingest's array copy of this rule is :mod:`gridgov.sweep.intake_bulk`
    (property-tested equal, ``tests/test_intake_bulk.py``)."""
    data = _encode(key).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]


def visit_digest(visit: Visit, rule: TimeRule) -> tuple[str, int | None]:
    """``(digest, instant)`` of a visit under its sweep's time rule (``None``: unplaceable)."""
    t = rule.to_us(visit.at)
    placed = t if isinstance(t, int) else None
    return digest(identity(visit, placed)), placed


def render(visit: Visit) -> str:
    """A readable one-line rendering of a visit's content (for conflict reports)."""
    return (
        f"household={visit.household} at={visit.at.isoformat()} visitor={visit.visitor} "
        f"outcome={visit.outcome.value} persons={visit.persons_seen}"
        f"/{visit.persons_registered} returnees={visit.returnees} note={visit.note!r}"
    )


def counted_version(versions: Sequence[K], kept: K | None = None) -> K | None:
    """The counting policy for one visit id: which of its distinct ``versions`` counts.

    Without a resolution the only version counts, and none when there are
    several (a conflict). With a resolution (``kept``) exactly the kept
    version counts, and none when it is not among ``versions``.
    """
    if kept is not None:
        return kept if kept in versions else None
    return versions[0] if len(versions) == 1 else None


def offer(ids: Iterable[str], keys: Iterable[K], seen: dict[str, list[K]]) -> list[int]:
    """The intake's hot path over plain rows: each ``(id, key)`` in turn against ``seen``
    (``{id: [distinct keys]}``, updated): :data:`NEW`, :data:`REPEAT` or :data:`OTHER`."""
    out: list[int] = []
    append = out.append
    get = seen.get
    for vid, key in zip(ids, keys, strict=True):
        versions = get(vid)
        if versions is None:
            seen[vid] = [key]
            append(NEW)
        elif key in versions:
            append(REPEAT)
        else:
            versions.append(key)
            append(OTHER)
    return out


def fate(code: int, versions: int) -> str:
    """:data:`ACCEPTED`, :data:`DUPLICATE` or :data:`CONFLICT` for an :func:`offer` code."""
    if code == NEW:
        return ACCEPTED
    if code == REPEAT:
        return DUPLICATE if versions == 1 else CONFLICT
    return CONFLICT


VersionKey = tuple[str, str, str]
"""``(sweep, visit id, digest)``: one stored version."""


def append_fates(
    keys: Sequence[VersionKey], new_ids: set[tuple[str, str]], new_versions: set[VersionKey]
) -> list[str]:
    """What a store did with each version of a batch, given what its database decided.

    ``new_ids`` are the ``(sweep, id)`` the database saw for the first time in this
    transaction and ``new_versions`` the versions it inserted (both decided *inside*
    the database, so concurrent writers cannot both think a version is theirs). The
    first new version of a new id is :data:`ACCEPTED`, every other new version a
    :data:`CONFLICT`, anything not inserted a :data:`DUPLICATE`.
    """
    out: list[str] = []
    claimed: set[VersionKey] = set()
    firsts: set[tuple[str, str]] = set()
    for key in keys:
        if key in new_versions and key not in claimed:
            claimed.add(key)
            pair = (key[0], key[1])
            if pair in new_ids and pair not in firsts:
                firsts.add(pair)
                out.append(ACCEPTED)
            else:
                out.append(CONFLICT)
        else:
            out.append(DUPLICATE)
    return out
