"""The pure core (``gridgov.duty``, ``gridgov.sweep``, ``gridgov.org``) never reaches the
plugin manager: an import-linter-like check over the import graph, and a run that shows
no plugin manager is ever made by the core.

Only the edge (CLI, workspace, stores, channels) asks the plugin manager; the core takes
what plugins registered as an argument (e.g. the rule table, ``rules=``).
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

import gridgov

SRC = Path(gridgov.__file__).parent
CORE = ("gridgov.duty", "gridgov.sweep", "gridgov.org")
FORBIDDEN = ("gridgov.plugins", "gridgov.workspace", "gridgov.cli", "gridgov.store.registry")
ADAPTERS = {"gridgov.duty.plugin"}
"""The core's own plugin module (its hookimpls register the built-ins): the edge's side."""


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


@functools.cache
def _imports(name: str) -> frozenset[str]:
    """Every gridgov module ``name`` imports anywhere (function bodies and
    ``TYPE_CHECKING`` blocks included), with the packages on the way.

    Parsed once a test run: each module's edges are the same for every start."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        for t in targets:
            parts = t.split(".")
            for i in range(2, len(parts) + 1):  # gridgov/__init__ is the façade, not the core
                mod = ".".join(parts[:i])
                if mod in MODULES:
                    found.add(mod)
    return frozenset(found)


def _reachable(start: str) -> dict[str, str]:
    """Each module reachable from ``start``, with the module that imports it."""
    seen = {start: ""}
    todo = [start]
    while todo:
        mod = todo.pop()
        for dep in _imports(mod):
            if dep not in seen:
                seen[dep] = mod
                todo.append(dep)
    return seen


def _core_modules() -> list[str]:
    return sorted(
        m for m in MODULES if m.startswith(CORE) and m.split(".")[1] in {"duty", "sweep", "org"}
    )


def test_the_check_finds_a_forbidden_import() -> None:
    """The checker itself: the edge module that asks the plugins is seen to reach them."""
    assert "gridgov.plugins.manager" in _reachable("gridgov.cli.roster_cmd")
    assert "gridgov.plugins.manager" in _reachable("gridgov.duty.plugin")


def test_no_core_module_reaches_the_plugin_manager() -> None:
    core = [m for m in _core_modules() if m not in ADAPTERS]
    assert len(core) > 30
    bad = []
    for mod in core:
        via = _reachable(mod)
        for dep in via:
            if dep.startswith(FORBIDDEN) and dep not in ADAPTERS:
                chain = [dep]
                while via[chain[-1]]:
                    chain.append(via[chain[-1]])
                bad.append(" <- ".join(chain))
                break
    assert bad == []


def test_solving_and_checking_never_make_a_plugin_manager() -> None:
    """At run time too: the core's whole duty cycle leaves the shared manager unmade."""
    code = """
import importlib, pkgutil, sys
import gridgov.duty, gridgov.sweep, gridgov.org
for pkg in (gridgov.duty, gridgov.sweep, gridgov.org):
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if m.name != "gridgov.duty.plugin":
            importlib.import_module(m.name)
from gridgov.duty import Dropout, repair, solve, swap, validate
from gridgov.examples import reference_duty
from gridgov.plugins import manager
problem = reference_duty(seed=0, scale=0.05)
result = solve(problem, max_iterations=300, seed=0)
validate(problem, result.roster)
a, b = result.roster.assignments[:2]
swap(problem, result.roster, a, b)
repair(problem, result.roster, Dropout(problem.resources[0].id, 0), max_iterations=100)
print(manager._shared is None, "gridgov.duty.plugin" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]
