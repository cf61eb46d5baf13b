"""The docs keep up with the code: every hook is documented (datasette's test_docs idea)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gridgov.plugins import hookspecs

DOCS = Path(__file__).resolve().parent.parent / "docs"
HOOKS = sorted(n for n in vars(hookspecs) if n.startswith("gridgov_"))


def _headings(page: str) -> set[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return set(re.findall(r"^### (\w+)\s*$", text, flags=re.MULTILINE))


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented(hook: str) -> None:
    assert hook in _headings("plugins.md"), f"docs/plugins.md needs a '### {hook}' section"


def test_no_documented_hook_is_missing_from_the_code() -> None:
    documented = {h for h in _headings("plugins.md") if h.startswith("gridgov_")}
    assert documented == set(HOOKS)


@pytest.mark.parametrize("page", ["store.md", "notify.md", "workspace.md"])
def test_pages_are_linked_from_the_index(page: str) -> None:
    assert (DOCS / page).exists()
    assert f"({page})" in (DOCS / "index.md").read_text(encoding="utf-8")
