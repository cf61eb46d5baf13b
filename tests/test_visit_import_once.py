"""The import that reads a checked file once == the import that reads it again.

``import_visits`` keeps the visits of its check pass (files of at most
``visit_io.KEEP`` visits) instead of reading the file a second time; both paths
must store the same versions in the same order, count the same and report the
same batches and the same conflicts and rejections.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridgov.org import Hierarchy, Unit
from gridgov.store import codec, open_store
from gridgov.store.visit_io import BatchReport, check_file, import_visits
from gridgov.sweep.model import Household, Outcome, Sweep, Visit
from gridgov.sweep.visit_format import write_visits

T0 = dt.datetime(2022, 4, 1)
OUTCOMES = list(Outcome)

visit = st.builds(
    lambda i, h, s, o, p, note: Visit(
        f"v{i}",
        "s1",
        f"h{h}",
        T0 + dt.timedelta(minutes=s),
        outcome=OUTCOMES[o],
        persons_seen=p,
        persons_registered=p,
        note=note,
    ),
    st.integers(0, 12),  # few ids: repeats and conflicts
    st.integers(0, 7),  # h6, h7 are not on the register: rejected
    st.integers(-30, 1500),  # some outside the window
    st.integers(0, len(OUTCOMES) - 1),
    st.integers(0, 3),
    st.sampled_from(["", "x", 'é,"q"']),
)


def _store(url: str) -> None:
    store = open_store(url)
    store.save_hierarchy(
        Hierarchy.from_units(
            [
                (Unit("C", "county"), None),
                (Unit("B0", "building"), "C"),
                (Unit("B1", "building"), "C"),
            ]
        )
    )
    store.save_households(Household(f"h{i}", f"B{i % 2}") for i in range(6))
    store.save_sweep(Sweep("s1", "C", T0, T0 + dt.timedelta(days=1)))
    store.close()


def _run(tmp: Path, name: str, path: Path, keep: int, batch: int) -> tuple[object, ...]:
    url = f"sqlite:///{tmp / name}"
    _store(url)
    store = open_store(url)
    reports: list[BatchReport] = []
    try:
        checked = check_file(path, keep=keep)
        assert (checked.visits is None) == (keep == 0 or keep < checked.count)
        results = [
            import_visits(store, path, batch_size=batch, on_batch=reports.append, checked=checked)
            for _ in range(2)  # the second import stores nothing new
        ]
        return (
            [(r.number, r.first_row, r.last_row, r.result) for r in reports],
            results,
            list(store.visits()),
            store.count_visits(),
            store.sweep_counts("s1"),
            store.conflicts("s1"),
        )
    finally:
        store.close()


@given(st.lists(visit, max_size=40), st.integers(1, 7))
def test_reading_once_stores_what_reading_again_stores(
    tmp_path_factory: pytest.TempPathFactory, visits: list[Visit], batch: int
) -> None:
    tmp = tmp_path_factory.mktemp("once")
    path = tmp / "visits.csv"
    write_visits(visits, path)
    once = _run(tmp, "once.db", path, 10_000, batch)
    again = _run(tmp, "again.db", path, 0, batch)
    assert once == again
    assert once[3] == len({(v.id, v) for v in visits if v.household not in ("h6", "h7")})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)


@given(json_values)
def test_stored_documents_are_the_canonical_json_of_the_stdlib(value: object) -> None:
    expected = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert codec.dumps(value) == expected
