"""The org CSV reader's columnar fast path against the pure-Python reference.

Property: for generated files — valid trees, and rows with every kind of problem
(duplicate, empty and padded ids, unknown parents, cycles, several roots, bad
levels, text in numeric columns, odd numbers, quotes, blank lines, a BOM, bytes
that are not UTF-8, NUL bytes anywhere, header cells spelled otherwise) —
``engine="columnar"`` gives exactly what ``engine="python"`` gives: the same
tree (units, parents, pre-order index, children, leaves, levels, every roll-up
with its types) or the same errors, word for word.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridgov._arrow import PY_SPACE
from gridgov.errors import InvalidInput
from gridgov.org import AGGREGATES, Hierarchy, read_csv, rollup, write_csv_text
from gridgov.org.columnar_tree import ColumnarHierarchy
from gridgov.org.levels import DEFAULT_LEVELS, Levels
from gridgov.org.unit import Unit
from gridgov.strategies.org import hierarchies

pytest.importorskip("pyarrow")

LEVELS = DEFAULT_LEVELS.names
GRIDGOV = str(Path(sys.executable).with_name("gridgov"))
ODD_CELLS = [
    "",
    " ",
    "007",
    "0",
    "-0",
    "12",
    "1e3",
    "0.5",
    "1_000",
    "\uff14\uff15",
    "\u0663",
    "inf",
    "nan",
    str(10**20),
    str(-(10**17)),
    " 5 ",
    "a,b",
    'say "hi"',
    "two\nlines",
    "cr\rhere",
    "\x85x\u3000",
    "\x1cpad\x1f",
    "=cmd",
    "\ufeffbom",
    "x",
]


def snapshot(tree: Hierarchy) -> dict[str, Any]:
    """Everything a caller can read from a tree, gathered through the public API."""
    out: dict[str, Any] = {"len": len(tree)}
    if not len(tree):
        return out
    out["root"] = tree.root
    attrs = sorted({k for u in tree for k in u.attributes} | {"absent"})
    out["rollups"] = {
        (a, how): [(uid, v, type(v).__name__) for uid, v in rollup(tree, a, how).items()]
        for a in attrs
        for how in AGGREGATES
    }
    out["rows"] = [
        rollup(tree, a, "sum").rows(tree, lv) for a in attrs for lv in (None, tree.levels.names[-1])
    ]
    idx = tree.index
    out["index"] = (idx.order, idx.parent, idx.depth, idx.size)
    out["units"] = [(u, tree.parent(u.id)) for u in tree]
    out["children"] = {uid: tree.children(uid) for uid in idx.order}
    out["at_level"] = {lv: tree.at_level(lv) for lv in tree.levels}
    out["leaves"] = tree.leaves()
    out["lookups"] = [(tree.get(uid), uid in tree, tree[uid]) for uid in idx.order[:5]]
    out["up"] = [
        tree.level_of_ancestor(uid, tree.levels.names[1 % len(tree.levels)]) for uid in idx.order
    ]
    out["check"] = tree.check()
    out["maps"] = (dict(tree.unit_map()), dict(tree.parent_map()))
    return out


def outcome(path: Path, engine: str, levels: Levels = DEFAULT_LEVELS) -> Any:
    try:
        tree = read_csv(path, engine=engine, levels=levels)  # type: ignore[arg-type]
    except InvalidInput as exc:
        return ("error", type(exc).__name__, [str(e) for e in exc.errors])
    return ("tree", snapshot(tree), tree)


def both(data: bytes, levels: Levels = DEFAULT_LEVELS) -> tuple[Any, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "org.csv"
        path.write_bytes(data)
        return outcome(path, "python", levels), outcome(path, "columnar", levels)


def assert_same(data: bytes, levels: Levels = DEFAULT_LEVELS) -> Any:
    ref, fast = both(data, levels)
    assert fast[:2] == ref[:2]
    if ref[0] == "tree":
        assert fast[2] == ref[2]  # materialised, the columnar tree equals the reference
    return ref


@given(hierarchies(max_units=40))
def test_valid_trees_read_the_same(tree: Hierarchy) -> None:
    data = write_csv_text(tree, mask=False).encode()
    ref = assert_same(data)
    assert ref[0] == "tree"


@st.composite
def messy_csv(draw: st.DrawFn) -> bytes:
    """Org CSV bytes with any of the problems a real export has."""
    pool = draw(
        st.lists(
            st.sampled_from(["a", "b", "c", " c", "c ", "", "d", "0a", "A", "7", "07", "\u0667"]),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    n = draw(st.integers(0, 10))
    header = ["id", "parent", "level", "name"]
    extra = draw(
        st.lists(
            st.sampled_from(
                [
                    "residents",
                    "note",
                    "floors",
                    "code",
                    "party_kind",
                    "party_name",
                    "party_secretary",
                ]
            ),
            unique=True,
            max_size=3,
        )
    )
    header += extra
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    cell = st.sampled_from(ODD_CELLS)
    rows = []
    ids = [f"u{i}" for i in range(n)]
    for i in range(n):
        uid = draw(st.sampled_from([ids[i], ids[i], *pool]))
        parent = "" if i == 0 else draw(st.sampled_from([*ids[:i], *ids[:i], "", "zz", *pool]))
        level = draw(st.sampled_from([*LEVELS[min(i, 1) :], *LEVELS[1:], "Grid", " grid", "x"]))
        values = {"id": uid, "parent": parent, "level": level, "name": draw(cell)}
        for name in extra:
            if name == "party_kind":
                values[name] = draw(st.sampled_from(["", "branch", " group ", "\u3000"]))
            elif name == "residents":
                values[name] = draw(st.sampled_from(["", "1", "2", "30", "4", "05", "0.5", "x"]))
            else:
                values[name] = draw(cell)
        rows.append([values[h] for h in header])
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows([header, *rows])
    text = out.getvalue()
    mutation = draw(
        st.sampled_from(
            [
                "none",
                "none",
                "blank",
                "short",
                "bom",
                "latin1",
                "quote",
                "spaces",
                "cycle",
                "nul",
                "header",
            ]
        )
    )
    if mutation == "blank":
        text = text.replace("\n", "\n\n", 1) + "\n"
    elif mutation == "short":
        text += "onlyone,field\n"
    elif mutation == "quote":
        text += '"unterminated,x,grid\n'
    elif mutation == "spaces":
        text += "   \n"
    elif mutation == "nul":  # anywhere, the header included: the decoder refuses the file
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "\x00" + text[at:]
    elif mutation == "header":  # a header cell spelled otherwise
        first, _, rest = text.partition("\n")
        cells = first.split(",")
        k = draw(st.integers(0, len(cells) - 1))
        cells[k] = draw(
            st.sampled_from(
                [cells[k].upper(), cells[k].title(), f" {cells[k]}\t", f"{cells[k]}\u3000", ""]
            )
        )
        text = ",".join(cells) + "\n" + rest
    elif mutation == "cycle" and n >= 3:
        text += "p,q,grid,\nq,p,building,\n".replace(",\n", "," * (len(header) - 3) + "\n")
    data = text.encode()
    if mutation == "bom":
        data = b"\xef\xbb\xbf" + data
    elif mutation == "latin1":
        data = data + "caf\u00e9".encode("latin-1") + b"\n"
    return data


@given(messy_csv())
def test_messy_files_give_the_same_tree_or_the_same_errors(data: bytes) -> None:
    assert_same(data)


@given(hierarchies(max_units=25, levels=Levels(("a", "b", "c"))))
def test_other_level_schemes(tree: Hierarchy) -> None:
    assert_same(write_csv_text(tree, mask=False).encode(), Levels(("a", "b", "c")))


def test_python_whitespace_list_is_complete() -> None:
    assert sorted(PY_SPACE) == [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def test_float_and_huge_columns_roll_up_exactly(tmp_path: Path) -> None:
    rows = ["id,parent,level,area,big", "c,,county,0.1,", "t,c,township,0.2,9007199254740993"]
    rows += [f"g{i},t,grid,0.{i}3,{10**18 + i}" for i in range(20)]
    path = tmp_path / "org.csv"
    path.write_text("\n".join(rows) + "\n")
    ref, fast = read_csv(path, engine="python"), read_csv(path, engine="columnar")
    assert isinstance(fast, ColumnarHierarchy)
    for attr in ("area", "big"):
        for how in AGGREGATES:
            got = rollup(fast, attr, how)
            want = rollup(ref, attr, how)
            assert [(v, type(v)) for v in got.values()] == [(v, type(v)) for v in want.values()]


def test_changes_turn_the_columns_into_an_ordinary_tree(tmp_path: Path) -> None:
    path = tmp_path / "org.csv"
    path.write_text(
        "id,parent,level,name,residents\nc,,county,C,\ng1,c,grid,G1,\nb1,g1,building,B,3\n"
        "g2,c,grid,G2,\nh1,b1,household,H,2\n"
    )
    fast, ref = read_csv(path, engine="columnar"), read_csv(path, engine="python")
    assert isinstance(fast, ColumnarHierarchy)
    assert fast.columns is not None
    for tree in (fast, ref):
        tree.move("b1", "g2")
        tree.add(Unit("h2", "household", "", {"residents": 4}), "b1")
        tree.remove("g1")
    assert fast.columns is None
    assert fast == ref
    assert snapshot(fast) == snapshot(ref)
    assert rollup(fast, "residents")["g2"] == 9


def test_large_file_goes_columnar_under_auto(tmp_path: Path) -> None:
    lines = ["id,parent,level,residents", "c,,county,"]
    lines += [f"g{i},c,grid,{i % 7}" for i in range(20_000)]
    path = tmp_path / "org.csv"
    path.write_text("\n".join(lines) + "\n")
    assert isinstance(read_csv(path), ColumnarHierarchy)
    assert type(read_csv(path, engine="python")) is Hierarchy
    small = tmp_path / "small.csv"
    small.write_text("id,parent,level\nc,,county\n")
    assert type(read_csv(small)) is Hierarchy


def test_bare_core_without_pyarrow(tmp_path: Path) -> None:
    lines = ["id,parent,level,residents", "c,,county,"]
    lines += [f"g{i},c,grid,{i % 7}" for i in range(20_000)]
    path = tmp_path / "org.csv"
    path.write_text("\n".join(lines) + "\n")
    code = (
        "import sys; sys.modules['pyarrow'] = None; sys.modules['numpy'] = None\n"
        "from gridgov.org import read_csv, rollup\n"
        "from gridgov.errors import EngineUnavailable\n"
        f"tree = read_csv({str(path)!r})\n"
        "print(type(tree).__name__, rollup(tree, 'residents')['c'])\n"
        "try:\n"
        f"    read_csv({str(path)!r}, engine='columnar')\n"
        "except EngineUnavailable as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [
        f"Hierarchy {sum(i % 7 for i in range(20_000))}",
        "the columnar engine needs pyarrow and numpy: pip install 'gridgov[cli]'",
    ]


def test_cli_engine_variable(tmp_path: Path) -> None:
    path = tmp_path / "org.csv"
    path.write_text("id,parent,level,residents\nc,,county,1\ng,c,grid,2\n")
    outs = []
    for engine in ("python", "columnar"):
        proc = subprocess.run(
            [GRIDGOV, "org", "rollup", str(path), "--sum", "residents"],
            capture_output=True,
            text=True,
            env={**os.environ, "GRIDGOV_ENGINE": engine},
            check=True,
        )
        outs.append(proc.stdout)
    assert outs[0] == outs[1]
    bad = subprocess.run(
        [GRIDGOV, "org", "rollup", str(path), "--sum", "residents"],
        capture_output=True,
        text=True,
        env={**os.environ, "GRIDGOV_ENGINE": "fast"},
        check=False,
    )
    assert bad.returncode == 2
    assert "GRIDGOV_ENGINE='fast': expected one of auto, python, columnar" in bad.stderr


def test_edge_byte_tables_cover_every_python_space() -> None:
    from gridgov._arrow import _FIRST_BYTE, _LAST_BYTE

    for ch in PY_SPACE:
        data = ch.encode("utf-8")
        assert _FIRST_BYTE[data[0]] and _LAST_BYTE[data[-1]], repr(ch)


_STRIP_CELLS = st.lists(
    st.text(
        alphabet=st.sampled_from([*PY_SPACE, "a", "é", "中", "\u200b", "\x00", "0"]), max_size=5
    ),
    max_size=12,
)


@given(_STRIP_CELLS, st.integers(0, 12))
def test_py_strip_is_str_strip(cells: list[str], cut: int) -> None:
    import pyarrow as pa

    from gridgov._arrow import py_strip, strings

    arr = strings(cells)
    for col in (arr, pa.chunked_array([arr.slice(0, cut), arr.slice(cut)])):
        assert py_strip(col).to_pylist() == [c.strip() for c in cells]
