"""CSV, JSON, GraphML, Mermaid and DOT import/export, with every error named."""

import json
from pathlib import Path

import pytest

from gridgov.errors import HierarchyError, InvalidInput
from gridgov.org import (
    Hierarchy,
    PartyOrg,
    Unit,
    dumps,
    loads,
    read_csv,
    read_csv_text,
    read_graphml,
    read_json,
    to_dot,
    to_mermaid,
    write_csv,
    write_csv_text,
    write_graphml,
    write_json,
)

GOOD = (
    "id,parent,level,name,households,note\n"
    'h1,b1,household,"Door 1, left",1,\n'
    "C,,county,County,,\n"
    'c1,C,community,"He said ""hi""",,a note\n'
    "b1,c1,building,B1,,\n"
)


def test_reads_rows_in_any_order_with_quotes() -> None:
    t = read_csv_text(GOOD)
    assert t.root == "C"
    assert t["h1"].name == "Door 1, left"
    assert t["c1"].name == 'He said "hi"'
    assert t["h1"].attributes == {"households": 1}
    assert t["c1"].attributes == {"note": "a note"}


def test_bom_and_crlf(tmp_path: Path) -> None:
    p = tmp_path / "org.csv"
    p.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    assert read_csv(p) == read_csv_text(GOOD)


def test_quoted_newline_inside_a_field() -> None:
    text = 'id,parent,level,name\nC,,county,"two\nlines"\ng,C,grid,G\n'
    assert read_csv_text(text)["C"].name == "two\nlines"


def test_every_error_names_file_row_and_field(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(
        "id,parent,level,name,households\n"
        "C,,county,County,\n"  # row 2
        "c1,C,community,Comm,many\n"  # row 3: not a number
        "c1,C,community,Again,\n"  # row 4: duplicate id
        "g1,ghost,grid,G,\n"  # row 5: unknown parent
        "R,,county,Other root,\n"  # row 6: several roots
        ",C,grid,No id,\n"  # row 7: empty id
        "x,C,hamlet,X,\n"  # row 8: unknown level
        "y,g2,community,Y,\n"  # row 9: not deeper than g2
        "g2,C,grid,G2,\n"  # row 10
        "a,b,grid,A,\n"  # row 11: cycle a <-> b
        "b,a,grid,B,\n"  # row 12
        "short,C\n"  # row 13: wrong field count
    )
    with pytest.raises(HierarchyError) as info:
        read_csv(p)
    lines = [str(e) for e in info.value.errors]
    f = str(p)
    expected = [
        f"{f}:3: households: not a number: 'many'",
        f"{f}:4: id: duplicate id 'c1' (first seen at row 3)",
        f"{f}:5: parent: unknown parent 'ghost'",
        f"{f}:6: parent: several roots",
        f"{f}:7: id: empty id",
        f"{f}:8: level: unknown level 'hamlet'",
        f"{f}:9: level: level 'community' is not deeper than its parent 'g2'",
        f"{f}:11: parent: cycle: a -> b -> a",
        f"{f}:13: expected 5 fields, found 2",
    ]
    for want in expected:
        assert any(line.startswith(want) for line in lines), (want, lines)


def test_missing_columns_and_empty_file() -> None:
    with pytest.raises(InvalidInput) as info:
        read_csv_text("id,name\nC,County\n", file="o.csv")
    assert [str(e) for e in info.value.errors] == [
        "o.csv:1: parent: missing column",
        "o.csv:1: level: missing column",
    ]
    with pytest.raises(InvalidInput, match="empty file"):
        read_csv_text("", file="o.csv")


def test_not_utf8(tmp_path: Path) -> None:
    p = tmp_path / "latin.csv"
    p.write_bytes(b"id,parent,level,name\nC,,county,Caf\xe9\n")
    with pytest.raises(InvalidInput, match=r"latin.csv: not UTF-8 text \(line 2, byte 34\)"):
        read_csv(p)


def test_party_columns_and_masking(tmp_path: Path) -> None:
    t = Hierarchy.from_units(
        [
            (
                Unit(
                    "C", "county", "County", party=PartyOrg("branch", "County branch", "Zhang Wei")
                ),
                None,
            )
        ]
    )
    masked = write_csv_text(t)
    assert "Zhang Wei" not in masked and "Z**" in masked
    assert "Zhang Wei" in write_csv_text(t, mask=False)
    assert read_csv_text(write_csv_text(t, mask=False, raw=True)) == t
    assert "Zhang Wei" not in dumps(t)
    assert loads(dumps(t, mask=False)) == t
    write_json(t, tmp_path / "t.json")
    assert "Zhang Wei" not in (tmp_path / "t.json").read_text()


def test_file_round_trips(tmp_path: Path) -> None:
    t = read_csv_text(GOOD)
    t.relations.link_central_household("h1", [])
    write_csv(t, tmp_path / "a.csv", mask=False)
    assert read_csv(tmp_path / "a.csv") == t
    write_json(t, tmp_path / "a.json", mask=False)
    assert read_json(tmp_path / "a.json") == t
    write_graphml(t, tmp_path / "a.graphml", mask=False)
    assert read_graphml(tmp_path / "a.graphml") == t


def test_json_errors_name_the_field() -> None:
    data = json.loads(dumps(read_csv_text(GOOD)))
    data["units"][0]["attributes"]["households"] = [1]
    data["units"][1]["colour"] = "red"
    with pytest.raises(InvalidInput) as info:
        from gridgov.org import from_json_data

        from_json_data(data, file="x.json")
    text = " | ".join(str(e) for e in info.value.errors)
    assert "$.units[0].attributes['households']" in text or "$.units[0].attributes" in text
    assert "colour" in text
    with pytest.raises(InvalidInput, match="not valid JSON"):
        loads("{", file="x.json")


def test_json_relations_are_validated() -> None:
    data = json.loads(dumps(read_csv_text(GOOD)))
    data["central_households"] = [{"central": "b1", "households": ["h1"]}]
    with pytest.raises(HierarchyError, match="central_households"):
        loads(json.dumps(data))


def test_pictures_escape_and_limit_depth() -> None:
    t = read_csv_text(GOOD)
    mer = to_mermaid(t, max_depth=1)
    assert mer.startswith("flowchart TD")
    assert "#quot;hi#quot;" in mer
    assert "+2 below" in mer
    assert "Door 1" not in mer
    dot = to_dot(t)
    assert dot.startswith("digraph") and '\\"hi\\"' in dot and '"b1" -> "h1";' in dot
    assert "+" not in to_mermaid(t)
