"""gridgov.org — the organisation hierarchy (county > ... > household).

>>> from gridgov.org import Hierarchy, Unit
>>> tree = Hierarchy.from_units([(Unit("c", "county"), None), (Unit("g1", "grid"), "c")])
>>> tree.children("c")
('g1',)
"""

from gridgov.org.csv_io import read_csv, read_csv_text, write_csv, write_csv_text
from gridgov.org.diff import Changed, HierarchyDiff, Moved, diff
from gridgov.org.graphml_io import from_graph, graphml_text, read_graphml, to_graph, write_graphml
from gridgov.org.hierarchy import Hierarchy
from gridgov.org.index import TreeIndex
from gridgov.org.json_io import dumps, from_json_data, loads, read_json, to_json_data, write_json
from gridgov.org.levels import DEFAULT_LEVELS, Levels
from gridgov.org.pictures import to_dot, to_mermaid
from gridgov.org.relations import GovUnit, Relations
from gridgov.org.rollup import AGGREGATES, Aggregate, Rollup, level_counts, rollup
from gridgov.org.unit import AttrValue, PartyOrg, Unit
from gridgov.org.validate import Row, check_rows

__all__ = [
    "AGGREGATES",
    "DEFAULT_LEVELS",
    "Aggregate",
    "AttrValue",
    "Changed",
    "GovUnit",
    "Hierarchy",
    "HierarchyDiff",
    "Levels",
    "Moved",
    "PartyOrg",
    "Relations",
    "Rollup",
    "Row",
    "TreeIndex",
    "Unit",
    "check_rows",
    "diff",
    "dumps",
    "from_graph",
    "from_json_data",
    "graphml_text",
    "level_counts",
    "loads",
    "read_csv",
    "read_csv_text",
    "read_graphml",
    "read_json",
    "rollup",
    "to_dot",
    "to_graph",
    "to_json_data",
    "to_mermaid",
    "write_csv",
    "write_csv_text",
    "write_graphml",
    "write_json",
]
