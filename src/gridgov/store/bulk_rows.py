"""One batch of a checked visit file as a store's version rows, built in columns.

The bulk copy of :func:`gridgov.store.versions.prepare`: visits of an unknown
household, then of an unknown sweep, are rejected (in that order, with the same
reasons); every other row gets its instant under its sweep's time rule, its
digest (:mod:`gridgov.sweep.intake_bulk`, the intake's rule over columns) and
its stored document (the text :func:`gridgov.store.codec.doc` writes), all as
array operations. Property-tested equal to the reference
(``StoreContract.test_bulk_append_equals_append_visits``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gridgov._arrow import encode, from_numpy, strings
from gridgov.store.port import Rejected
from gridgov.store.versions import time_rule
from gridgov.store.visit_columns import VisitColumns, doc_texts
from gridgov.sweep.intake import DIGEST_LENGTH, VersionKey
from gridgov.sweep.intake_bulk import (
    digests,
    fixed_width,
    identity_texts,
    int_texts,
    json_texts,
)
from gridgov.sweep.model import Sweep
from gridgov.sweep.rules import CODE_OUTCOMES


class BulkRows:
    """The version rows of a batch's kept rows (``keep``: their rows in the file's columns):
    Arrow arrays (for ``COPY``) and Python lists (for ``executemany``), each made on use."""

    def __init__(self, keep: Any, digest: list[str], arrays: dict[str, Any]) -> None:
        self.keep = keep
        self.digest = digest
        self._arrays = arrays
        self._lists: dict[str, list[Any]] = {"digest": digest}

    def __len__(self) -> int:
        return len(self.digest)

    def array(self, name: str) -> Any:
        """An Arrow array: ``sweep``, ``id``, ``digest``, ``household``, ``t_text`` (the
        instant's digits, null when it cannot be placed), ``code``, ``persons``,
        ``returnees``, ``doc``."""
        if name == "digest" and name not in self._arrays:
            self._arrays[name] = fixed_width(self.digest, DIGEST_LENGTH)
        return self._arrays[name]

    def column(self, name: str) -> list[Any]:
        """A column as a Python list (``t_us``: ``None`` where the time cannot be placed)."""
        got = self._lists.get(name)
        if got is None:
            got = self._lists[name] = self._arrays[name].to_pylist()
        return got

    def keys(self) -> list[VersionKey]:
        """``(sweep, id, digest)`` of every row, in arrival order."""
        return list(zip(self.column("sweep"), self.column("id"), self.digest, strict=True))

    def pairs(self) -> Iterable[tuple[str, str]]:
        """``(sweep, id)`` of every row, in arrival order (repeats included: an insert
        ``ON CONFLICT DO NOTHING`` keeps one)."""
        return zip(self.column("sweep"), self.column("id"), strict=True)

    def rows(self) -> Iterable[tuple[Any, ...]]:
        """The values of :data:`gridgov.store.visits_sql.VERSION_COLUMNS` of every row, in
        arrival order (an exact repeat too: an insert ``ON CONFLICT (sweep, id, digest) DO
        NOTHING`` keeps the first to arrive, as the reference does)."""
        return zip(*(self.column(name) for name in _COLUMNS), strict=True)


_COLUMNS = ("sweep", "id", "digest", "household", "t_us", "code", "persons", "returnees", "doc")


def bulk_rows(
    cols: VisitColumns,
    lo: int,
    hi: int,
    sweeps_of: Callable[[list[str]], Mapping[str, Sweep]],
    households_of: Callable[[list[str]], Mapping[str, Any]],
) -> tuple[BulkRows | None, list[Rejected]]:
    """The version rows of rows ``lo:hi`` and the rejected rest (``None``: nothing kept).

    ``sweeps_of`` / ``households_of`` give the stored sweeps / households among ids.
    """
    n = hi - lo
    house_values, house_codes = encode(cols.household.slice(lo, n))
    sweep_values, sweep_codes = encode(cols.sweep.slice(lo, n))
    houses = households_of(house_values)
    sweeps = sweeps_of(sweep_values)
    known_house = np.array([h in houses for h in house_values] + [False])[house_codes]
    known_sweep = np.array([s in sweeps for s in sweep_values] + [False])[sweep_codes]
    rejected: list[Rejected] = []
    for k in np.flatnonzero(~(known_house & known_sweep)).tolist():
        visit = cols.visit(lo + k)
        if not known_house[k]:
            rejected.append(Rejected(visit, f"unknown household {visit.household!r}"))
        else:
            rejected.append(Rejected(visit, f"unknown sweep {visit.sweep!r}"))
    local = np.flatnonzero(known_house & known_sweep)
    if not len(local):
        return None, rejected
    keep = local + lo
    t = np.zeros(len(keep), dtype=np.int64)
    placed = np.zeros(len(keep), dtype=np.bool_)
    kept_codes = sweep_codes[local]
    for c in np.unique(kept_codes).tolist():
        rule = time_rule(sweeps[sweep_values[c]])
        at = np.flatnonzero(kept_codes == c)
        t[at], placed[at] = cols.instants(keep[at], rule)
    take = from_numpy(keep)
    placed_arrow = from_numpy(placed)
    t_digits = int_texts(t)
    at_json = json_texts(cols.at_iso.take(take))
    time_json = pc.if_else(placed_arrow, t_digits, at_json)
    sweep = cols.sweep.take(take)
    ids = cols.id.take(take)
    household = cols.household.take(take)
    parts = {
        "at": at_json,
        "sweep": json_texts(sweep),
        "household": json_texts(household),
        "visitor": json_texts(cols.visitor.take(take)),
        "outcome": strings([f'"{o.value}"' for o in CODE_OUTCOMES]).take(
            from_numpy(cols.code[keep])
        ),
        "seen": int_texts(cols.seen[keep]),
        "registered": int_texts(cols.registered[keep]),
        "note": json_texts(cols.note.take(take)),
        "returnees": int_texts(cols.returnees[keep]),
        "residents": cols.residents_json.take(take),
    }
    texts = identity_texts(
        parts["sweep"],
        parts["household"],
        time_json,
        parts["visitor"],
        parts["outcome"],
        parts["seen"],
        parts["registered"],
        parts["note"],
        parts["returnees"],
        parts["residents"],
    )
    digest = digests(texts)
    arrays = {
        "sweep": sweep,
        "id": ids,
        "household": household,
        "t_text": pc.if_else(placed_arrow, t_digits, pa.nulls(len(keep), pa.string())),
        "t_us": pc.if_else(placed_arrow, from_numpy(t), pa.nulls(len(keep), pa.int64())),
        "code": from_numpy(cols.code[keep]),
        "persons": from_numpy(cols.seen[keep]),
        "returnees": from_numpy(cols.returnees[keep]),
        "doc": doc_texts(cols, keep, parts),
    }
    return BulkRows(keep, digest, arrays), rejected
