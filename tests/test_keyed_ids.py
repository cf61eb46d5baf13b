"""Ids derived from personal data are keyed (HMAC-SHA256 under the workspace secret).

Properties: the same facts under the same secret give the same id (idempotence
across runs); under two secrets, two ids; without the secret, guessing the facts
(names, households, teams) never recomputes an id. The workspace secret is made
with ``secrets`` once, kept in ``gridgov.secret`` with mode 0600, and read back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov import events as ev
from gridgov.cli import main
from gridgov.errors import InvalidInput
from gridgov.privacy import keyed_digest
from gridgov.workspace import SECRET_FILE_NAME, Workspace, read_or_create_secret

AT = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)
SECRETS = st.binary(min_size=16, max_size=64)
TEXT = st.text(min_size=1, max_size=20)


def _personal_events(secret: bytes, name: str, place: str) -> list[ev.Event]:
    """One event of each kind whose natural key derives from personal data."""
    return [
        ev.rule_violation(
            roster="r1", rule="min_rest", unit="C", at=AT, detail=f"{name} ({place})",
            person_name=name, secret=secret,
        ),
        ev.follow_up_overdue(
            household=place, unit="G", due=AT, at=AT, resident_name=name, secret=secret
        ),
        ev.shift_starting(
            roster="r1", post="K1", start=AT, unit="C", at=AT, team=place, leader_name=name,
            secret=secret,
        ),
        ev.visit_rejected(
            visit=f"{place}:1", household=place, unit="G", reason=name, at=AT, secret=secret
        ),
    ]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(SECRETS, SECRETS, TEXT, TEXT)
def test_same_secret_same_ids_other_secret_other_ids(a: bytes, b: bytes, name, place) -> None:
    first = [e.id for e in _personal_events(a, name, place)]
    again = [e.id for e in _personal_events(a, name, place)]  # another run, same workspace
    assert first == again
    if a != b:
        other = [e.id for e in _personal_events(b, name, place)]
        assert all(x != y for x, y in zip(first, other, strict=True))
    organisational = [
        ev.roster_published(roster=place, version=1, unit="U", at=AT, secret=a).id,
        ev.coverage_below(sweep=place, unit="U", coverage=0.1, threshold=0.5, at=AT, secret=a).id,
    ]
    assert organisational == [
        ev.roster_published(roster=place, version=1, unit="U", at=AT, secret=a).id,
        ev.coverage_below(sweep=place, unit="U", coverage=0.1, threshold=0.5, at=AT, secret=a).id,
    ]


def test_an_id_cannot_be_recomputed_from_guessed_names_without_the_secret() -> None:
    """The attack of issue 12: hash every candidate name into the key, compare."""
    secret = os.urandom(32)
    names = [f"{s} {g}" for s in ("Zhang", "Wang", "Li", "Zhao") for g in ("Wei", "Fang", "Na")]
    (event,) = _personal_events(secret, "Zhang Wei", "K01")[:1]
    wrong = os.urandom(32)
    for guess in names:
        key = ("r1", "min_rest", f"{guess} (K01)")
        text = "\x1f".join([ev.EventKind.RULE_VIOLATION.value, *key])
        assert event.id != "evt_" + hashlib.sha256(text.encode()).hexdigest()[:24]
        assert event.id != ev.event_id(ev.EventKind.RULE_VIOLATION, *key)
        assert event.id != ev.event_id(ev.EventKind.RULE_VIOLATION, *key, secret=wrong)
    # with the secret it is the HMAC of exactly those facts
    key = ("r1", "min_rest", "Zhang Wei (K01)")
    assert event.id == ev.event_id(ev.EventKind.RULE_VIOLATION, *key, secret=secret)


def test_events_from_personal_data_require_the_secret() -> None:
    with pytest.raises(TypeError, match="secret"):
        ev.rule_violation(roster="r", rule="x", unit="U", at=AT, person_name="Li Na")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="secret"):
        ev.follow_up_overdue(household="h", unit="U", due=AT, at=AT)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="at least 16 bytes"):
        keyed_digest(b"short", "x")


def test_the_workspace_secret_is_made_once_private_and_read_back(tmp_path: Path, capsys) -> None:
    old = os.umask(0o022)
    try:
        assert main(["init", str(tmp_path / "a")]) == 0
        assert main(["init", str(tmp_path / "b")]) == 0
    finally:
        os.umask(old)
    a, b = Workspace.load(tmp_path / "a"), Workspace.load(tmp_path / "b")
    path = tmp_path / "a" / SECRET_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(a.secret()) == 32 and a.secret() == Workspace.load(tmp_path / "a").secret()
    assert a.secret() != b.secret()
    # a workspace made before the secret existed gets it on first use
    path.unlink()
    made = a.secret()
    assert made == a.secret() and stat.S_IMODE(path.stat().st_mode) == 0o600
    # a bare workspace (no gridgov.toml) writes nothing
    bare = Workspace(tmp_path / "bare")
    (tmp_path / "bare").mkdir()
    assert len(bare.secret()) == 32 and not (tmp_path / "bare" / SECRET_FILE_NAME).exists()


def test_a_broken_secret_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / SECRET_FILE_NAME
    path.write_text("not hex\n", encoding="ascii")
    with pytest.raises(InvalidInput, match=r"gridgov\.secret: not a workspace secret"):
        read_or_create_secret(path)


def test_processes_creating_the_secret_at_once_all_get_the_same(tmp_path: Path) -> None:
    path = tmp_path / SECRET_FILE_NAME
    got: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: got.append(read_or_create_secret(path))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 1 and got[0] == bytes.fromhex(path.read_text(encoding="ascii"))
    assert [p.name for p in tmp_path.iterdir()] == [SECRET_FILE_NAME]  # no temporary left


def test_the_cli_keys_event_ids_with_the_workspace_secret(tmp_path: Path, capsys) -> None:
    root = tmp_path / "ws"
    assert main(["init", str(root)]) == 0
    doc = tmp_path / "roster.csv"
    doc.write_text("post,shift,team,leader\nP1,2022-04-01T08:00,T3,Zhang Wei\n", encoding="utf-8")
    assert main(["roster", "publish", str(doc), "--id", "R1", "-w", str(root)]) == 0
    ws = Workspace.load(root)
    store = ws.open_store()
    try:
        (event,) = store.events()
    finally:
        store.close()
    unit = event.unit
    keyed = ev.roster_published(roster="R1", version=1, unit=unit, at=AT, secret=ws.secret())
    assert event.id == keyed.id
    assert event.id != ev.roster_published(roster="R1", version=1, unit=unit, at=AT).id
