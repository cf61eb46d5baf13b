"""Issue 12: a NUL (``\\u0000`` in JSON) sent towards PostgreSQL is one located line, not a
``psycopg.DataError`` traceback; nothing is stored. Run against the real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridgov.cli import main
from gridgov.store import open_store

ORG = "id,parent,level,name\nC,,county,C\nB,C,building,B\nh1,B,household,h1\n"


@pytest.fixture
def pg_workspace(fresh_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    ws = tmp_path / "ws"
    assert main(["init", str(ws), "--store", fresh_url]) == 0
    org = tmp_path / "o.csv"
    org.write_text(ORG, encoding="utf-8")
    assert main(["org", "import", str(org), "-w", str(ws)]) == 0
    args = ["sweep", "create", "S", "--scope", "C", "-w", str(ws)]
    assert (
        main([*args, "--start", "2020-02-10T00:00+08:00", "--end", "2020-02-11T00:00+08:00"]) == 0
    )
    capsys.readouterr()
    return ws


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ('"id": "v\\u0000"', "id"),
        ('"id": "v1", "visitor": "w\\u0000"', "visitor"),
        ('"id": "v1", "note": "n\\u0000"', "note"),
        ('"id": "v1", "residents_seen": ["r\\u0000"]', "residents_seen"),
        ('"id": "v1", "sweep": "S\\u0000"', "sweep"),
    ],
)
def test_a_nul_in_a_visit_line_is_one_line_and_nothing_is_stored(
    pg_workspace: Path,
    fresh_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fields: str,
    field: str,
) -> None:
    f = tmp_path / "v.jsonl"
    line = '{"sweep": "S", "household": "h1", "at": "2020-02-10T09:30:00+08:00", ' + fields + "}\n"
    f.write_text(line.replace('"sweep": "S", ', "", 1) if '"sweep"' in fields else line)
    assert main(["sweep", "import-visits", str(f), "-w", str(pg_workspace)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert captured.err.splitlines() == [
        f"gridgov: error: {f}:1: {field}: text must not contain a NUL character (U+0000):"
        " PostgreSQL cannot store one"
    ]
    store = open_store(fresh_url)
    try:
        assert store.count_visits() == 0
    finally:
        store.close()


def test_a_nul_in_an_org_json_id_is_one_line(
    pg_workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "o.json"
    f.write_text(
        '{"levels": ["county"], "units": [{"id": "C\\u0000", "level": "county", "name": "C",'
        ' "parent": null, "attributes": {}}]}',
        encoding="utf-8",
    )
    assert main(["org", "import", str(f), "-w", str(pg_workspace)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert captured.err.startswith(f"gridgov: error: {f}: ") and "NUL" in captured.err
