"""Issue 12: output that can hurt its reader — log lines, chat markdown, Mermaid, file names."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridgov.duty.export import calendar_file_name, write_export
from gridgov.duty.export.ics import event_uid, team_calendars
from gridgov.duty.model import (
    Assignment,
    Horizon,
    Post,
    Problem,
    Resource,
    Roster,
    ShiftType,
    StaffNeed,
)
from gridgov.escape import log_line, markdown_text, mermaid_label, unescape_log_line
from gridgov.fsutil import atomic_write_text, current_umask
from gridgov.org import read_csv_text, to_mermaid

_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@given(st.text())
def test_a_log_record_is_one_line_and_reads_back(text: str) -> None:
    line = log_line(text)
    assert not any(ch in line for ch in _LINE_BREAKS)
    assert "\x1b" not in line and "\u202e" not in line
    assert line.splitlines() in ([line], [])
    assert unescape_log_line(line) == text


def test_forged_log_lines() -> None:
    forged = "K1\r\nevt-999 roster-published ok\u2028x\x85y\x1b[2J"
    assert log_line(forged) == "K1\\r\\nevt-999 roster-published ok\\u2028x\\x85y\\x1b[2J"


def test_log_channel_writes_one_line_per_record_and_a_private_file(tmp_path: Path) -> None:
    from gridgov.events import Event, EventKind
    from gridgov.notify.channel import Message
    from gridgov.notify.channels import LogChannel

    path = tmp_path / "events.log"
    channel = LogChannel(path)
    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    for i, unit in enumerate(["a\rb", "c\u2028d", "e\x85f", "g\x1b[31mh"]):
        event = Event(f"e{i}", EventKind.ROSTER_PUBLISHED, at, unit, "roster")
        channel.send(Message(f"k{i}", event, f"unit {unit}", {}, ()))
    lines = path.read_bytes().decode().split("\n")
    assert len(lines) == 5 and lines[-1] == ""
    assert [ln.split(" ", 1)[0] for ln in lines[:4]] == ["k0", "k1", "k2", "k3"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@given(st.text())
def test_markdown_text_cannot_make_links_or_html(text: str) -> None:
    out = markdown_text(text)
    for ch in "[]()`*_#!|":
        assert all(out[i - 1] == "\\" for i, c in enumerate(out) if c == ch and ch not in "<>")
    assert "<" not in out and ">" not in out
    assert "\n" not in out and "\r" not in out


def test_markdown_link_injection_is_inert() -> None:
    assert markdown_text("[win](http://evil)") == "\\[win\\]\\(http\\://evil\\)"


@given(st.text())
def test_mermaid_labels_hold_no_markup(text: str) -> None:
    out = mermaid_label(text)
    assert not any(ch in out for ch in '"<>\r\n')
    # every '#' starts one of the entities we wrote: nothing pre-encoded survives
    assert out.count("#") == sum(out.count(e) for e in ("#35;", "#amp;", "#quot;", "#lt;", "#gt;"))


def test_mermaid_pre_encoded_entities_stay_text() -> None:
    tree = read_csv_text("id,parent,level,name\nC,,county,#lt;img src=x onerror=alert(1)#gt;\r\n")
    text = to_mermaid(tree)
    assert "#lt;img" not in text and "#35;lt;img" in text


# ---- calendars


def _problem(ids: list[str], start: dt.date = dt.date(2026, 12, 1)) -> Problem:
    return Problem(
        Horizon(start, 3),
        (ShiftType("N", 480, dt.time(22)),),
        (Post("K1", needs=(StaffNeed("N"),)),),
        tuple(Resource(i) for i in ids),
    )


def test_uids_are_per_real_shift_not_per_day_index() -> None:
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    roster = Roster((Assignment("A", 0, "N", "K1"),))
    first = team_calendars(_problem(["A"]), roster, now=now)["A"]
    later = team_calendars(_problem(["A"], dt.date(2026, 12, 8)), roster, now=now)["A"]
    assert b"UID:A/2026-12-01/N/K1@gridgov" in first
    assert b"UID:A/2026-12-08/N/K1@gridgov" in later
    assert event_uid("A-0", dt.date(2026, 12, 1), "N", "K1") != event_uid(
        "A", dt.date(2026, 12, 1), "0-N", "K1"
    )


@pytest.mark.parametrize(
    "ids", [["T/1", "T_1"], [".", ".."], ["A", "a"], ["../../etc/passwd", "x"], ["CON", "nul"]]
)
def test_calendar_files_are_unique_and_inside_the_folder(tmp_path: Path, ids: list[str]) -> None:
    roster = Roster(tuple(Assignment(r, 0, "N", "K1") for r in ids))
    out = tmp_path / "cal"
    written = write_export(_problem(ids), roster, "ics", out)
    assert len(written) == len(ids) == len({p.name.casefold() for p in written})
    assert all(p.parent == out and p.exists() for p in written)
    assert sorted(os.listdir(out)) == sorted(p.name for p in written)


@given(st.text(min_size=1, max_size=20))
def test_calendar_file_names_are_safe(rid: str) -> None:
    name = calendar_file_name(rid)
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert name.endswith(".ics") and len(name) <= 64 + 13


# ---- file modes


def test_written_files_honour_the_umask_and_keep_an_existing_mode(tmp_path: Path) -> None:
    new = tmp_path / "new.csv"
    atomic_write_text(new, "a\n")
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~current_umask()
    old = tmp_path / "old.csv"
    old.write_text("x")
    old.chmod(0o640)
    atomic_write_text(old, "y")
    assert stat.S_IMODE(old.stat().st_mode) == 0o640 and old.read_text() == "y"


def test_the_sqlite_database_and_its_wal_are_private(tmp_path: Path) -> None:
    from gridgov.store import open_store

    db = tmp_path / "w.db"
    store = open_store(f"sqlite:///{db}")
    try:
        from gridgov.examples import reference_county

        store.save_hierarchy(reference_county(seed=0, scale=0.05))
        for f in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            assert f.exists(), f
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    finally:
        store.close()
