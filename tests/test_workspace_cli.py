"""The workspace commands end to end, in-process, on real SQLite files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from gridgov.cli import main
from gridgov.examples import reference_county
from gridgov.org import read_csv, write_csv
from gridgov.store import open_store
from gridgov.store.visit_io import write_visits_jsonl
from gridgov.sweep.model import Outcome, Visit
from gridgov.workspace import Workspace

T0 = dt.datetime(2022, 4, 1, 8)


@pytest.fixture
def ws(tmp_path: Path, capsys) -> Path:
    root = tmp_path / "ws"
    assert main(["init", str(root)]) == 0
    tree = reference_county(seed=3, scale=0.02)
    write_csv(tree, tmp_path / "county.csv")
    assert main(["org", "import", str(tmp_path / "county.csv"), "-w", str(root)]) == 0
    assert (
        main(
            [
                "sweep",
                "create",
                "S1",
                "--scope",
                tree.root,
                "--start",
                "2022-04-01T00:00",
                "--end",
                "2022-04-02T00:00",
                "-w",
                str(root),
            ]
        )
        == 0
    )
    capsys.readouterr()
    return root


def _store(root: Path):
    return Workspace.load(root).open_store()


def test_init_writes_a_config_and_creates_the_store(tmp_path: Path, capsys) -> None:
    root = tmp_path / "new"
    assert main(["init", str(root)]) == 0
    assert (root / "gridgov.toml").exists()
    assert (root / "gridgov.db").exists()
    assert "created" in capsys.readouterr().out
    assert main(["init", str(root)]) == 1
    assert "already a workspace" in capsys.readouterr().err
    assert main(["init", str(root), "--force", "--store", "memory://"]) == 0
    assert Workspace.load(root).store_url == "memory://"


def test_org_import_stores_the_tree_and_its_households(ws: Path) -> None:
    store = _store(ws)
    tree = store.hierarchy()
    assert tree is not None
    houses = list(store.households())
    assert len(houses) == len(tree.at_level("household"))
    assert all(tree.parent(h.id) == h.building for h in houses)
    assert [s.id for s in store.sweeps()] == ["S1"]


def _visits(store, n: int, prefix: str = "v") -> list[Visit]:
    houses = [h.id for h in store.households()]
    return [
        Visit(f"{prefix}{i}", "S1", houses[i % len(houses)], T0, "张伟 <b>", list(Outcome)[i % 6])
        for i in range(n)
    ]


def test_import_visits_jsonl_twice_stores_each_once(ws: Path, tmp_path: Path, capsys) -> None:
    store = _store(ws)
    visits = _visits(store, 1234)
    path = tmp_path / "visits.jsonl"
    write_visits_jsonl(visits, path)
    args = ["sweep", "import-visits", str(path), "--batch", "500", "-w", str(ws)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "batch 3 committed: rows 1001-1234, 234 added, 0 already stored" in out
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "1,234 visits read, 0 added, 1,234 already stored" in out
    assert sorted(store.visits(), key=lambda v: v.id) == sorted(visits, key=lambda v: v.id)


def test_import_visits_csv(ws: Path, tmp_path: Path) -> None:
    store = _store(ws)
    h = next(store.households()).id
    path = tmp_path / "visits.csv"
    path.write_text(
        "id,sweep,household,at,outcome,persons_seen,note\n"
        f'a,S1,{h},2022-04-01T09:00,not-at-home,0,"O\'Brien, ""quoted"""\n'
        f"b,S1,{h},2022-04-01T10:00,verified,3,\n",
        encoding="utf-8",
    )
    assert main(["sweep", "import-visits", str(path), "-w", str(ws)]) == 0
    a = next(store.visits(household=h))
    assert (a.id, a.outcome, a.note) == ("a", Outcome.NOT_AT_HOME, 'O\'Brien, "quoted"')
    assert store.count_visits() == 2


def test_bad_rows_are_all_reported_and_nothing_is_written(ws: Path, tmp_path: Path, capsys) -> None:
    store = _store(ws)
    h = next(store.households()).id
    good = {"id": "g", "sweep": "S1", "household": h, "at": "2022-04-01T09:00"}
    lines = [
        json.dumps(good),
        json.dumps({**good, "id": "x", "outcome": "sleeping"}),
        "{not json",
        json.dumps({**good, "id": "y", "at": "yesterday"}),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["sweep", "import-visits", str(path), "-w", str(ws)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3
    assert err[0].startswith(f"gridgov: error: {path}:2: outcome: ")
    assert err[1].startswith(f"gridgov: error: {path}:3: not valid JSON")
    assert err[2].startswith(f"gridgov: error: {path}:4: at: ")
    assert store.count_visits() == 0


def test_conflicts_and_unknown_households_exit_1_and_send_events(
    ws: Path, tmp_path: Path, capsys
) -> None:
    store = _store(ws)
    [v] = _visits(store, 1)
    store.append_visits([v])
    path = tmp_path / "v.jsonl"
    changed = Visit(v.id, v.sweep, v.household, v.at, note="different")
    ghost = Visit("ghost", "S1", "nowhere", T0)
    write_visits_jsonl([changed, ghost], path)
    assert main(["sweep", "import-visits", str(path), "-w", str(ws)]) == 1
    captured = capsys.readouterr()
    assert f"visit '{v.id}': already stored with different content" in captured.err
    assert "visit 'ghost': unknown household 'nowhere'" in captured.err
    assert list(store.visits()) == [v, changed]  # append-only: both versions kept
    log = (ws / "events.log").read_text(encoding="utf-8")
    assert "[visit-rejected]" in log
    assert "ghost" in log


def test_roster_publish_stores_versions_and_notifies(ws: Path, tmp_path: Path, capsys) -> None:
    doc = tmp_path / "roster.csv"
    doc.write_text("post,shift,team,leader\nP1,2022-04-01T08:00,T3,Zhang Wei\n", encoding="utf-8")
    assert main(["roster", "publish", str(doc), "--id", "R1", "--draft", "-w", str(ws)]) == 0
    assert main(["roster", "publish", str(doc), "--id", "R1", "-w", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "roster R1 version 2 stored as published" in out
    assert "1 delivered" in out
    store = _store(ws)
    assert [(r.version, r.status) for r in store.roster_versions("R1")] == [
        (1, "draft"),
        (2, "published"),
    ]
    assert store.roster("R1", status="published").doc == [  # type: ignore[union-attr]
        {"post": "P1", "shift": "2022-04-01T08:00", "team": "T3", "leader": "Zhang Wei"}
    ]
    assert "[roster-published]" in (ws / "events.log").read_text(encoding="utf-8")


def test_notify_flush_retries_a_broken_channel_and_status_shows_it(
    ws: Path, tmp_path: Path, capsys
) -> None:
    config = ws / "gridgov.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('path = "events.log"', 'path = "no-such-dir/x/../../events.log"')
    (ws / "no-such-dir").write_text("a file where a folder should be", encoding="utf-8")
    config.write_text(text, encoding="utf-8")
    doc = tmp_path / "r.json"
    doc.write_text('{"shifts": []}', encoding="utf-8")
    assert main(["roster", "publish", str(doc), "--id", "R2", "-w", str(ws)]) == 0
    assert "1 failed" in capsys.readouterr().out
    assert main(["notify", "status", "--format", "csv", "-w", str(ws)]) == 0
    assert "log,pending,1" in capsys.readouterr().out
    (ws / "no-such-dir").unlink()
    store = _store(ws)
    # the back-off is in the future: make it due now, as time passing would
    store.record_attempt(store.deliveries()[0].event.id, "log", ok=False, next_attempt=0.0)
    assert main(["notify", "flush", "-w", str(ws)]) == 0
    assert "1 delivered" in capsys.readouterr().out
    assert main(["notify", "status", "--format", "csv", "-w", str(ws)]) == 0
    assert "log,delivered,1" in capsys.readouterr().out


def test_store_override_and_missing_workspace(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path}/other.db"
    tree = reference_county(seed=1, scale=0.01)
    write_csv(tree, tmp_path / "c.csv")
    assert (
        main(["org", "import", str(tmp_path / "c.csv"), "--store", url, "-w", str(tmp_path)]) == 0
    )
    assert open_store(url).hierarchy() == read_csv(tmp_path / "c.csv")
    assert main(["notify", "flush", "-w", str(tmp_path / "nowhere")]) == 1
    assert "no gridgov.toml here; run `gridgov init" in capsys.readouterr().err


def test_config_errors_name_the_field(tmp_path: Path, capsys) -> None:
    (tmp_path / "gridgov.toml").write_text(
        '[store]\nurl = "nope"\n[channels.x]\ntype = "log"\nmask = "yes"\n'
        '[[routes]]\nchannels = ["y"]\nevents = ["roster"]\n[extra]\n',
        encoding="utf-8",
    )
    assert main(["notify", "flush", "-w", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    for field in (
        "extra: unknown section",
        "store.url: expected a store URL",
        "channels.x.mask: expected true or false, got 'yes'",
    ):
        assert field in err
    assert "routes[0].events: unknown event kind 'roster'" in err


def test_demo_keeps_everything_in_the_workspace_store(tmp_path: Path, capsys) -> None:
    out = tmp_path / "demo"
    # the roster's 20 s of search by default are nothing this test looks at
    demo = ["demo", "--out", str(out), "--scale", "0.05", "--duty-seconds", "0.5"]
    assert main(demo) == 0
    first = capsys.readouterr().out
    assert f"store: sqlite:///{out.resolve()}/gridgov.db" in first
    assert "1 rejected" in first
    store = Workspace.load(out).open_store()
    tree = store.hierarchy()
    assert tree is not None
    stored = list(store.households())
    # the register: every household unit of the county, plus those discovered on the day
    assert {h.id for h in stored} >= set(tree.at_level("household"))
    assert all(h.building in tree for h in stored)
    assert any(h.discovered for h in stored)
    visits = store.count_visits()
    assert visits > 0
    log = (out / "events.log").read_text(encoding="utf-8").splitlines()
    assert any("[visit-rejected]" in line for line in log)
    assert {d.status for d in store.deliveries()} == {"delivered"}
    # the same day again: nothing new is stored and no event is sent twice
    assert main(demo) == 0
    assert "0 added" in capsys.readouterr().out
    assert store.count_visits() == visits
    assert (out / "events.log").read_text(encoding="utf-8").splitlines() == log


def test_a_csv_with_wrong_columns_is_refused(ws: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "v.csv"
    path.write_text("id,sweep,house,at\n1,S1,h,2022-04-01T00:00\n", encoding="utf-8")
    assert main(["sweep", "import-visits", str(path), "-w", str(ws)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:1: house: unknown column (expected id, household, at, sweep" in err
    assert f"{path}:1: household: missing column" in err
