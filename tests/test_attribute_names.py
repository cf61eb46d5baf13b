"""Issue 12: any attribute name round-trips through CSV, JSON and GraphML (both CSV engines).

An attribute named like a CSV column (``name``, ``level``, ``parent``, ``id``,
``party_kind``...) used to write a CSV that could not be read back, or to
become the unit's party organisation; a text attribute holding digits came
back a number. The CSV writer escapes such columns (``attr:``/``text:``,
see :mod:`gridgov.org.csv_io`) and both readers decode them alike.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import attrs
import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridgov.cli import main
from gridgov.errors import InvalidInput
from gridgov.org import (
    Hierarchy,
    from_graph,
    graphml_text,
    loads,
    read_csv,
    read_csv_text,
    to_graph,
    write_csv_text,
)
from gridgov.org.json_io import dumps
from gridgov.strategies import hierarchies

HOSTILE_NAMES = [
    "id",
    "parent",
    "level",
    "name",
    "party_kind",
    "party_name",
    "party_secretary",
    "households",
    "attr:name",
    "text:x",
    "attr:",
    " x",
    "x ",
    "a%20b",
    "%",
    "100%",
    "a,b",
    'q"uote',
    "a\nb",
    "\r",
    "\t",
    "社区",
    "Name",
    "=cmd",
]
_NAME = st.one_of(
    st.sampled_from(HOSTILE_NAMES),
    st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"),
        min_size=1,
        max_size=8,
    ),
)
_TEXT_VALUE = st.one_of(
    st.sampled_from(["007", "100", "1e3", "-5", "abc", " ", "=1+1", "x,y", "a\nb"]),
    st.text(
        st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"),
        min_size=1,
        max_size=6,
    ),
)
_NUMBER = st.one_of(
    st.integers(-(10**9), 10**9),
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
)


@st.composite
def trees_with_any_attribute_names(draw: st.DrawFn) -> Hierarchy:
    """A tree whose units carry attributes of any names; each name holds one type."""
    tree = draw(hierarchies(max_units=8, numeric=(), text=()))
    names = draw(st.lists(_NAME, min_size=1, max_size=4, unique=True))
    numeric = {n: draw(st.booleans()) for n in names}
    out = tree.copy()
    for u in tree:
        values = {}
        for n in names:
            if draw(st.booleans()):
                values[n] = draw(_NUMBER if numeric[n] else _TEXT_VALUE)
        out.replace(attrs.evolve(u, attributes=values))
    return out


def _xml_safe(tree: Hierarchy) -> bool:
    def ok(text: str) -> bool:
        return all(c >= " " or c in "\t\n" for c in text)

    return all(
        ok(u.id)
        and ok(u.name)
        and all(ok(k) and (not isinstance(v, str) or ok(v)) for k, v in u.attributes.items())
        and (u.party is None or (ok(u.party.name) and ok(u.party.secretary)))
        for u in tree
    )


ROUND_TRIP = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@ROUND_TRIP
@given(t=trees_with_any_attribute_names())
def test_any_attribute_names_round_trip(t: Hierarchy, tmp_path: Path) -> None:
    text = write_csv_text(t, mask=False, raw=True)
    assert read_csv_text(text) == t
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8", newline="")
    assert read_csv(path, engine="columnar") == t
    assert read_csv(path, engine="python") == t
    back = loads(dumps(t, mask=False))
    assert back == t
    assert from_graph(to_graph(t, mask=False)) == t
    if _xml_safe(t):
        assert from_graph(nx.parse_graphml(graphml_text(t, mask=False))) == t


def test_an_attribute_named_like_a_column_is_not_the_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "o.json"
    doc = {
        "levels": ["county", "township"],
        "units": [
            {
                "id": "C",
                "level": "county",
                "name": "County",
                "parent": None,
                "attributes": {
                    "name": "alias",
                    "level": 3,
                    "party_kind": "branch",
                    "zip": "030100",
                },
            },
            {
                "id": "T",
                "level": "township",
                "name": "T",
                "parent": "C",
                "attributes": {"parent": "X", "id": "7", "party_secretary": "Li"},
            },
        ],
    }
    src.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "o.csv"
    assert main(["org", "export", str(src), "--to", "csv", "--raw", "--out", str(out)]) == 0
    header = next(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert header == [
        "id",
        "parent",
        "level",
        "name",
        "text:id",
        "attr:level",
        "attr:name",
        "attr:parent",
        "attr:party_kind",
        "attr:party_secretary",
        "zip",
    ]
    assert main(["org", "validate", str(out)]) == 0
    capsys.readouterr()
    assert main(["org", "export", str(out), "--to", "json"]) == 0
    units = json.loads(capsys.readouterr().out)["units"]
    assert [u["attributes"] for u in units] == [
        {"name": "alias", "level": 3, "party_kind": "branch", "zip": "030100"},
        {"parent": "X", "id": "7", "party_secretary": "Li"},
    ]
    assert all(u["party"] is None for u in units)  # party_kind as an attribute is not a party


def test_digits_kept_as_text_read_back_as_text() -> None:
    tree = read_csv_text("id,parent,level,zip,households\nC,,county,100,3\n", text_columns=["zip"])
    text = write_csv_text(tree, raw=True)
    assert text.splitlines()[0] == "id,parent,level,name,households,text:zip"
    assert read_csv_text(text) == tree


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("id,parent,level,note,attr:note", "o.csv:1: attr:note: attribute 'note' given twice"),
        ("id,parent,level,attr:", "o.csv:1: attr:: empty attribute name"),
        ("id,parent,level,text:%00", "o.csv:1: text:%00: empty attribute name or a NUL in it"),
    ],
)
def test_escaped_columns_that_cannot_be_attributes(header: str, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        read_csv_text(
            f"{header}\nC,,county,1" + ",1" * (header.count(",") - 3) + "\n", file="o.csv"
        )
    assert str(info.value.errors[0]).startswith(message)


def test_the_columnar_reader_decodes_escaped_columns_itself(tmp_path: Path) -> None:
    from gridgov.org.columnar_csv import read_columns
    from gridgov.org.csv_io import DEFAULT_NUMERIC
    from gridgov.org.levels import DEFAULT_LEVELS

    path = tmp_path / "o.csv"
    path.write_text(
        "id,parent,level,name,attr:name,attr:party_kind,text:zip,attr:a%20b\n"
        "C,,county,County,alias,branch,100,1\nT,C,township,T,,,200,2\n",
        encoding="utf-8",
    )
    fast = read_columns(path, levels=DEFAULT_LEVELS, numeric=DEFAULT_NUMERIC)
    assert fast is not None  # not a fallback to the reference reader
    assert fast == read_csv(path, engine="python")
    assert fast["C"].attributes == {"name": "alias", "party_kind": "branch", "zip": "100", "a b": 1}
    assert fast["C"].party is None
