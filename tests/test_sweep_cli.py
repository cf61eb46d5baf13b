"""``gridgov sweep ...`` end to end on real files, good and bad."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import attrs
import pytest

from gridgov.cli import main
from gridgov.examples import reference_county
from gridgov.examples.sweep_day import reference_households, simulated_sweep_day
from gridgov.org import write_csv_text
from gridgov.sweep import Sweep, coverage, households_csv_text

HEADER = "unit_id,name,level,target,reached,coverage,not_at_home,refused,vacant,no_access"


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory):
    tree = reference_county(seed=1, scale=0.05)
    hhs = reference_households(tree, seed=1)
    sweep, visits = simulated_sweep_day(tree, hhs, seed=1)
    d = tmp_path_factory.mktemp("county")
    (d / "org.csv").write_text(write_csv_text(tree), encoding="utf-8")
    (d / "hh.csv").write_text(households_csv_text(hhs), encoding="utf-8")
    # the minimal visit format: id,household,at,visitor,outcome (no optional columns)
    lines = ["id,household,at,visitor,outcome"]
    lines += [
        f"{v.id},{v.household},{v.at.isoformat()},{v.visitor},{v.outcome.value}" for v in visits
    ]
    (d / "visits.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tree, hhs, sweep, visits, d


def _args(d: Path, *extra: str) -> list[str]:
    return [
        "--org",
        str(d / "org.csv"),
        "--households",
        str(d / "hh.csv"),
        "--visits",
        str(d / "visits.csv"),
        *extra,
    ]


def test_coverage_csv_by_community_matches_the_library(county, capsys) -> None:
    tree, hhs, _, visits, d = county
    code = main(["sweep", "coverage", *_args(d, "--by", "community", "--format", "csv")])
    out = capsys.readouterr()
    assert code == 0, out.err
    rows = list(csv.reader(io.StringIO(out.out)))
    assert ",".join(rows[0]) == HEADER
    wide = Sweep("sweep", tree.root, _UTC(1900), _UTC(2200))
    expected = coverage(tree, hhs, [attrs.evolve(v, sweep="sweep") for v in visits], wide)
    assert [tuple(r) for r in rows[1:]] == [
        (r[0], tree[r[0]].name, *map(str, r[1:])) for r in expected.table("community")
    ]
    assert all(len(r[5].split(".")[1]) == 4 for r in rows[1:])
    assert len(rows) - 1 == len(tree.at_level("community"))


def _UTC(year: int) -> dt.datetime:
    return dt.datetime(year, 1, 1, tzinfo=dt.UTC)


def test_coverage_json_and_table(county, capsys) -> None:
    *_, d = county
    assert main(["sweep", "coverage", *_args(d, "--by", "grid", "--format", "json")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data[0]) == set(HEADER.split(","))
    assert all(0 <= r["coverage"] <= 1 for r in data)
    assert main(["sweep", "coverage", *_args(d, "--by", "county")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == HEADER.split(",")
    assert "%" in out.splitlines()[1]


def test_rejects_are_reported_and_never_stop_the_run(county, tmp_path, capsys) -> None:
    *_, d = county
    text = (d / "visits.csv").read_text()
    bad = tmp_path / "visits.csv"
    bad.write_text(
        text
        + "X1,no-such-household,2020-02-10T09:00:00+08:00,w,verified\n"
        + "X2,"
        + text.splitlines()[1].split(",")[1]
        + ",2020-02-11T09:00:00+08:00,w,verified\n"
    )
    for name in ("org.csv", "hh.csv"):
        (tmp_path / name).write_text((d / name).read_text())
    args = _args(tmp_path, "--by", "county", "--format", "csv", "--tz", "+08:00")
    args += ["--start", "2020-02-10T08:00", "--end", "2020-02-10T20:00"]
    assert main(["sweep", "coverage", *args]) == 0
    err = capsys.readouterr().err
    assert "no-such-household" in err
    assert "unknown household" in err
    assert "after the sweep's window" in err
    rej = tmp_path / "rejects.csv"
    assert main(["sweep", "coverage", *args, "--rejects", str(rej)]) == 0
    rows = list(csv.DictReader(rej.open()))
    assert {r["visit_id"]: r["reason"] for r in rows} == {
        "X1": "unknown household",
        "X2": "after the sweep's window",
    }
    n_lines = len(text.splitlines())
    assert {r["row"] for r in rows} == {str(n_lines + 1), str(n_lines + 2)}


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "visits.csv",
            "id,household,at,visitor,outcome\nV1,H,2020-02-10T09:00,w,verified\n"
            "V2,H,yesterday,w,verified\n",
            "visits.csv:3: at: not an ISO 8601 date-time: 'yesterday'",
        ),
        (
            "visits.csv",
            "id,household,at,visitor,outcome\nV1,H,2020-02-10T09:00,w,seen\n",
            "visits.csv:2: outcome: unknown outcome 'seen'",
        ),
        (
            "visits.csv",
            "id,household,at,visitor,outcome,persons\nV1,H,2020-02-10T09:00,w,verified,-2\n",
            "visits.csv:2: persons: not a whole number >= 0: '-2'",
        ),
        (
            "visits.csv",
            "id,household,when,visitor,outcome\n",
            "visits.csv:1: at: missing column",
        ),
        (
            "visits.csv",
            'id,household,at,visitor,outcome\nV1,H,"2020-02-10T09:00",w\n',
            "visits.csv:2: expected 5 fields, found 4",
        ),
        (
            "hh.csv",
            "id,building,floor,occupancy\nH1,nowhere,1,permanent\n",
            "hh.csv:2: building: unknown building 'nowhere'",
        ),
        (
            "hh.csv",
            "id,building,floor,occupancy\nH1,B,one,permanent\n",
            "hh.csv:2: floor: not a whole number: 'one'",
        ),
        (
            "hh.csv",
            "id,building,floor,occupancy\nH1,B,1,castle\n",
            "hh.csv:2: occupancy: unknown occupancy 'castle'",
        ),
    ],
)
def test_bad_input_names_file_row_and_field(tmp_path, capsys, name, content, expected) -> None:
    (tmp_path / "org.csv").write_text(
        "id,parent,level\nC,,county\nG,C,grid\nB,G,building\n", encoding="utf-8"
    )
    (tmp_path / "hh.csv").write_text("id,building,floor,occupancy\nH,B,1,permanent\n")
    (tmp_path / "visits.csv").write_text("id,household,at,visitor,outcome\n")
    (tmp_path / name).write_text(content, encoding="utf-8")
    assert main(["sweep", "coverage", *_args(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"gridgov: error: {tmp_path / expected}" in err, err


def test_not_utf8_and_usage_errors(tmp_path, capsys) -> None:
    (tmp_path / "org.csv").write_text("id,parent,level\nC,,county\nB,C,building\n")
    (tmp_path / "hh.csv").write_bytes(b"id,building,floor,occupancy\nH\xff,B,1,permanent\n")
    (tmp_path / "visits.csv").write_text("id,household,at,visitor,outcome,sweep\n")
    assert main(["sweep", "coverage", *_args(tmp_path)]) == 2
    assert "--sweep ID" in capsys.readouterr().err
    assert main(["sweep", "coverage", *_args(tmp_path, "--sweep", "S")]) == 1
    assert "hh.csv: not UTF-8 text (line 2, byte 29)" in capsys.readouterr().err
    (tmp_path / "hh.csv").write_text("id,building,floor,occupancy\nH,B,1,permanent\n")
    assert main(["sweep", "coverage", *_args(tmp_path, "--sweep", "S", "--by", "planet")]) == 2
    assert main(["sweep", "coverage", *_args(tmp_path, "--sweep", "S", "--tz", "Mars/Base")]) == 2
    assert main(["sweep", "coverage", *_args(tmp_path, "--sweep", "S", "--start", "soon")]) == 2
    err = capsys.readouterr().err
    assert "unknown level 'planet'" in err
    assert "unknown time zone 'Mars/Base'" in err


def test_missed_lists_the_revisit_queue_oldest_first(county, capsys) -> None:
    *_, d = county
    args = _args(d, "--format", "csv", "--now", "2020-02-10T20:00:00+08:00", "--limit", "5")
    assert main(["sweep", "missed", *args]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert 0 < len(rows) <= 5
    ages = [float(r["age_hours"]) for r in rows]
    assert ages == sorted(ages, reverse=True)
    assert all(0 <= a <= 12 for a in ages)  # open window: waiting since the first visit
    assert {r["reason"] for r in rows} <= {
        "not-visited",
        "partly-verified",
        "not-at-home",
        "refused",
        "no-access",
    }


def test_assign_keeps_buildings_whole(county, capsys) -> None:
    tree, *_, d = county
    n_grids = len(tree.at_level("grid"))
    args = ["--org", str(d / "org.csv"), "--households", str(d / "hh.csv")]
    assert main(["sweep", "assign", *args, "--sweepers", str(n_grids + 3), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == n_grids + 3
    buildings = [b for r in rows for b in r["building_ids"].split()]
    assert sorted(buildings) == sorted(set(buildings))
    assert all(r["within"] for r in rows if r["building_ids"])
    assert main(["sweep", "assign", *args, "--sweepers", "0"]) == 2


def test_demo_sweep_step_writes_coverage_and_files_the_cli_reads(tmp_path, capsys) -> None:
    from gridgov.cli.sweep_demo import demo_sweep

    tree = reference_county(seed=2, scale=0.05)
    (tmp_path / "org.csv").write_text(write_csv_text(tree), encoding="utf-8")
    demo_sweep(tree, tmp_path, seed=2)
    out = capsys.readouterr().out
    assert "coverage by community" in out
    assert "re-visit queue:" in out
    demo_rows = (tmp_path / "coverage.csv").read_text().splitlines()
    assert demo_rows[0] == HEADER
    args = ["--org", str(tmp_path / "org.csv"), "--households", str(tmp_path / "households.csv")]
    args += ["--visits", str(tmp_path / "visits.csv"), "--sweep", "S1", "--format", "csv"]
    args += ["--tz", "+08:00", "--start", "2020-02-10T08:00", "--end", "2020-02-10T20:00"]
    assert main(["sweep", "coverage", *args, "--by", "community"]) == 0
    cli_rows = capsys.readouterr().out.splitlines()
    assert cli_rows[1:] == [r for r in demo_rows[1:] if ",community," in r]
