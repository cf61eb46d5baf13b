"""Coverage from files with the columnar engine against the pure-Python reference.

Property: for generated trees, registers and messy visit logs (repeats, the same
id with another content, unknown households, other sweeps, times outside the
window, the same instant in another notation, outcome spellings of other field
apps, padded cells, rows the careful parser must read, header names spelled
otherwise, counts of every spelling the number grammar refuses or takes, NUL bytes,
household cells with a leading zero), ``engine="columnar"`` gives exactly what
``engine="python"`` gives:
every counter of every unit, the duplicates, every reject and conflict (with
rows), the re-visit queue and the progress — or the same errors.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridgov.errors import InvalidInput
from gridgov.strategies.sweep import households, sweep_trees, sweeps, visit_logs
from gridgov.sweep import coverage_from_csv, households_csv_text
from gridgov.sweep.visit_format import visits_csv_text

pa = pytest.importorskip("pyarrow")

HOSTILE_COUNTS = [
    "007",
    "+3",
    "-0",
    "-1",
    "\uff14",  # full-width 4
    "\u0663",  # Arabic-Indic 3
    "\u06f5",  # extended Arabic-Indic 5
    "1_000",
    " 4",
    "4\t",
    "\u30004",
    "\x1c4",
    "3.0",
    "1e2",
    "\u00b2",
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    "9" * 101,
    "",
    " ",
]
"""Count cells that every path must read by the one number grammar (:mod:`gridgov.numbers`)."""

SPELLINGS = {
    ",not-at-home,": [",not-at-home,", ",Not at home,", ",NOT_AT_HOME,"],
    ",partly-verified,": [",partly-verified,", ",Partly verified,"],
    ",verified,": [",verified,", ",Verified,"],
}


def report_view(path_h: Path, path_v: Path, tree: Any, sweep: Any, engine: str) -> Any:
    try:
        r = coverage_from_csv(tree, path_h, path_v, sweep, engine=engine)  # type: ignore[arg-type]
    except InvalidInput as exc:
        return ("error", [str(e) for e in exc.errors])
    return (
        "report",
        r.columns,
        r.duplicates,
        r.rejects,
        r.conflicts,
        r.table(),
        r.table("grid"),
        r.first_visit(),
        r.revisit_queue(sweep.end),
        [r.status(h) for h in list(r.frame.index)[:5]],
        r.progress(dt.timedelta(hours=1)),
    )


@st.composite
def scenario(draw: st.DrawFn) -> tuple[Any, Any, bytes, bytes]:
    tree = draw(sweep_trees())
    hhs = draw(households(tree, max_size=12))
    sweep = draw(sweeps(tree))
    visits = draw(visit_logs(hhs, sweep, max_size=30))
    htext = households_csv_text(hhs)
    vtext = visits_csv_text(visits)
    lines = vtext.split("\n")
    spell = draw(
        st.sampled_from(
            [
                str,
                str.title,
                str.upper,
                lambda h: h.replace("_", "-"),
                lambda h: h.replace("_", " "),
                lambda h: f" {h}\t",
            ]
        )
    )
    out = [",".join(spell(h) for h in lines[0].split(","))]  # other header spellings
    for line in lines[1:]:
        for canon, spelled in SPELLINGS.items():
            if canon in line:
                line = line.replace(canon, draw(st.sampled_from(spelled)))
        kind = draw(st.integers(0, 12))
        if kind == 1 and line:
            out.append(line)  # a repeat of the raw line
        elif kind == 2 and line:
            line = line.replace(",", ", ", 1)  # a padded household cell
        elif kind == 3 and line:
            parts = line.split(",")
            parts[3] = parts[3][:16]  # a time without seconds: the reference parser reads it
            line = ",".join(parts)
        elif kind == 4 and line:
            parts = line.split(",")
            parts[6] = "7"  # a count out of the fast loop's cache: the careful parser
            line = ",".join(parts)
        elif kind == 5 and line:
            parts = line.split(",")
            parts[draw(st.sampled_from([6, 7, 8]))] = draw(st.sampled_from(HOSTILE_COUNTS))
            line = ",".join(parts)
        elif kind == 6 and line:
            at = draw(st.integers(0, len(line)))
            line = line[:at] + "\x00" + line[at:]  # a NUL: the located decoder refuses the file
        elif kind == 7 and line:
            parts = line.split(",")
            parts[2] = "0" + parts[2]  # a leading zero: another household (unknown)
            line = ",".join(parts)
        elif kind == 8:
            out.append(draw(st.sampled_from(["", " ", "\t", ",,"])))  # a blank line
        out.append(line)
    vtext = "\n".join(out)
    if draw(st.integers(0, 15)) == 0:
        vtext += "bad,row\n"
    hdata = htext.encode()
    if draw(st.integers(0, 15)) == 0:  # a NUL in the households file
        hdata = hdata[:-1] + b"\x00\n"
    return tree, sweep, hdata, vtext.encode()


@given(scenario())
def test_columnar_coverage_equals_the_reference(sc: tuple[Any, Any, bytes, bytes]) -> None:
    tree, sweep, hdata, vdata = sc
    with tempfile.TemporaryDirectory() as tmp:
        hp, vp = Path(tmp, "hh.csv"), Path(tmp, "visits.csv")
        hp.write_bytes(hdata)
        vp.write_bytes(vdata)
        ref = report_view(hp, vp, tree, sweep, "python")
        fast = report_view(hp, vp, tree, sweep, "columnar")
    assert fast == ref


def test_columnar_report_is_arrays(tmp_path: Path) -> None:
    from gridgov.examples import reference_county, reference_households, simulated_sweep_day

    tree = reference_county(seed=2, scale=0.02)
    hhs = reference_households(tree, seed=2)
    sweep, visits = simulated_sweep_day(tree, hhs, seed=2)
    hp, vp = tmp_path / "h.csv", tmp_path / "v.csv"
    hp.write_text(households_csv_text(hhs), encoding="utf-8")
    vp.write_text(visits_csv_text(visits), encoding="utf-8")
    fast = coverage_from_csv(tree, hp, vp, sweep, engine="columnar")
    ref = coverage_from_csv(tree, hp, vp, sweep, engine="python")
    assert type(fast.state).__name__ == "_State"
    assert fast.columns == ref.columns
    assert fast.table("grid") == ref.table("grid")


@st.composite
def time_texts(draw: st.DrawFn) -> str:
    year = draw(st.sampled_from(["2020", "2021", "2024", "1900", "2000", "0001", "0000", "9999"]))
    month = draw(st.sampled_from(["01", "02", "03", "12", "13", "00", "1a"]))
    day = draw(st.sampled_from(["01", "28", "29", "30", "31", "32", "00"]))
    clock = draw(
        st.sampled_from(
            [
                "08:00:00",
                "23:59:59",
                "00:00:00",
                "24:00:00",
                "12:60:00",
                "12:00:60",
                "8:00:000",
                "12:34:56",
            ]
        )
    )
    tail = draw(
        st.sampled_from(
            [
                "",
                "Z",
                "+08:00",
                "-05:30",
                "+00:00",
                "-00:00",
                "+23:59",
                "+24:00",
                "+08:60",
                "+0800",
                ".5+08:00",
                "z",
                " ",
            ]
        )
    )
    sep = draw(st.sampled_from(["T", "T", " "]))
    return f"{year}-{month}-{day}{sep}{clock}{tail}"


@given(st.lists(time_texts(), max_size=30), st.booleans(), st.sampled_from([-8, 0, 5]))
def test_time_arithmetic_equals_the_reference_parser(
    texts: list[str], aware: bool, hours: int
) -> None:
    from gridgov._arrow import strings
    from gridgov.sweep.columnar_coverage import _NOT_PLACED, _REASON_CODE, _times
    from gridgov.sweep.csv_coverage import _TimeParser
    from gridgov.sweep.model import Sweep
    from gridgov.sweep.rules import TimeRule

    zone = dt.timezone(dt.timedelta(hours=hours)) if aware else None
    start = dt.datetime(2020, 1, 1, tzinfo=zone)
    rule = TimeRule.of(Sweep("S", "C", start, start + dt.timedelta(days=400)))
    parser = _TimeParser(rule, {})
    want = []
    for text in texts:
        got = parser.parse(text)
        want.append(_NOT_PLACED if got is None else _REASON_CODE.get(got, got))  # type: ignore[arg-type]
    assert _times(strings(texts), rule).tolist() == want


def test_same_latest_time_the_larger_visit_id_wins(tmp_path: Path) -> None:
    from gridgov.org import Hierarchy, Unit
    from gridgov.sweep import Sweep

    tree = Hierarchy()
    tree.add(Unit("C", "county"), None)
    tree.add(Unit("B", "building"), "C")
    hp, vp = tmp_path / "h.csv", tmp_path / "v.csv"
    hp.write_text("id,building,floor,occupancy\nh1,B,1,\nh2,B,2,\n")
    at = "2020-02-10T09:00:00+08:00"
    vp.write_text(
        "id,household,at,outcome\n"
        f"V9,h1,{at},refused\nV10,h1,{at},not-at-home\nV2,h1,2020-02-10T08:00:00+08:00,no-access\n"
        f"A,h2,{at},not-at-home\nB,h2,{at},refused\n"
    )
    zone = dt.timezone(dt.timedelta(hours=8))
    sweep = Sweep(
        "S", "C", dt.datetime(2020, 2, 10, tzinfo=zone), dt.datetime(2020, 2, 11, tzinfo=zone)
    )
    fast = coverage_from_csv(tree, hp, vp, sweep, engine="columnar")
    ref = coverage_from_csv(tree, hp, vp, sweep, engine="python")
    assert type(fast.state).__name__ == "_State"
    assert fast.columns == ref.columns
    assert [fast.status(h) for h in ("h1", "h2")] == [ref.status(h) for h in ("h1", "h2")]
    assert [ref.status(h) for h in ("h1", "h2")] == ["refused", "refused"]


def some_chunked(parts: list[list[str]]) -> tuple[list[Any], list[str]]:
    """Arrow arrays of the cells (those of an even count chunked), and every cell in order."""
    from gridgov._arrow import strings

    arrays = []
    for cells in parts:
        arr = strings(cells)
        arrays.append(arr if len(cells) % 2 else pa.chunked_array([arr.slice(0, 1), arr.slice(1)]))
    return arrays, [c for cells in parts for c in cells]


@given(st.lists(st.lists(st.sampled_from(["a", "b", "", "ab", "é", " a"]), max_size=6), max_size=5))
def test_joint_codes_are_one_encoding(parts: list[list[str]]) -> None:
    from gridgov._arrow import joint_codes

    arrays, flat = some_chunked(parts)
    order: dict[str, int] = {}
    want = [order.setdefault(c, len(order)) for c in flat]
    assert joint_codes(*arrays).tolist() == want


@given(
    st.one_of(
        st.sampled_from(HOSTILE_COUNTS),
        st.text(st.sampled_from(["0", "1", "9", "+", "-", " ", "\t", ".", "_", "\uff11", "e"])),
    )
)
def test_counts_follow_the_number_grammar(text: str) -> None:
    from gridgov.numbers import NumberError, parse_int
    from gridgov.sweep.visit_format import VisitRowParser

    p = VisitRowParser.for_header(["id", "household", "at", "persons"], "v.csv")
    got = p.count(text, "persons", 2)
    stripped = text.strip(" \t")
    try:
        want: int | None = parse_int(stripped) if stripped else 0
    except NumberError:
        want = None
    if want is not None and want < 0:
        want = None
    assert got == want
    assert bool(p.errors.items) == (want is None)


_KEY_TEXTS = st.lists(
    st.lists(
        st.one_of(
            st.text(st.sampled_from("H0123456789"), max_size=9),
            st.text(st.sampled_from(["a", "é", "中", " ", "-", "\x00", "Z"]), max_size=4),
            st.text(max_size=3),
            st.text(st.sampled_from("0123456789abcdefghijklmnopqrstuvwxyz"), max_size=40),
        ),
        max_size=8,
    ),
    min_size=1,
    max_size=4,
)


@given(_KEY_TEXTS)
def test_first_index_is_the_first_equal_cell(parts: list[list[str]]) -> None:
    import gridgov._text_keys as keys
    from gridgov._text_keys import _by_hashing, _by_sort, first_index, packed_keys

    arrays, flat = some_chunked(parts)
    seen: dict[str, int] = {}
    want = [seen.setdefault(c, k) for k, c in enumerate(flat)]
    rows, sample = keys.ROWS, keys.SAMPLE
    try:  # also in blocks of three cells (every block boundary crossed), a 2-cell sample
        for keys.ROWS, keys.SAMPLE in ((rows, sample), (3, 2)):
            assert first_index(*arrays).tolist() == want
            if not flat:
                continue
            # every way: the one sort, the argsort of wide keys, Arrow's hashing
            assert _by_hashing(tuple(arrays), len(flat)).tolist() == want
            packed = packed_keys(tuple(arrays))
            if packed is not None:
                assert _by_sort(packed[0], 64, len(flat)).tolist() == want
                assert _by_sort(packed[0], packed[1], len(flat)).tolist() == want
    finally:
        keys.ROWS, keys.SAMPLE = rows, sample


@given(st.binary(max_size=40).map(lambda b: b.replace(b"\x01", b"\n")))
def test_blank_line_search_is_the_two_byte_search(block: bytes) -> None:
    from gridgov.sweep.columnar_coverage import _blank_line

    assert _blank_line(block) == (b"\n\n" in block)
