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


def test_urls_pick_the_backend(tmp_path: Path) -> None:
    """``open_store`` makes exactly the classes above from their URLs (the built-ins register
    the classes themselves), so the contract runs above cover stores opened by URL too."""
    assert type(open_store("memory://")) is MemoryStore
    store = open_store(f"sqlite:///{tmp_path}/x.db")
    assert type(store) is SqliteStore
    assert isinstance(store, Store)


def test_open_store_with_a_scope(tmp_path: Path) -> None:
    from gridgov.errors import UnknownUnit
    from gridgov.testing import contract_tree

    url = f"sqlite:///{tmp_path}/x.db"
    open_store(url).save_hierarchy(contract_tree())
    view = open_store(url, scope="G2")
    assert view.scope == "G2"
    tree = view.hierarchy()
    assert tree is not None
    assert sorted(u.id for u in tree) == ["B3", "G2"]
    with pytest.raises(UnknownUnit):
        open_store(url, scope="nowhere")


@pytest.fixture(autouse=True, scope="module")
def _cleanup():
    yield
    import shutil

    shutil.rmtree(_tmp, ignore_errors=True)
