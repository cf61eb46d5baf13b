"""``gridgov report``: the values it shows are the library's own, escaped and masked."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.cli import main
from gridgov.duty import Assignment, Horizon, Post, Problem, Resource, Roster, ShiftType, StaffNeed
from gridgov.org import Hierarchy, Unit
from gridgov.report import build_report, report_html, roster_from_doc, roster_grid
from gridgov.serialize import unstructure
from gridgov.store import open_store
from gridgov.strategies import households, sweep_trees, sweeps, visit_logs
from gridgov.sweep import Household, Isolation, Outcome, Resident, Sweep, Visit, coverage
from gridgov.sweep.residents_io import read_residents, residents_jsonl_text
from gridgov.testing import hostile_text


class _Page(HTMLParser):
    """Tags and text of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


@settings(max_examples=30)
@given(st.data())
def test_bars_queue_and_counts_are_the_librarys(data: st.DataObject) -> None:
    tree = data.draw(sweep_trees())
    hhs = data.draw(households(tree, max_size=30))
    sweep = data.draw(sweeps(tree))
    visits = data.draw(visit_logs(hhs, sweep, max_size=40))
    threshold = data.draw(st.sampled_from([0.0, 0.5, 0.9, 1.0]))
    report = build_report(tree, hhs, sweep, visits, at=sweep.end, threshold=threshold)
    cov = coverage(tree, hhs, visits, sweep)
    shown = report.coverage.walk()
    assert shown[0].unit == sweep.scope
    buildings = {h.building for h in hhs}
    for bar in shown:
        c = cov.counts(bar.unit)
        assert (bar.target, bar.reached, bar.coverage) == (c.target, c.reached, c.coverage)
        assert (bar.visited, bar.revisits) == (c.visited, c.revisits)
        assert bar.below == (c.target > 0 and c.coverage < threshold)
        assert bar.unit not in buildings or bar.unit == sweep.scope
        assert [k.unit for k in bar.children] == [
            k for k in tree.children(bar.unit) if tree[k].level in ("community", "grid")
        ]
    q = report.queue
    assert q.total == len(cov.revisit_queue(sweep.end)) == cov.counts().revisits
    assert sum(n for _, n in q.by_reason) == sum(n for _, n in q.by_age) == q.total
    if tree[sweep.scope].level != "grid":  # the queue by grid covers the whole scope
        assert sum(n for *_, n in q.by_unit) == q.total
    html = report_html(report)
    text = "".join(_parse(html).text)
    for bar in shown:
        assert f"{bar.coverage:.1%}" in text


@settings(max_examples=30)
@given(name=hostile_text(), purpose=hostile_text())
def test_every_text_is_escaped(name: str, purpose: str) -> None:
    tree = Hierarchy.from_units(
        [
            (Unit("C", "county", name), None),
            (Unit("G", "grid", name), "C"),
            (Unit("B", "building", name), "G"),
        ]
    )
    start = dt.datetime(2026, 12, 1, 8)
    sweep = Sweep("S<1>", "C", start, start + dt.timedelta(hours=8), purpose)
    hh = [Household("H&1", "B")]
    visits = [Visit("V1", sweep.id, "H&1", start + dt.timedelta(hours=1), outcome=Outcome.REFUSED)]
    html = report_html(build_report(tree, hh, sweep, visits, at=sweep.end))
    page = _parse(html)
    assert page.tags.count("script") == 1  # only the page's own
    assert all(not (v or "").startswith(("http:", "https:", "//")) for _, v in page.attrs)
    text = "".join(page.text)
    assert "H&1" in text and "S<1>" in text
    if name.strip():
        assert name in text


def _duty() -> tuple[Problem, Roster]:
    shifts = (ShiftType("D", 480, dt.time(8)), ShiftType("N", 600, dt.time(21), night=True))
    posts = (Post("P1", "Gate <1>", needs=(StaffNeed("D", min=1), StaffNeed("N", min=2))),)
    people = (
        Resource("A", "Zhang Wei", kind="person", cadre=True),
        Resource("B", "Team B"),
        Resource("C", "Li Na", kind="person"),
    )
    problem = Problem(Horizon(dt.date(2026, 12, 1), 2), shifts, posts, people, name="Gates")
    roster = Roster(
        (
            Assignment("A", 0, "D", "P1"),
            Assignment("B", 0, "N", "P1"),
            Assignment("C", 0, "N", "P1"),
            Assignment("C", 1, "D", "P1"),
            Assignment("B", 1, "N", "P1"),
        )
    )
    return problem, roster


def test_roster_grid_marks_nights_and_gaps_and_masks_people() -> None:
    problem, roster = _duty()
    grid = roster_grid(problem, roster, roster_id="R", version=3)
    assert grid.shifts == len(roster.assignments)
    (row,) = grid.rows
    day0, day1 = row.days
    assert [(c.shift, c.night, c.short) for c in day0] == [("D", False, 0), ("N", True, 0)]
    assert [(c.shift, c.night, c.short) for c in day1] == [("D", False, 0), ("N", True, 1)]
    assert grid.gaps == 1
    names = {n for day in row.days for c in day for n in c.staff}
    assert names == {"Z** (A)", "Team B", "L** (C)"}
    revealed = roster_grid(problem, roster, mask=False)
    assert {n for day in revealed.rows[0].days for c in day for n in c.staff} == {
        "Zhang Wei",
        "Team B",
        "Li Na",
    }


def _county() -> tuple[Hierarchy, list[Household], Sweep, list[Visit]]:
    tree = Hierarchy.from_units(
        [
            (Unit("C", "county", "County"), None),
            (Unit("K1", "community", "North"), "C"),
            (Unit("K1G1", "grid", "North 1"), "K1"),
            (Unit("K1G1B1", "building", "B1"), "K1G1"),
            (Unit("K2", "community", "South"), "C"),
            (Unit("K2G1", "grid", "South 1"), "K2"),
            (Unit("K2G1B1", "building", "B2"), "K2G1"),
        ]
    )
    hhs = [Household(f"H{i}", "K1G1B1" if i < 4 else "K2G1B1") for i in range(8)]
    start = dt.datetime(2026, 12, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    sweep = Sweep("S1", "C", start, start + dt.timedelta(hours=12), "door to door")
    visits = [
        Visit(f"V{i}", "S1", f"H{i}", start + dt.timedelta(hours=1 + i % 3))
        for i in (0, 1, 2, 3, 4)
    ] + [Visit("V9", "S1", "H5", start + dt.timedelta(hours=2), outcome=Outcome.NOT_AT_HOME)]
    return tree, hhs, sweep, visits


def test_follow_up_buckets_and_masked_residents() -> None:
    tree, hhs, sweep, visits = _county()
    day = sweep.start.date()
    residents = [
        Resident("R0", "H0", "Wang Fang", elderly=True),  # household verified: seen
        Resident("R5", "H5", "Zhao Lei", isolation=Isolation(day, day)),  # not at home
        Resident("R7", "H7", "Sun Li", disabled=True),  # never visited
    ]
    report = build_report(tree, hhs, sweep, visits, at=sweep.end, residents=residents)
    f = report.followup
    assert f is not None
    assert (f.due, f.seen) == (3, 1)
    assert dict(f.buckets) == {"1": 1, "2": 0, "3": 0, ">3": 0, "never": 2}
    assert [(r.resident, r.name, r.why, r.bucket) for r in f.overdue] == [
        ("R5", "Z**", "<masked>", "never"),
        ("R7", "S**", "<masked>", "never"),
    ]
    html = report_html(report)
    assert "Zhao Lei" not in html and "<td>isolated</td>" not in html
    shown = build_report(tree, hhs, sweep, visits, at=sweep.end, residents=residents, mask=False)
    assert shown.followup is not None
    assert [r.why for r in shown.followup.overdue] == ["isolated", "disabled"]
    assert "Zhao Lei" in report_html(shown)


def test_below_threshold_and_queue_by_place() -> None:
    tree, hhs, sweep, visits = _county()
    report = build_report(tree, hhs, sweep, visits, at=sweep.end, threshold=0.9)
    by_unit = {b.unit: b for b in report.coverage.walk()}
    assert set(by_unit) == {"C", "K1", "K1G1", "K2", "K2G1"}
    assert (by_unit["K1"].coverage, by_unit["K1"].below) == (1.0, False)
    assert (by_unit["K2"].reached, by_unit["K2"].target, by_unit["K2"].below) == (1, 4, True)
    assert [b.unit for b in report.below] == ["C", "K2", "K2G1"]
    q = report.queue
    assert q.total == 3 and dict(q.by_reason) == {"not-visited": 2, "not-at-home": 1}
    assert [(u, n) for u, _, n in q.by_unit] == [("K2G1", 3), ("K1G1", 0)]
    assert q.oldest[0].place == ("South", "South 1", "B2")
    assert q.oldest[0].age == dt.timedelta(hours=12)
    html = report_html(report)
    assert 'class="unit below" id="u-K2"' in html and 'class="unit" id="u-K1"' in html


def test_roster_documents_in_both_stored_forms() -> None:
    _, roster = _duty()
    rows = [
        {"employee": a.resource, "day": a.day, "shift": a.shift, "post": a.post}
        for a in roster.assignments
    ]
    assert roster_from_doc(rows) == roster
    assert roster_from_doc(unstructure(roster)) == roster
    with pytest.raises(Exception, match="roster row 1"):
        roster_from_doc([{"employee": "A", "shift": "D"}])


def _workspace(tmp: Path) -> Path:
    ws = tmp / "ws"
    assert main(["init", str(ws), "--store", "sqlite:///gridgov.db"]) == 0
    tree, hhs, sweep, visits = _county()
    problem, roster = _duty()
    store = open_store(f"sqlite:///{ws / 'gridgov.db'}")
    try:
        store.save_hierarchy(tree)
        store.save_households(hhs)
        store.save_sweep(sweep)
        store.append_visits(visits)
        store.save_problem("gates", unstructure(problem))
        rows = [attrs.asdict(a) | {"employee": a.resource} for a in roster.assignments]
        store.save_roster("gates", rows, status="published")
    finally:
        store.close()
    return ws


def test_cli_report_from_a_workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path)
    residents = tmp_path / "residents.jsonl"
    residents.write_text(
        residents_jsonl_text([Resident("R5", "H5", "Zhao Lei", elderly=True)], mask=False),
        encoding="utf-8",
    )
    assert read_residents(residents)[0].name == "Zhao Lei"
    out = tmp_path / "r.html"
    code = main(
        [
            "report",
            "-w",
            str(ws),
            "--out",
            str(out),
            "--residents",
            str(residents),
            "--at",
            "2026-12-01T10:00:00+08:00",
        ]
    )
    assert code == 0
    said = capsys.readouterr().out
    assert "5 of 8 reached (62.5%)" in said and "roster gates with 1 gaps" in said
    html = out.read_text(encoding="utf-8")
    assert "Gate &lt;1&gt;" in html and "Z** (A)" in html and "Zhang Wei" not in html
    assert "Zhao Lei" not in html and "as of 2026-12-01T10:00+08:00" in html
    assert main(["report", "-w", str(ws), "--out", str(out), "--reveal-personal"]) == 0
    assert "Zhang Wei" in out.read_text(encoding="utf-8")
    assert main(["report", "-w", str(ws)]) == 0  # default: report.html in the workspace
    assert (ws / "report.html").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--sweep", "nope"], 1, "no sweep 'nope' in the store (stored: S1)"),
        (["--roster", "nope"], 1, "no published roster 'nope'"),
        (["--at", "yesterday"], 2, "--at: not an ISO 8601 time"),
        (["--threshold", "1.5"], 2, "--threshold must be between 0 and 1"),
        (["--down-to", "planet"], 2, "unknown level 'planet'"),
        (["--residents", "missing.jsonl"], 1, "missing.jsonl: no such file"),
    ],
)
def test_cli_report_errors_are_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    code: int,
    message: str,
) -> None:
    ws = _workspace(tmp_path)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "r.html"
    assert main(["report", "-w", str(ws), "--out", str(out), *args]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_bad_residents_lines_are_all_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = _workspace(tmp_path)
    bad = tmp_path / "res.jsonl"
    good = json.dumps(unstructure(Resident("R1", "H1")))
    bad.write_text(f'{good}\n{{"id": "R2"}}\nnot json\n[1]\n', encoding="utf-8")
    assert main(["report", "-w", str(ws), "--residents", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2: $.household" in err or f"{bad}:2:" in err
    assert f"{bad}:3: not valid JSON" in err and f"{bad}:4: expected a JSON object" in err
    bad.write_bytes(b'{"id": "\xff"}\n')
    assert main(["report", "-w", str(ws), "--residents", str(bad)]) == 1
    assert "not UTF-8 text" in capsys.readouterr().err


def test_cli_report_needs_a_sweep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "empty"
    assert main(["init", str(ws)]) == 0
    assert main(["report", "-w", str(ws)]) == 1
    assert "no hierarchy in the store" in capsys.readouterr().err


def test_report_counts_what_the_store_counts_after_a_resolution(tmp_path: Path) -> None:
    from gridgov.report import load_report

    ws = _workspace(tmp_path)
    store = open_store(f"sqlite:///{ws / 'gridgov.db'}")
    try:
        sweep = store.sweep("S1")
        assert sweep is not None
        # H6 was never visited; a visit of it arrives twice with different outcomes
        at = sweep.start + dt.timedelta(hours=3)
        store.append_visits([Visit("VX", "S1", "H6", at, outcome=Outcome.REFUSED)])
        store.append_visits([Visit("VX", "S1", "H6", at, outcome=Outcome.VERIFIED)])
        before = load_report(store, at=sweep.end)
        assert before.coverage.reached == 5 and any("conflicting" in n for n in before.notes)
        assert before.coverage.reached == store.sweep_counts("S1")["C"].reached
        store.resolve("S1", "VX", 2, note="phoned")
        after = load_report(store, at=sweep.end)
        assert after.coverage.reached == 6 == store.sweep_counts("S1")["C"].reached
        assert after.queue.total == before.queue.total - 1
    finally:
        store.close()
