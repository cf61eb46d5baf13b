"""JSON import/export of a hierarchy through the library's cattrs converter (exact round-trip)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from gridgov.errors import HierarchyError, InvalidInput, SourceProblem
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.levels import Levels
from gridgov.org.relations import GovUnit
from gridgov.org.unit import AttrValue, PartyOrg, Unit
from gridgov.org.validate import Row
from gridgov.privacy import mask_name
from gridgov.serialize import structure, unstructure

FORMAT = "gridgov.hierarchy/1"


@attrs.frozen
class UnitRecord:
    """One unit with its parent id, as stored in JSON."""

    id: str
    level: str
    name: str = ""
    parent: str | None = None
    attributes: dict[str, AttrValue] = attrs.field(factory=dict)
    party: PartyOrg | None = None


@attrs.frozen
class CentralLink:
    """A central household and the households it looks after."""

    central: str
    households: list[str]


@attrs.frozen
class Pairing:
    """A government unit and the units it is paired with."""

    gov: GovUnit
    units: list[str]


@attrs.frozen
class HierarchyDocument:
    """The JSON document for a hierarchy."""

    levels: list[str]
    units: list[UnitRecord]
    central_households: list[CentralLink] = attrs.field(factory=list)
    pairings: list[Pairing] = attrs.field(factory=list)
    format: str = FORMAT
    household_level: str | None = None
    """The scheme's household level where the names alone do not give it
    (:attr:`gridgov.org.Levels.declared_household`; absent in most files)."""


def to_document(tree: Hierarchy, *, mask: bool = True) -> HierarchyDocument:
    """The document for ``tree``; party secretaries' names are masked unless ``mask=False``."""
    records = []
    for unit in tree:
        party = unit.party
        if mask and party is not None and party.secretary:
            party = attrs.evolve(party, secretary=mask_name(party.secretary))
        records.append(
            UnitRecord(
                unit.id, unit.level, unit.name, tree.parent(unit.id), dict(unit.attributes), party
            )
        )
    rel = tree.relations
    return HierarchyDocument(
        levels=list(tree.levels.names),
        household_level=tree.levels.declared_household,
        units=records,
        central_households=[CentralLink(c, list(h)) for c, h in rel.central.items()],
        pairings=[Pairing(rel.gov_units[g], list(u)) for g, u in rel.pairings.items()],
    )


def from_document(doc: HierarchyDocument, *, file: str | None = None) -> Hierarchy:
    """Build and validate a hierarchy from its document (every error reported)."""
    if doc.format != FORMAT:
        raise InvalidInput(
            [SourceProblem(f"unknown format {doc.format!r}", field="format", file=file)]
        )
    try:
        levels = Levels.from_file(doc.levels, doc.household_level)
    except ValueError as exc:
        raise InvalidInput([SourceProblem(str(exc), field="levels", file=file)]) from None
    rows = [
        Row(Unit(r.id, r.level, r.name, r.attributes, r.party), r.parent, row=i, file=file)
        for i, r in enumerate(doc.units)
    ]
    tree = Hierarchy.from_rows(rows, levels=levels)
    _apply_relations(tree, doc.central_households, doc.pairings, file=file)
    return tree


def _apply_relations(
    tree: Hierarchy,
    central: list[CentralLink],
    pairings: list[Pairing],
    *,
    file: str | None,
) -> None:
    errors: list[SourceProblem] = []
    for i, link in enumerate(central):
        try:
            tree.relations.link_central_household(link.central, link.households)
        except (ValueError, KeyError) as exc:
            errors.append(SourceProblem(str(exc), field=f"central_households[{i}]", file=file))
    for i, pairing in enumerate(pairings):
        try:
            tree.relations.pair(pairing.gov, pairing.units, level=None)
        except (ValueError, KeyError) as exc:
            errors.append(SourceProblem(str(exc), field=f"pairings[{i}]", file=file))
    if errors:
        raise HierarchyError(errors)


@attrs.frozen
class RelationsDocument:
    """The relations of a hierarchy alone (the GraphML ``relations`` value)."""

    central_households: list[CentralLink] = attrs.field(factory=list)
    pairings: list[Pairing] = attrs.field(factory=list)


def relations_json(tree: Hierarchy) -> str:
    """The relations of ``tree`` as compact JSON text."""
    rel = tree.relations
    doc = RelationsDocument(
        [CentralLink(c, list(h)) for c, h in rel.central.items()],
        [Pairing(rel.gov_units[g], list(u)) for g, u in rel.pairings.items()],
    )
    # ASCII with escapes: the text also goes into GraphML, and XML cannot hold control characters
    return json.dumps(unstructure(doc), separators=(",", ":"))


def apply_relations_json(tree: Hierarchy, text: str, *, file: str | None = None) -> None:
    """Add the relations of :func:`relations_json` text to ``tree`` (validated)."""
    from gridgov.documents import load_json_text

    try:
        data = load_json_text(text, file=file)
    except InvalidInput as exc:
        raise InvalidInput(
            [attrs.evolve(e, field="relations", row=None) for e in exc.errors]
        ) from None
    doc = structure(data, RelationsDocument, file=file)
    _apply_relations(tree, doc.central_households, doc.pairings, file=file)


def to_json_data(tree: Hierarchy, *, mask: bool = True) -> Any:
    """JSON-ready data (dicts and lists) for ``tree``."""
    data: dict[str, Any] = unstructure(to_document(tree, mask=mask))
    if data.get("household_level") is None:
        del data["household_level"]  # the names give it: files stay as they were
    return data


def from_json_data(data: Any, *, file: str | None = None) -> Hierarchy:
    """The inverse of :func:`to_json_data`; unknown keys and bad types are errors."""
    return from_document(structure(data, HierarchyDocument, file=file), file=file)


def dumps(tree: Hierarchy, *, mask: bool = True, indent: int | None = None) -> str:
    """``tree`` as JSON text."""
    return json.dumps(to_json_data(tree, mask=mask), ensure_ascii=False, indent=indent)


def loads(text: str, *, file: str | None = None) -> Hierarchy:
    """A hierarchy from JSON text."""
    from gridgov.documents import load_json_text

    return from_json_data(load_json_text(text, file=file), file=file)


def read_json(path: str | Path) -> Hierarchy:
    """Read a hierarchy from a JSON file."""
    from gridgov.utf8 import read_utf8

    p = Path(path)
    return loads(read_utf8(p), file=str(p))


def write_json(tree: Hierarchy, path: str | Path, *, mask: bool = True) -> None:
    """Write ``tree`` to a JSON file (atomically: a temporary file renamed into place)."""
    from gridgov.fsutil import atomic_write_text

    atomic_write_text(Path(path), dumps(tree, mask=mask, indent=1))
