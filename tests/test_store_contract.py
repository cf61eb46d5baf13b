"""The built-in stores run the same contract suite as any plugin."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest

from gridgov.store import MemoryStore, SqliteStore, Store, open_store
from gridgov.testing import StoreContract

_tmp = Path(tempfile.mkdtemp(prefix="gridgov-contract-"))
_n = itertools.count()


class TestMemoryStore(StoreContract):
    def make_store(self) -> Store:
        return MemoryStore()


class TestSqliteStore(StoreContract):
    def make_store(self) -> Store:
        return SqliteStore(f"sqlite:///{_tmp}/c{next(_n)}.db")


class TestOpenedByUrl(StoreContract):
    def make_store(self) -> Store:
        return open_store(f"sqlite:///{_tmp}/u{next(_n)}.db")


def test_urls_pick_the_backend(tmp_path: Path) -> None:
    assert isinstance(open_store("memory://"), MemoryStore)
    assert isinstance(open_store(f"sqlite:///{tmp_path}/x.db"), SqliteStore)


@pytest.fixture(autouse=True, scope="module")
def _cleanup():
    yield
    import shutil

    shutil.rmtree(_tmp, ignore_errors=True)
