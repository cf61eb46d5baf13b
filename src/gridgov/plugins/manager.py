"""Loading plugins and collecting what they register.

- Built-in behaviour is a list of default plugin modules registered on the same
  manager as third-party plugins (the core is its own first plugin).
- Third-party plugins come from the ``gridgov`` entry-point group and are loaded
  lazily, on first use, never at ``import gridgov``.
- ``GRIDGOV_PLUGINS`` (comma-separated entry-point names) restricts which
  third-party plugins load; ``GRIDGOV_PLUGINS=`` (empty) loads none.
- A plugin that fails to import, or raises in a hook, is recorded in
  :func:`plugin_errors` by name and never takes down unrelated features.
- Two plugins registering the same name for the same kind is a *clash*: that
  name alone is disabled (neither plugin's is used, as nobody can tell which
  one the user meant), the clash is recorded in :func:`plugin_errors` naming
  both plugins, and asking for the name raises :class:`PluginConflict` naming
  both. Everything else both plugins register keeps working, and ``gridgov
  plugins`` still lists everything and reports the clash.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs
import pluggy

from gridgov.errors import PluginConflict as PluginConflict
from gridgov.errors import UnknownComponent as UnknownComponent
from gridgov.plugins import hookspecs

ENTRY_POINT_GROUP = "gridgov"
ENV_ALLOW = "GRIDGOV_PLUGINS"

DEFAULT_PLUGINS: list[str] = [
    "gridgov.store.backends",
    "gridgov.notify.channels",
    "gridgov.duty.plugin",
]
"""Modules of the core registered as plugins (each module holds hookimpls)."""

KINDS = {
    "storage": "gridgov_storage_backends",
    "notifier": "gridgov_notifiers",
    "solver": "gridgov_roster_solvers",
    "rule": "gridgov_rules",
}


@attrs.frozen
class PluginError:
    """A plugin that failed to load or raised in a hook."""

    plugin: str
    where: str
    message: str


@attrs.frozen
class Registered:
    """One thing a plugin registered."""

    kind: str
    name: str
    value: Any
    plugin: str


@attrs.frozen
class PluginInfo:
    """A loaded plugin: its name, its distribution and version, what it registers."""

    name: str
    distribution: str | None
    version: str | None
    registers: tuple[str, ...]


class Plugins:
    """A plugin manager with gridgov's policies; get the shared one with :func:`get_plugins`."""

    def __init__(self, *, load_entry_points: bool = True, defaults: bool = True) -> None:
        self.pm = pluggy.PluginManager("gridgov")
        self.pm.add_hookspecs(hookspecs)
        self.errors: list[PluginError] = []
        self.dists: dict[str, tuple[str | None, str | None]] = {}
        self._registries: dict[str, dict[str, Registered]] = {}
        self._clashes: dict[tuple[str, str], list[str]] = {}
        self._lock = threading.RLock()
        if defaults:
            for modname in DEFAULT_PLUGINS:
                self._register_module(modname, name=modname)
        if load_entry_points:
            self._load_entry_points()
        self.pm.check_pending()

    def _register_module(self, modname: str, *, name: str) -> None:
        try:
            module = importlib.import_module(modname)
            self.pm.register(module, name=name)
            self.dists.setdefault(name, ("gridgov", _version("gridgov")))
        except Exception as exc:  # a broken plugin must not take the rest down
            self.errors.append(PluginError(name, "import", f"{type(exc).__name__}: {exc}"))

    def _load_entry_points(self) -> None:
        allow_env = os.environ.get(ENV_ALLOW)
        allow = (
            None if allow_env is None else {a.strip() for a in allow_env.split(",") if a.strip()}
        )
        for ep in md.entry_points(group=ENTRY_POINT_GROUP):
            if allow is not None and ep.name not in allow:
                continue
            if self.pm.get_plugin(ep.name) is not None:
                continue
            try:
                plugin = ep.load()
                self.pm.register(plugin, name=ep.name)
            except Exception as exc:
                self.errors.append(PluginError(ep.name, "import", f"{type(exc).__name__}: {exc}"))
                continue
            dist = ep.dist
            self.dists[ep.name] = (dist.name if dist else None, dist.version if dist else None)

    def register(self, plugin: Any, name: str | None = None) -> None:
        """Register a plugin object (a module or a class instance with hookimpls)."""
        with self._lock:
            self.pm.register(plugin, name=name)
            self._registries.clear()

    def unregister(self, name: str) -> None:
        """Remove a plugin by name."""
        with self._lock:
            self.pm.unregister(name=name)
            self._registries.clear()

    def registry(self, kind: str) -> dict[str, Registered]:
        """Everything of ``kind`` (``storage``, ``notifier``, ``solver``, ``rule``) by name."""
        with self._lock:
            if kind not in self._registries:
                self._registries[kind] = self._collect(kind)
            return self._registries[kind]

    def _collect(self, kind: str) -> dict[str, Registered]:
        hook_name = KINDS[kind]
        hook = getattr(self.pm.hook, hook_name)
        found: dict[str, Registered] = {}
        disabled: set[str] = set()
        for key in [k for k in self._clashes if k[0] == kind]:
            del self._clashes[key]
        for impl in reversed(hook.get_hookimpls()):
            plugin = impl.plugin_name
            mine: dict[str, Registered] = {}

            def register(
                name: str, value: Any, _plugin: str = plugin, _mine: dict[str, Registered] = mine
            ) -> None:
                if not isinstance(name, str) or not name:
                    raise PluginConflict(f"plugin {_plugin!r} registered a {kind} without a name")
                if name in _mine:
                    raise PluginConflict(f"plugin {_plugin!r} registered {kind} {name!r} twice")
                _mine[name] = Registered(kind, name, value, _plugin)

            try:
                impl.function(register=register)
            except Exception as exc:
                # what a failing plugin registered before it failed is not used
                self.errors.append(PluginError(plugin, hook_name, f"{type(exc).__name__}: {exc}"))
                continue
            for name, item in mine.items():
                other = found.get(name)
                if name in disabled or other is not None:
                    claimants = self._clashes.setdefault((kind, name), [])
                    if other is not None:
                        claimants.append(other.plugin)
                    claimants.append(plugin)
                    message = (
                        f"{kind} {name!r} is registered by both {claimants[0]!r} and {plugin!r}; "
                        "it is disabled until one of them is removed"
                    )
                    self.errors.append(PluginError(plugin, hook_name, message))
                    found.pop(name, None)
                    disabled.add(name)
                    continue
                found[name] = item
        self._disabled = getattr(self, "_disabled", {})
        self._disabled[kind] = {n: tuple(self._clashes[(kind, n)]) for n in disabled}
        return found

    def get(self, kind: str, name: str) -> Any:
        """The value registered as ``name``; :class:`UnknownComponent` lists what there is."""
        reg = self.registry(kind)
        clashed = getattr(self, "_disabled", {}).get(kind, {})
        if name in clashed:
            who = " and ".join(repr(p) for p in clashed[name])
            raise PluginConflict(
                f"{kind} {name!r} is disabled: it is registered by both {who} "
                "(remove one of them; see `gridgov plugins`)"
            )
        if name not in reg:
            have = ", ".join(sorted(reg)) or "none"
            raise UnknownComponent(f"no {kind} named {name!r} (available: {have})")
        return reg[name].value

    def rule_table(self) -> dict[str, Any]:
        """Every rule class by name, for ``compile_problem(problem, rules=...)`` and the
        duty functions' ``rules=`` (the core never asks the plugin manager itself).

        The built-ins come through the core's own plugin (``gridgov.duty.plugin``);
        a name two plugins registered is left out (see :meth:`get`).
        """
        return {name: item.value for name, item in self.registry("rule").items()}

    def disabled(self, kind: str) -> dict[str, tuple[str, ...]]:
        """Names of ``kind`` disabled by a clash, each with the plugins that registered it."""
        self.registry(kind)
        return dict(getattr(self, "_disabled", {}).get(kind, {}))

    def emit(self, event: Any) -> list[PluginError]:
        """Call every ``gridgov_event`` observer; a failing observer is recorded, not raised."""
        failures = []
        for impl in self.pm.hook.gridgov_event.get_hookimpls():
            try:
                impl.function(event=event)
            except Exception as exc:
                err = PluginError(impl.plugin_name, "gridgov_event", f"{type(exc).__name__}: {exc}")
                failures.append(err)
                self.errors.append(err)
        return failures

    def info(self) -> list[PluginInfo]:
        """The loaded plugins with their distributions, versions and registrations."""
        regs: dict[str, list[str]] = {}
        for kind in KINDS:
            for item in self.registry(kind).values():
                regs.setdefault(item.plugin, []).append(f"{kind}:{item.name}")
        out = []
        for name, _plugin in self.pm.list_name_plugin():
            dist, version = self.dists.get(name, (None, None))
            out.append(PluginInfo(name, dist, version, tuple(regs.get(name, ()))))
        return out


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


_shared: Plugins | None = None
_shared_lock = threading.Lock()


def get_plugins() -> Plugins:
    """The process-wide plugin manager, created (and plugins loaded) on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Plugins()
        return _shared


@contextmanager
def use_plugins(plugins: Plugins) -> Iterator[Plugins]:
    """Make ``plugins`` the shared manager for a block (tests get a fresh one each)."""
    global _shared
    with _shared_lock:
        old, _shared = _shared, plugins
    try:
        yield plugins
    finally:
        with _shared_lock:
            _shared = old


def plugin_errors() -> list[PluginError]:
    """Failures recorded by the shared manager so far."""
    return list(get_plugins().errors)
