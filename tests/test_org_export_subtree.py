"""``gridgov org export --root UNIT``: the subtree, its relations inside it, and a note
naming every link that reaches outside it (left out: the file could not read back)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.cli import main
from gridgov.org import Hierarchy, read_csv
from gridgov.store.codec import subtree_of
from gridgov.strategies import hierarchies

COUNTY = """id,parent,level,name
C,,county,C
T1,C,township,T1
T2,C,township,T2
M1,T1,community,M1
M2,T2,community,M2
B1,M1,building,B1
B2,M2,building,B2
H1,B1,household,H1
H2,B1,household,H2
H3,B2,household,H3
"""
RELATIONS = """relation,from,to,name,cadres
central,H1,H2,,
central,H1,H3,,
pairing,GOV,M1,Bureau,4
pairing,GOV,M2,Bureau,4
pairing,FAR,M2,Far bureau,1
"""


def test_export_of_a_subtree_names_the_links_it_leaves_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "k.csv").write_text(COUNTY, encoding="utf-8")
    (tmp_path / "k.relations.csv").write_text(RELATIONS, encoding="utf-8")
    out = tmp_path / "t1.csv"
    assert (
        main(
            [
                "org",
                "export",
                str(tmp_path / "k.csv"),
                "--root",
                "T1",
                "--to",
                "csv",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "2 relation link(s) reach outside 'T1'" in err  # silent before
    assert "central household 'H1' -> 'H3' ('H3' is outside)" in err
    assert "pairing 'GOV' -> 'M2' ('M2' is outside)" in err
    assert "FAR" not in err  # all of it outside: not the subtree's business
    back = read_csv(out)
    assert back.relations.central == {"H1": ("H2",)}
    assert back.relations.pairings == {"GOV": ("M1",)}
    assert main(["org", "export", str(tmp_path / "k.csv"), "--root", "M2", "--to", "json"]) == 0
    captured = capsys.readouterr()
    assert '"FAR"' in captured.out
    assert "central household 'H1' -> 'H3' ('H1' is outside)" in captured.err


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_subtree_keeps_every_link_inside_and_names_every_link_across(data: st.DataObject) -> None:
    tree: Hierarchy = data.draw(hierarchies(max_units=30, relations=True))
    root = data.draw(st.sampled_from([u.id for u in tree]))
    inside = set(tree.subtree(root))
    part = subtree_of(tree, root)
    rel = tree.relations
    touching = {(c, h) for c, hs in rel.central.items() for h in hs if c in inside or h in inside}
    kept = {(c, h) for c, hs in part.relations.central.items() for h in hs}
    across = {(c, h) for c, h in touching if (c in inside) != (h in inside)}
    assert kept == touching - across
    pairs = {(g, u) for g, us in rel.pairings.items() for u in us}
    kept_pairs = {(g, u) for g, us in part.relations.pairings.items() for u in us}
    assert kept_pairs == {(g, u) for g, u in pairs if u in inside}
    crossing_pairs = {
        (g, u)
        for g, us in rel.pairings.items()
        if any(x in inside for x in us)
        for u in us
        if u not in inside
    }
    assert len(rel.links_leaving(inside)) == len(across) + len(crossing_pairs)
