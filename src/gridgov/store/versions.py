"""What every store does around its database when visits are appended.

A store rejects visits of an unknown sweep or household, turns every other
visit into a *version row* (its digest and instant from the intake,
:mod:`gridgov.sweep.intake`), lets its database insert the rows (deciding
there which ids and versions are new), and reports the batch with
:func:`append_result`. The decisions are the intake's; this module only
carries them between the intake and the backends.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from typing import NamedTuple

from gridgov.store.port import (
    AppendResult,
    Rejected,
    StoredVersion,
    StoreError,
    VisitConflict,
    VisitVersions,
)
from gridgov.sweep.intake import ACCEPTED, CONFLICT, VersionKey, append_fates, visit_digest
from gridgov.sweep.model import Sweep, Visit
from gridgov.sweep.rules import CODE_BY_ID, TimeRule


class VersionRow(NamedTuple):
    """One visit as a store keeps it: the columns the SQL roll-up reads, and the visit."""

    sweep: str
    id: str
    digest: str
    household: str
    t_us: int | None
    """The instant on the sweep's time line (µs); ``None`` when it cannot be placed."""
    code: int
    """The outcome's code (:data:`gridgov.sweep.rules.CODE_OUTCOMES`)."""
    persons: int
    returnees: int
    visit: Visit

    @property
    def key(self) -> VersionKey:
        """``(sweep, id, digest)``."""
        return (self.sweep, self.id, self.digest)


def time_rule(sweep: Sweep) -> TimeRule:
    """The sweep's time rule; a sweep whose window mixes naive and aware is a store error."""
    try:
        return TimeRule.of(sweep)
    except ValueError as exc:
        raise StoreError(str(exc)) from None


def prepare(
    batch: Iterable[Visit], sweeps: Mapping[str, Sweep], households: Container[str]
) -> tuple[list[VersionRow], list[Rejected]]:
    """Version rows of the visits that can be stored, and the rejected rest."""
    rules: dict[str, TimeRule] = {}
    rows: list[VersionRow] = []
    rejected: list[Rejected] = []
    for v in batch:
        if v.household not in households:
            rejected.append(Rejected(v, f"unknown household {v.household!r}"))
            continue
        sweep = sweeps.get(v.sweep)
        if sweep is None:
            rejected.append(Rejected(v, f"unknown sweep {v.sweep!r}"))
            continue
        rule = rules.get(v.sweep)
        if rule is None:
            rule = rules[v.sweep] = time_rule(sweep)
        d, t = visit_digest(v, rule)
        rows.append(
            VersionRow(
                v.sweep,
                v.id,
                d,
                v.household,
                t,
                CODE_BY_ID[id(v.outcome)],
                v.persons_seen,
                v.returnees,
                v,
            )
        )
    return rows, rejected


def append_result(
    rows: Sequence[VersionRow],
    rejected: list[Rejected],
    new_ids: set[tuple[str, str]],
    new_versions: set[VersionKey],
    earlier: Callable[[set[tuple[str, str]]], dict[tuple[str, str], list[tuple[str, Visit]]]],
) -> AppendResult:
    """The batch's report from the database's decisions (see :func:`append_fates`).

    ``earlier(pairs)`` gives the stored versions ``[(digest, visit)]`` (oldest first) of
    ``(sweep, id)`` pairs; it is asked only about ids with a conflict (the versions
    this batch inserted are set aside: each conflict names an older version).
    """
    return append_report(
        [r.key for r in rows], lambda i: rows[i].visit, rejected, new_ids, new_versions, earlier
    )


def append_counts(
    n: int, new_ids: int, new_versions: int, rejected: list[Rejected]
) -> AppendResult | None:
    """The report of a batch of ``n`` versions from the database's counts alone, when they
    settle it: nothing new (every visit already stored) or every visit new, once;
    ``None`` when the exact sets must be asked for (:func:`append_report`)."""
    if new_versions == 0:
        return AppendResult(0, n, (), tuple(rejected))
    if new_ids == new_versions == n:
        return AppendResult(n, 0, (), tuple(rejected))
    return None


def append_report(
    keys: Sequence[VersionKey],
    visit_of: Callable[[int], Visit],
    rejected: list[Rejected],
    new_ids: set[tuple[str, str]],
    new_versions: set[VersionKey],
    earlier: Callable[[set[tuple[str, str]]], dict[tuple[str, str], list[tuple[str, Visit]]]],
) -> AppendResult:
    """:func:`append_result` over version keys; ``visit_of(i)`` makes the visit of row ``i``
    (asked only for the rows a conflict names)."""
    counted = append_counts(len(keys), len(new_ids), len(new_versions), rejected)
    if counted is not None:
        return counted
    fates = append_fates(keys, new_ids, new_versions)
    added = sum(1 for f in fates if f == ACCEPTED)
    pending = [i for i, f in enumerate(fates) if f == CONFLICT]
    conflicts: list[VisitConflict] = []
    if pending:
        pairs = {(keys[i][0], keys[i][1]) for i in pending}
        stored = earlier(pairs)
        seen: dict[tuple[str, str], list[tuple[str, int]]] = {}
        for i, (sweep, vid, d) in enumerate(keys):
            pair = (sweep, vid)
            if pair not in pairs:
                continue
            if fates[i] == CONFLICT:
                old = [(od, v) for od, v in stored.get(pair, []) if (*pair, od) not in new_versions]
                other = next((v for od, v in old if od != d), None)
                if other is None:
                    other = visit_of(next(j for od, j in seen.get(pair, []) if od != d))
                conflicts.append(VisitConflict(vid, other, visit_of(i)))
            seen.setdefault(pair, []).append((d, i))
    duplicates = len(keys) - added - len(conflicts)
    return AppendResult(added, duplicates, tuple(conflicts), tuple(rejected))


def check_same_zone(old: Sweep, rule: TimeRule) -> None:
    """Refuse to change the time zone of a sweep that has visits (their instants would move)."""
    if time_rule(old).zone != rule.zone:
        raise StoreError(
            f"sweep {old.id!r} has visits: its time zone cannot change "
            "(naive visit times were read in it)"
        )


def check_keep(stored: VisitVersions | None, sweep: str, visit_id: str, keep: int) -> StoredVersion:
    """The version ``keep`` of a stored visit id, or a :class:`StoreError` saying why not."""
    if stored is None:
        raise StoreError(f"sweep {sweep!r} has no visit {visit_id!r}")
    for version in stored.versions:
        if version.number == keep:
            return version
    raise StoreError(
        f"visit {visit_id!r} has versions 1-{len(stored.versions)}; there is no version {keep}"
    )
