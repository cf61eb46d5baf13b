"""GraphML import/export through networkx.

Each node carries ``level`` and ``name`` plus its attributes prefixed ``attr.``
and its party organisation as ``party.kind`` / ``party.name`` / ``party.secretary``;
edges run parent → child. The relations beside the tree (central households,
government-unit pairings) are one graph-level ``relations`` value holding
their JSON (the shape of :mod:`gridgov.org.json_io`'s document): a government
unit is not a node of the tree, and a node or edge of its own would share the
units' id space, so one exact, separate value keeps ``read(write(tree)) == tree``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx

from gridgov.documents import load_json_text
from gridgov.errors import InvalidInput, SourceProblem
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.json_io import apply_relations_json, relations_json
from gridgov.org.levels import DEFAULT_LEVELS, Levels
from gridgov.org.unit import AttrValue, PartyOrg, Unit
from gridgov.org.validate import Row
from gridgov.privacy import mask_name


def to_graph(tree: Hierarchy, *, mask: bool = True) -> Any:
    """A flat-attribute ``networkx.DiGraph`` suitable for GraphML."""
    graph = nx.DiGraph(levels=json.dumps(list(tree.levels.names), ensure_ascii=False))
    if tree.levels.declared_household is not None:
        graph.graph["household_level"] = tree.levels.declared_household
    rel = tree.relations
    if rel.central or rel.gov_units:
        graph.graph["relations"] = relations_json(tree)
    parent = tree.parent_map()
    for u in tree:
        data: dict[str, Any] = {"level": u.level, "name": u.name}
        for key, value in u.attributes.items():
            data[f"attr.{key}"] = value
        if u.party is not None:
            data["party.kind"] = u.party.kind
            data["party.name"] = u.party.name
            data["party.secretary"] = mask_name(u.party.secretary) if mask else u.party.secretary
        graph.add_node(u.id, **data)
        if parent[u.id] is not None:
            graph.add_edge(parent[u.id], u.id)
    return graph


def write_graphml(tree: Hierarchy, path: str | Path, *, mask: bool = True) -> None:
    """Write ``tree`` as GraphML."""
    nx.write_graphml(to_graph(tree, mask=mask), str(path))


def graphml_text(tree: Hierarchy, *, mask: bool = True) -> str:
    """``tree`` as GraphML text."""
    return "\n".join(nx.generate_graphml(to_graph(tree, mask=mask)))


def _levels(names: Any, household: Any, file: str | None) -> Levels:
    """The scheme stored on the graph: a JSON list (``|``-joined in older files) and the
    household level where the names do not give it."""
    if household is not None and not isinstance(household, str):
        raise InvalidInput(
            [SourceProblem(f"expected text, got {household!r}", field="household_level", file=file)]
        )
    try:
        if not names:
            parsed: Any = DEFAULT_LEVELS.names
        elif not isinstance(names, str):
            raise ValueError(f"expected text, got {names!r}")
        elif names.startswith("["):
            try:
                parsed = load_json_text(names, file=file)
            except InvalidInput as exc:
                raise ValueError(exc.errors[0].message) from None
        else:
            parsed = names.split("|")
        if not isinstance(parsed, (list, tuple)) or not all(isinstance(n, str) for n in parsed):
            raise ValueError("expected a list of level names")
        return Levels.from_file(parsed, household)
    except ValueError as exc:
        raise InvalidInput([SourceProblem(str(exc), field="levels", file=file)]) from None


def from_graph(graph: Any, *, levels: Levels | None = None, file: str | None = None) -> Hierarchy:
    """Build a hierarchy from a graph written by :func:`to_graph` (validated)."""
    if levels is None:
        levels = _levels(graph.graph.get("levels"), graph.graph.get("household_level"), file)
    rows = []
    for node, data in graph.nodes(data=True):
        preds = list(graph.predecessors(node))
        if len(preds) > 1:
            raise InvalidInput(
                [SourceProblem(f"node {node!r} has {len(preds)} parents", field="edge", file=file)]
            )
        attributes: dict[str, AttrValue] = {
            k[5:]: v for k, v in data.items() if k.startswith("attr.")
        }
        try:
            party = None
            if "party.kind" in data:
                party = PartyOrg(
                    data["party.kind"], data.get("party.name", ""), data.get("party.secretary", "")
                )
            # level and name as the file typed them: a name typed int is an error, not "5"
            unit = Unit(str(node), data.get("level", ""), data.get("name", ""), attributes, party)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(
                [SourceProblem(f"node {str(node)[:60]!r}: {exc}", field="node", file=file)]
            ) from None
        rows.append(Row(unit, str(preds[0]) if preds else None, file=file))
    tree = Hierarchy.from_rows(rows, levels=levels)
    text = graph.graph.get("relations")
    if text:
        apply_relations_json(tree, str(text), file=file)
    return tree


def read_graphml(path: str | Path) -> Hierarchy:
    """Read a hierarchy from GraphML written by :func:`write_graphml`."""
    from gridgov.utf8 import read_utf8

    text = read_utf8(path)
    try:
        graph = nx.parse_graphml(text)
    except Exception as exc:  # networkx raises several unrelated types for bad XML
        raise InvalidInput(
            [SourceProblem(f"not readable GraphML: {exc}", file=str(path))]
        ) from None
    return from_graph(graph, file=str(path))
