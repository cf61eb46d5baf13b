"""The demo's report in a real browser: headless Chromium, no console errors, the DOM checked.

Skipped without Chromium, required in CI (``GRIDGOV_REQUIRE_BROWSER=1`` in .ci/run).
``GRIDGOV_SCREENSHOTS=DIR`` also saves the screenshots the docs show.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gridgov.cli import main
from gridgov.report import build_report, report_html
from gridgov.store import open_store
from gridgov.sweep import coverage
from tests.browser import Browser, require_chromium


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "gridgov-demo"
    assert main(["demo", "--out", str(out), "--duty-seconds", "1"]) == 0
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser(require_chromium()) as b:
        yield b


def _shots() -> Path | None:
    where = os.environ.get("GRIDGOV_SCREENSHOTS")
    return Path(where) if where else None


def test_the_demo_report_renders_with_no_console_errors(demo: Path, browser: Browser) -> None:
    page = demo / "report.html"
    browser.viewport(1200, 900)
    browser.open(page)
    assert browser.problems() == []
    # nothing was loaded from anywhere: no network, no CDN, not even a local file
    assert browser.evaluate("performance.getEntriesByType('resource').length") == 0
    store = open_store(f"sqlite:///{demo / 'gridgov.db'}")
    try:
        tree = store.hierarchy()
        assert tree is not None
        (sweep,) = store.sweeps()
        stored = store.sweep_counts(sweep.id)
        cov = coverage(
            tree,
            list(store.households()),
            store.visits(sweep=sweep.id),
            sweep,
            resolutions=store.resolutions(sweep.id),
        )
    finally:
        store.close()
    shown = browser.evaluate(
        """Array.from(document.querySelectorAll('.tree [data-unit]')).map(e => ({
             unit: e.dataset.unit, level: e.dataset.level,
             name: e.querySelector('.name').textContent,
             pct: e.querySelector('.pct').textContent,
             below: e.classList.contains('below'),
             fill: parseFloat(e.querySelector('.bar > span').style.width)}))"""
    )
    by_unit = {row["unit"]: row for row in shown}
    communities = tree.at_level("community")
    assert len(communities) == 12
    for level in ("county", "township", "community", "grid"):
        for uid in tree.at_level(level):
            row = by_unit[uid]
            counts = stored[uid]
            assert counts == cov.counts(uid)  # the store's figure is the library's
            assert row["name"] == tree[uid].name
            assert row["pct"] == f"{counts.coverage:.1%}"
            assert row["fill"] == pytest.approx(round(counts.coverage * 100, 1))
            assert row["below"] == (counts.coverage < 0.9)
    assert not any(row["level"] == "building" for row in shown)
    # every community is named on the page as a reader sees it
    text = browser.evaluate("document.body.innerText")
    for uid in communities:
        assert tree[uid].name in text
    # the roster grid: one row per post, nights marked
    posts = browser.evaluate("document.querySelectorAll('table.roster tbody tr').length")
    nights = browser.evaluate("document.querySelectorAll('table.roster .shift.night').length")
    assert posts == 133 and nights > 0
    assert browser.evaluate("document.querySelectorAll('#queue-oldest tbody tr').length") == 100
    shots = _shots()
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
        browser.evaluate("document.querySelectorAll('.tree > details')[0].open = true")
        browser.screenshot(shots / "report.png")


def test_drill_down_from_county_to_grids(demo: Path, browser: Browser) -> None:
    browser.open(demo / "report.html")
    visible = "el => el.checkVisibility()"
    first_grid = "document.querySelector('[data-level=grid]')"
    assert browser.evaluate(f"({visible})({first_grid})") is False
    browser.evaluate("document.getElementById('expand').click()")
    assert browser.evaluate(f"({visible})({first_grid})") is True
    browser.evaluate("document.getElementById('collapse').click()")
    assert (
        browser.evaluate("Array.from(document.querySelectorAll('details')).some(d => d.open)")
        is False
    )
    browser.evaluate("document.getElementById('below').click()")
    opened = browser.evaluate(
        "Array.from(document.querySelectorAll('.tree details')).filter(d => d.open).length"
    )
    assert opened > 0
    assert browser.problems() == []


def test_readable_on_a_phone_and_printable(demo: Path, browser: Browser) -> None:
    browser.open(demo / "report.html")
    browser.viewport(375, 812, mobile=True)
    # the page itself never scrolls sideways; wide tables scroll inside their box
    assert browser.evaluate("document.documentElement.scrollWidth") <= 375
    font = browser.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 14
    shots = _shots()
    if shots:
        browser.screenshot(shots / "report-phone.png")
    browser.viewport(1200, 900)
    pdf = browser.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    # printing opened every drill-down, so the paper shows all of it
    assert browser.evaluate("Array.from(document.querySelectorAll('details')).every(d => d.open)")
    assert browser.problems() == []


def test_hostile_names_stay_text_in_the_browser(tmp_path: Path, browser: Browser) -> None:
    import datetime as dt

    from gridgov.org import Hierarchy, Unit
    from gridgov.sweep import Household, Sweep, Visit

    evil = "<img src=x onerror=alert(1)><script>alert(2)</script>&amp;"
    tree = Hierarchy.from_units(
        [
            (Unit("C", "county", evil), None),
            (Unit("G", "grid", evil), "C"),
            (Unit("B", "building", "B"), "G"),
        ]
    )
    start = dt.datetime(2026, 12, 1, 8)
    sweep = Sweep("S", "C", start, start + dt.timedelta(hours=8), evil)
    report = build_report(
        tree, [Household("H", "B")], sweep, [Visit("V", "S", "H", start)], at=sweep.end
    )
    page = tmp_path / "evil.html"
    page.write_text(report_html(report), encoding="utf-8")
    browser.open(page)
    assert browser.problems() == []
    assert browser.evaluate("document.scripts.length") == 1
    assert browser.evaluate("document.images.length") == 0
    names = browser.evaluate(
        "Array.from(document.querySelectorAll('.name')).map(e => e.textContent)"
    )
    assert names == [evil, evil]
