"""How values become stored documents and back, the same way in every backend.

Documents are canonical JSON text (sorted keys, no ASCII escaping) of the
library's converter output, so that "same content" is a text comparison.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import attrs

from gridgov.events import Event
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.json_io import (
    CentralLink,
    HierarchyDocument,
    Pairing,
    UnitRecord,
    from_document,
    to_document,
)
from gridgov.serialize import structure, unstructure
from gridgov.sweep.model import Household, Sweep, Visit

_canonical = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
# one encoder for every document: json.dumps with these options builds a new one per call


def dumps(data: Any) -> str:
    """Canonical JSON text of JSON-ready ``data``."""
    return _canonical(data)


def to_data(value: Any) -> Any:
    """JSON-ready data for an attrs value, or ``value`` itself when it already is data."""
    if attrs.has(type(value)):
        return unstructure(value)
    try:
        return json.loads(dumps(value))
    except (TypeError, ValueError) as exc:
        from gridgov.store.port import StoreError

        raise StoreError(
            f"cannot store this document: {exc} (give an attrs value or JSON-ready data)"
        ) from None


def doc(value: Any) -> str:
    """The stored document text of any value."""
    return dumps(to_data(value))


def load(text: str) -> Any:
    """JSON-ready data from a stored document."""
    return json.loads(text)


def visit_from(text: str) -> Visit:
    """A visit from its stored document."""
    return structure(load(text), Visit)


def household_from(text: str) -> Household:
    """A household from its stored document."""
    return structure(load(text), Household)


def sweep_from(text: str) -> Sweep:
    """A sweep from its stored document."""
    return structure(load(text), Sweep)


def event_from(text: str) -> Event:
    """An event from its stored document."""
    return structure(load(text), Event)


def hierarchy_parts(tree: Hierarchy) -> tuple[list[str], list[tuple[UnitRecord, int, int]], str]:
    """``(levels, [(record, pos, size)], relations_doc)`` for storing ``tree`` as rows."""
    document = to_document(tree, mask=False)
    index = tree.index
    rows = [(r, index.pos[r.id], index.size[index.pos[r.id]]) for r in document.units]
    relations: dict[str, Any] = {
        "central_households": unstructure(document.central_households),
        "pairings": unstructure(document.pairings),
    }
    if document.household_level is not None:  # the level the central links are at
        relations["household_level"] = document.household_level
    return list(document.levels), rows, dumps(relations)


def hierarchy_from(
    levels: list[str], records: Iterable[UnitRecord], relations: str, *, root: str | None = None
) -> Hierarchy:
    """Rebuild a hierarchy from stored rows; with ``root``, only that subtree (rows given)."""
    units = list(records)
    keep = {r.id for r in units}
    if root is not None:
        units = [attrs.evolve(r, parent=None) if r.id == root else r for r in units]
    rel = load(relations)
    central = [
        CentralLink(c.central, [h for h in c.households if h in keep])
        for c in structure(rel["central_households"], list[CentralLink])
        if c.central in keep
    ]
    pairings = [
        Pairing(p.gov, [u for u in p.units if u in keep])
        for p in structure(rel["pairings"], list[Pairing])
    ]
    pairings = [p for p in pairings if p.units]
    household = rel.get("household_level")
    return from_document(
        HierarchyDocument(levels, units, central, pairings, household_level=household)
    )


def record_from(text: str) -> UnitRecord:
    """A unit record from its stored document."""
    return structure(load(text), UnitRecord)


def subtree_of(tree: Hierarchy, unit: str) -> Hierarchy:
    """The subtree of ``unit`` as a hierarchy of its own (relations inside it kept)."""
    levels, rows, relations = hierarchy_parts(tree)
    index = tree.index
    lo = index.pos[unit]
    hi = lo + index.size[lo]
    return hierarchy_from(levels, [r for r, pos, _ in rows if lo <= pos < hi], relations, root=unit)


def as_seconds(moment: dt.datetime) -> float:
    """Epoch seconds of ``moment`` (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()
